/**
 * The corpus manifest, `traces/MANIFEST.json`: for each committed trace, the recipe and
 * command that re-create it, its size, instruction count, content hash and per-iteration
 * event counts. The corpus test checks every entry against its trace.
 *
 * @module
 */

import { writeFileAtomicSync } from "../util/atomic.ts";
import { InputError } from "../util/errors.ts";
import type { TraceReader } from "../trace/reader.ts";
import {
  countIterations,
  type CountName,
  type CountStats,
  summarizeIterations,
} from "./trace_counts.ts";

/** One manifest entry. */
export interface ManifestEntry {
  /** Trace file, relative to the manifest's folder. */
  file: string;
  /** Workload name. */
  workload: string;
  /** Recipe folder, relative to the project root. */
  recipe: string;
  /** The command that re-creates the trace. */
  command: string;
  /** File size in bytes. */
  bytes: number;
  /** Guest instructions (summary). */
  instructions: number;
  /** Records (summary). */
  records: number;
  /** Iteration markers (summary). */
  iterations: number;
  /** Content hash (summary). */
  contentHash: string;
  /** File bytes per guest instruction; null for a trace that executes none (a snapshot set). */
  bytesPerInstruction: number | null;
  /** Per-iteration counts: mean, min, max over the recorded iterations. */
  perIteration: Record<CountName, CountStats>;
  /** Host facts of the recording (speeds); not reproducible and not checked. */
  host?: Record<string, unknown>;
}

/** The whole manifest. */
export interface Manifest {
  /** Schema name. */
  schema: "vmmlab.corpus/1";
  /** Entries sorted by file. */
  traces: ManifestEntry[];
}

/** Reads a manifest, or an empty one when the file does not exist. */
export function readManifest(path: string): Manifest {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { schema: "vmmlab.corpus/1", traces: [] };
    throw e;
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m.schema !== "vmmlab.corpus/1" || !Array.isArray(m.traces)) throw new Error("bad schema");
    return m;
  } catch (e) {
    throw new InputError(`${path}: not a vmmlab corpus manifest (${(e as Error).message})`);
  }
}

/** Builds the entry of an open trace. */
export function manifestEntry(
  trace: TraceReader,
  file: string,
  command: string,
  host?: Record<string, unknown>,
): ManifestEntry {
  const s = trace.summary;
  const its = countIterations(trace);
  return {
    file,
    workload: trace.header.workload,
    recipe: `traces/recipes/${trace.header.workload}`,
    command,
    bytes: trace.size,
    instructions: s.instructions,
    records: s.records,
    iterations: s.iterations,
    contentHash: s.contentHash,
    // A snapshot set executes nothing: bytes per instruction is undefined, not the file size.
    bytesPerInstruction: s.instructions > 0
      ? Math.round((trace.size / s.instructions) * 1000) / 1000
      : null,
    perIteration: summarizeIterations(its),
    ...(host ? { host } : {}),
  };
}

/** Adds or replaces an entry and writes the manifest atomically. */
export function upsertManifest(path: string, entry: ManifestEntry): void {
  const m = readManifest(path);
  const traces = m.traces.filter((t) => t.file !== entry.file);
  traces.push(entry);
  traces.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  writeFileAtomicSync(path, JSON.stringify({ schema: m.schema, traces }, null, 2) + "\n");
}
