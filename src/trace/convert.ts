/**
 * Re-encoding a trace (another chunk size or deflate level). Blocks are defined in their
 * original order and every record is copied, so the content hash stays the same.
 *
 * @module
 */

import type { TraceHeaderInit, TraceSummary } from "./header.ts";
import type { TraceReader } from "./reader.ts";
import { TraceWriter, type TraceWriterOptions } from "./writer.ts";

/** Copies `trace` into a new file at `out` with the given writer options. */
export function convertTrace(
  trace: TraceReader,
  out: string,
  options: TraceWriterOptions,
  onChunk?: (done: number) => void,
): TraceSummary {
  const { format: _f, version: _v, ...init } = trace.header;
  const header: TraceHeaderInit = init;
  const w = TraceWriter.create(out, header, options);
  try {
    const code = trace.code;
    for (let b = 0; b < code.blockCount; b++) {
      w.defineBlock(code.blockAddr[b], code.blockCpl[b], code.instructions(b));
    }
    for (let i = 0; i < trace.chunks.length; i++) {
      const c = trace.cursor(i, i + 1);
      while (c.next()) w.copy(c.record);
      onChunk?.(i + 1);
    }
    return w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
