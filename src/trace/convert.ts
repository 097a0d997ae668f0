/**
 * Re-encoding a trace (another chunk size or deflate level). Blocks are defined in their
 * original order and every record is copied, so the content hash stays the same.
 *
 * @module
 */

import type { TraceHeaderInit, TraceSummary } from "./header.ts";
import type { TraceReader } from "./reader.ts";
import { TraceWriter, type TraceWriterOptions } from "./writer.ts";

/** Lets queued events (a SIGINT's handler, a progress redraw) run between chunks. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Copies `trace` into a new file at `out` with the given writer options. Asynchronous only
 * so that an interrupt is handled between chunks (the file stays a temporary one until the
 * last chunk is written; see src/util/interrupt.ts).
 */
export async function convertTrace(
  trace: TraceReader,
  out: string,
  options: TraceWriterOptions,
  onChunk?: (done: number) => void,
): Promise<TraceSummary> {
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
      let n = 0;
      while (c.next()) {
        w.copy(c.record);
        // A source chunk can hold millions of records: let a signal in every 64 K.
        if (++n % 65536 === 0) await yieldToEvents();
      }
      onChunk?.(i + 1);
      await yieldToEvents();
    }
    return w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
