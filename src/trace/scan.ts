/**
 * Counting a chunk range of a trace: records by kind, instructions by privilege level,
 * sensitive records by class. The sequential and the worker path share this function.
 *
 * @module
 */

import { emptyCounts, type ScanCounts } from "./parallel.ts";
import type { TraceReader } from "./reader.ts";
import { RecordKind } from "./record.ts";

/** Scans chunks `[from, to)` of an open trace. */
export function scanRange(t: TraceReader, from: number, to: number): ScanCounts {
  const counts = emptyCounts();
  const kinds = new Float64Array(256);
  const cpl = new Float64Array(4);
  const sens = new Float64Array(256);
  const blockCpl = t.code.blockCpl;
  const c = t.cursor(from, to);
  const r = c.record;
  while (c.next()) {
    const k = r.kind;
    kinds[k]++;
    if (k === RecordKind.Exec || k === RecordKind.ExecPartial) {
      cpl[blockCpl[r.block] & 3] += r.count;
    } else if (k === RecordKind.Sensitive) sens[r.op & 0xff]++;
  }
  counts.kinds = Array.from(kinds);
  counts.instructionsByCpl = Array.from(cpl);
  counts.sensitive = Array.from(sens);
  return counts;
}
