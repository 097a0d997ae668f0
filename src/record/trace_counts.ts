/**
 * Per-iteration event counts computed from a finished trace (not from the recorder's
 * internal state), so the corpus manifest can be checked against the trace by anyone:
 * the corpus test recomputes them with this same function.
 *
 * @module
 */

import { CPL_KERNEL } from "../trace/code_table.ts";
import { isMemKind, MarkerOp, RecordKind, SensitiveOp } from "../trace/record.ts";
import type { TraceReader } from "../trace/reader.ts";

/** Names of the counts, in print order. */
export const TRACE_COUNT_NAMES = [
  "instructions",
  "kernelInstructions",
  "userInstructions",
  "repIterations",
  "memRefs",
  "syscalls",
  "pageFaults",
  "exceptions",
  "interrupts",
  "cr3Writes",
  "ptWrites",
  "invlpg",
  "cli",
  "sti",
  "pushf",
  "popf",
  "iret",
  "pio",
  "mmio",
  "blockRequests",
  "netRequests",
] as const;

/** One count name. */
export type TraceCountName = typeof TRACE_COUNT_NAMES[number];

/** Counts of one iteration. */
export type IterationCounts = Record<TraceCountName, number>;

const IDX = Object.fromEntries(TRACE_COUNT_NAMES.map((n, i) => [n, i])) as Record<
  TraceCountName,
  number
>;

/**
 * Counts events between Iteration markers. Iteration k ends at the k-th Iteration
 * marker; events before the Begin marker or after the last Iteration marker are ignored.
 */
export function countIterations(trace: TraceReader): IterationCounts[] {
  const code = trace.code;
  const c = trace.cursor();
  const acc = new Float64Array(TRACE_COUNT_NAMES.length);
  const out: IterationCounts[] = [];
  let inside = false;
  while (c.next()) {
    const r = c.record;
    const k = r.kind;
    if (k === RecordKind.Marker) {
      if (r.op === MarkerOp.Begin) {
        inside = true;
        acc.fill(0);
      } else if (r.op === MarkerOp.Iteration && inside) {
        const it = {} as IterationCounts;
        TRACE_COUNT_NAMES.forEach((n, i) => it[n] = acc[i]);
        out.push(it);
        acc.fill(0);
      } else if (r.op === MarkerOp.End) {
        inside = false;
      }
      continue;
    }
    if (!inside) continue;
    if (isMemKind(k)) {
      acc[IDX.memRefs]++;
      continue;
    }
    switch (k) {
      case RecordKind.Exec:
      case RecordKind.ExecPartial: {
        const n = r.count;
        acc[IDX.instructions] += n;
        acc[
          code.blockCpl[r.block] === CPL_KERNEL ? IDX.kernelInstructions : IDX.userInstructions
        ] += n;
        break;
      }
      case RecordKind.RepString:
        acc[IDX.repIterations] += r.count;
        break;
      case RecordKind.Exception:
        acc[IDX.exceptions]++;
        if (r.vector === 14) acc[IDX.pageFaults]++;
        break;
      case RecordKind.Interrupt:
        acc[IDX.interrupts]++;
        break;
      case RecordKind.PtWrite:
        acc[IDX.ptWrites]++;
        break;
      case RecordKind.Pio:
        acc[IDX.pio]++;
        break;
      case RecordKind.Mmio:
        acc[IDX.mmio]++;
        break;
      case RecordKind.BlockRequest:
        acc[IDX.blockRequests]++;
        break;
      case RecordKind.NetRequest:
        acc[IDX.netRequests]++;
        break;
      case RecordKind.Sensitive:
        switch (r.op) {
          case SensitiveOp.Syscall:
            acc[IDX.syscalls]++;
            break;
          case SensitiveOp.CrWrite:
            if (r.reg === 3) acc[IDX.cr3Writes]++;
            break;
          case SensitiveOp.Invlpg:
            acc[IDX.invlpg]++;
            break;
          case SensitiveOp.Cli:
            acc[IDX.cli]++;
            break;
          case SensitiveOp.Sti:
            acc[IDX.sti]++;
            break;
          case SensitiveOp.Pushf:
            acc[IDX.pushf]++;
            break;
          case SensitiveOp.Popf:
            acc[IDX.popf]++;
            break;
          case SensitiveOp.Iret:
            acc[IDX.iret]++;
            break;
        }
        break;
    }
  }
  return out;
}

/** Mean, minimum and maximum of each count over iterations. */
export function summarizeIterations(
  its: IterationCounts[],
): Record<TraceCountName, { mean: number; min: number; max: number }> {
  const out = {} as Record<TraceCountName, { mean: number; min: number; max: number }>;
  for (const n of TRACE_COUNT_NAMES) {
    const v = its.map((it) => it[n]);
    out[n] = v.length === 0 ? { mean: 0, min: 0, max: 0 } : {
      mean: Math.round((v.reduce((a, b) => a + b, 0) / v.length) * 100) / 100,
      min: Math.min(...v),
      max: Math.max(...v),
    };
  }
  return out;
}
