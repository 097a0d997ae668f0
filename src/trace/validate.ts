/**
 * Full validation of a trace: every chunk decompressed, checksummed and decoded, and
 * the counts and content hash recomputed and compared with the summary. A trace that
 * passes is one every consumer can read to the end.
 *
 * @module
 */

import { ContentHasher } from "./content_hash.ts";
import { TraceFormatError } from "./errors.ts";
import type { TraceReader } from "./reader.ts";
import { isMemKind, KIND_NAMES, kindName, RecordKind } from "./record.ts";

/** What a full validation found. */
export interface ValidationReport {
  /** Records decoded. */
  records: number;
  /** Instructions counted from Exec records. */
  instructions: number;
  /** Chunks read. */
  chunks: number;
  /** Records of unknown kinds that were skipped. */
  skippedUnknown: number;
  /** Recomputed content hash (equal to the summary's, or validation fails). */
  contentHash: string;
}

/** Reads the whole trace; throws {@link TraceFormatError} at the first inconsistency. */
export function validateTrace(
  trace: TraceReader,
  onChunk?: (done: number) => void,
): ValidationReport {
  const hasher = new ContentHasher();
  const kinds = new Float64Array(256);
  let records = 0;
  let instructions = 0;
  let skippedUnknown = 0;
  for (let i = 0; i < trace.chunks.length; i++) {
    const info = trace.chunks[i];
    const c = trace.cursor(i, i + 1);
    let n = 0;
    let ins = 0;
    const r = c.record;
    while (c.next()) {
      n++;
      kinds[r.kind]++;
      if (r.kind === RecordKind.Exec || r.kind === RecordKind.ExecPartial) ins += r.count;
      hasher.add(r);
    }
    if (ins !== info.instructions) {
      throw new TraceFormatError(
        trace.name,
        `chunk holds ${ins} instructions, index says ${info.instructions}`,
        info.offset,
        i,
      );
    }
    records += n;
    instructions += ins;
    skippedUnknown += c.skippedUnknown;
    onChunk?.(i + 1);
  }
  const s = trace.summary;
  if (records + skippedUnknown !== s.records || instructions !== s.instructions) {
    throw new TraceFormatError(trace.name, "records or instructions disagree with the summary");
  }
  const counted: Record<string, number> = {};
  for (let k = 0; k < 256; k++) {
    if (kinds[k] > 0) {
      const name = isMemKind(k) ? "mem" : kindName(k);
      counted[name] = (counted[name] ?? 0) + kinds[k];
    }
  }
  const known = new Set(Object.values(KIND_NAMES));
  for (const [name, n] of Object.entries(s.kinds)) {
    if (!known.has(name)) continue; // a newer writer's kind: skipped by design
    if ((counted[name] ?? 0) !== n) {
      throw new TraceFormatError(
        trace.name,
        `summary counts ${n} ${name} records, the chunks hold ${counted[name] ?? 0}`,
      );
    }
  }
  const contentHash = hasher.digest(trace.code);
  if (contentHash !== s.contentHash) {
    throw new TraceFormatError(trace.name, "content hash does not match the summary");
  }
  return { records, instructions, chunks: trace.chunks.length, skippedUnknown, contentHash };
}
