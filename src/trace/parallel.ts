/**
 * The chunk-parallel path: chunks decode independently, so a trace can be split into
 * contiguous chunk ranges of about equal instruction counts and each range read by its
 * own worker. `scanParallel` uses it to count a trace's records in Web Workers; its result
 * is identical for any worker count because ranges are merged in chunk order.
 *
 * @module
 */

import type { ChunkInfo } from "./reader.ts";

/** A contiguous range of chunks `[from, to)`. */
export interface ChunkRange {
  /** First chunk. */
  from: number;
  /** One past the last chunk. */
  to: number;
}

/** Splits chunks into at most `parts` contiguous ranges of roughly equal instruction counts. */
export function chunkRanges(chunks: readonly ChunkInfo[], parts: number): ChunkRange[] {
  if (!(Number.isInteger(parts) && parts >= 1)) {
    throw new RangeError(`parts must be ≥ 1, not ${parts}`);
  }
  const n = chunks.length;
  if (n === 0) return [];
  const weight = (c: ChunkInfo) => c.instructions + c.records; // records matter when instructions are few
  const total = chunks.reduce((s, c) => s + weight(c), 0);
  const ranges: ChunkRange[] = [];
  let from = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weight(chunks[i]);
    const left = parts - ranges.length - 1; // ranges still to open after this one
    const target = (total * (ranges.length + 1)) / parts;
    if (left > 0 && acc >= target && n - (i + 1) >= left) {
      ranges.push({ from, to: i + 1 });
      from = i + 1;
    }
  }
  ranges.push({ from, to: n });
  return ranges;
}

/** Counts from scanning a chunk range. */
export interface ScanCounts {
  /** Records by kind code (256 entries). */
  kinds: number[];
  /** Guest instructions by privilege level (4 entries). */
  instructionsByCpl: number[];
  /** Sensitive records by class code (256 entries). */
  sensitive: number[];
}

/** Adds `b` into `a`. */
export function mergeCounts(a: ScanCounts, b: ScanCounts): ScanCounts {
  return {
    kinds: a.kinds.map((x, i) => x + b.kinds[i]),
    instructionsByCpl: a.instructionsByCpl.map((x, i) => x + b.instructionsByCpl[i]),
    sensitive: a.sensitive.map((x, i) => x + b.sensitive[i]),
  };
}

/** Scans `path` in `workers` Web Workers, one chunk range each, and merges in chunk order. */
export async function scanParallel(
  path: string,
  chunks: readonly ChunkInfo[],
  workers: number,
): Promise<ScanCounts> {
  const ranges = chunkRanges(chunks, workers);
  const url = new URL("./scan_worker.ts", import.meta.url);
  const parts = await Promise.all(
    ranges.map((range) =>
      new Promise<ScanCounts>((resolve, reject) => {
        const w = new Worker(url, { type: "module" });
        w.onmessage = (e: MessageEvent<{ ok: ScanCounts } | { error: string }>) => {
          w.terminate();
          if ("ok" in e.data) resolve(e.data.ok);
          else reject(new Error(e.data.error));
        };
        w.onerror = (e) => {
          e.preventDefault();
          w.terminate();
          reject(new Error(e.message));
        };
        w.postMessage({ path, from: range.from, to: range.to });
      })
    ),
  );
  return parts.reduce(mergeCounts, emptyCounts());
}

/** Zeroed counts. */
export function emptyCounts(): ScanCounts {
  return {
    kinds: new Array(256).fill(0),
    instructionsByCpl: [0, 0, 0, 0],
    sensitive: new Array(256).fill(0),
  };
}
