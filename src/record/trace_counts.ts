/**
 * Per-iteration event counts: their names (one list, shared by the converter that counts
 * while it records, the recorder's report and the corpus manifest), and the same counts
 * computed from a finished trace (not from the recorder's internal state), so the corpus
 * manifest can be checked against the trace by anyone: the corpus test recomputes them
 * with this same function.
 *
 * @module
 */

import { CPL_KERNEL } from "../trace/code_table.ts";
import { isMemKind, MarkerOp, RecordKind, SensitiveOp } from "../trace/record.ts";
import type { TraceReader } from "../trace/reader.ts";

/**
 * Names of the per-iteration counts, in print order. The converter, the recorder's report
 * and the manifest all use this one list, so a count added here reaches all of them.
 */
export const COUNT_NAMES = [
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

/** A name from {@link COUNT_NAMES}. */
export type CountName = typeof COUNT_NAMES[number];

/** Counts of one iteration. */
export type IterationCounts = Record<CountName, number>;

/**
 * Index of each count in {@link COUNT_NAMES}, for counting into a typed array. Written out
 * as a literal (not built with `Object.fromEntries`): V8 keeps a built object of this size
 * in dictionary mode, and the optimizing compilers then gave up on `counts[COUNT_INDEX.x]`
 * in the converter's per-block loop hundreds of times per conversion.
 * {@link countIndexMismatch} checks it against the names.
 */
export const COUNT_INDEX: Readonly<Record<CountName, number>> = {
  instructions: 0,
  kernelInstructions: 1,
  userInstructions: 2,
  repIterations: 3,
  memRefs: 4,
  syscalls: 5,
  pageFaults: 6,
  exceptions: 7,
  interrupts: 8,
  cr3Writes: 9,
  ptWrites: 10,
  invlpg: 11,
  cli: 12,
  sti: 13,
  pushf: 14,
  popf: 15,
  iret: 16,
  pio: 17,
  mmio: 18,
  blockRequests: 19,
  netRequests: 20,
};

/** The first name whose {@link COUNT_INDEX} differs from its place in {@link COUNT_NAMES} (for tests). */
export function countIndexMismatch(): CountName | null {
  for (let i = 0; i < COUNT_NAMES.length; i++) {
    if (COUNT_INDEX[COUNT_NAMES[i]] !== i) return COUNT_NAMES[i];
  }
  return Object.keys(COUNT_INDEX).length === COUNT_NAMES.length ? null : COUNT_NAMES[0];
}

/**
 * The counts held in a typed array (indexed by {@link COUNT_INDEX}) as a named record, keys
 * in {@link COUNT_NAMES} order, so every count table serializes the same way.
 */
export function countsRecord(values: ArrayLike<number>): IterationCounts {
  const out = {} as IterationCounts;
  COUNT_NAMES.forEach((n, i) => out[n] = values[i]);
  return out;
}

/** Mean, minimum and maximum of one count over the recorded iterations. */
export interface CountStats {
  /** Mean per iteration. */
  mean: number;
  /** Smallest iteration. */
  min: number;
  /** Largest iteration. */
  max: number;
}

/**
 * Mean (unrounded), minimum and maximum of each count over iterations: what the recorder
 * prints, and (means rounded) what the manifest lists; all zero for no iterations.
 */
export function iterationStats(its: readonly IterationCounts[]): Record<CountName, CountStats> {
  const out = {} as Record<CountName, CountStats>;
  for (const name of COUNT_NAMES) {
    const values = its.map((it) => it[name]);
    const n = values.length;
    out[name] = {
      mean: n > 0 ? values.reduce((a, b) => a + b, 0) / n : 0,
      min: n > 0 ? Math.min(...values) : 0,
      max: n > 0 ? Math.max(...values) : 0,
    };
  }
  return out;
}

/**
 * Counts events between Iteration markers. Iteration k ends at the k-th Iteration
 * marker; events before the Begin marker or after the last Iteration marker are ignored.
 */
export function countIterations(trace: TraceReader): IterationCounts[] {
  const code = trace.code;
  const c = trace.cursor();
  const acc = new Float64Array(COUNT_NAMES.length);
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
        out.push(countsRecord(acc));
        acc.fill(0);
      } else if (r.op === MarkerOp.End) {
        inside = false;
      }
      continue;
    }
    if (!inside) continue;
    if (isMemKind(k)) {
      acc[COUNT_INDEX.memRefs]++;
      continue;
    }
    switch (k) {
      case RecordKind.Exec:
      case RecordKind.ExecPartial: {
        const n = r.count;
        acc[COUNT_INDEX.instructions] += n;
        acc[
          code.blockCpl[r.block] === CPL_KERNEL
            ? COUNT_INDEX.kernelInstructions
            : COUNT_INDEX.userInstructions
        ] += n;
        break;
      }
      case RecordKind.RepString:
        acc[COUNT_INDEX.repIterations] += r.count;
        break;
      case RecordKind.Exception:
        acc[COUNT_INDEX.exceptions]++;
        if (r.vector === 14) acc[COUNT_INDEX.pageFaults]++;
        break;
      case RecordKind.Interrupt:
        acc[COUNT_INDEX.interrupts]++;
        break;
      case RecordKind.PtWrite:
        acc[COUNT_INDEX.ptWrites]++;
        break;
      case RecordKind.Pio:
        acc[COUNT_INDEX.pio]++;
        break;
      case RecordKind.Mmio:
        acc[COUNT_INDEX.mmio]++;
        break;
      case RecordKind.BlockRequest:
        acc[COUNT_INDEX.blockRequests]++;
        break;
      case RecordKind.NetRequest:
        acc[COUNT_INDEX.netRequests]++;
        break;
      case RecordKind.Sensitive:
        switch (r.op) {
          // System calls: SYSCALL (x86-64), SYSENTER (the 32-bit vDSO) and INT 0x80.
          case SensitiveOp.Syscall:
          case SensitiveOp.Sysenter:
            acc[COUNT_INDEX.syscalls]++;
            break;
          case SensitiveOp.Int:
            if (r.reg === 0x80) acc[COUNT_INDEX.syscalls]++;
            break;
          case SensitiveOp.CrWrite:
            if (r.reg === 3) acc[COUNT_INDEX.cr3Writes]++;
            break;
          case SensitiveOp.Invlpg:
            acc[COUNT_INDEX.invlpg]++;
            break;
          case SensitiveOp.Cli:
            acc[COUNT_INDEX.cli]++;
            break;
          case SensitiveOp.Sti:
            acc[COUNT_INDEX.sti]++;
            break;
          case SensitiveOp.Pushf:
            acc[COUNT_INDEX.pushf]++;
            break;
          case SensitiveOp.Popf:
            acc[COUNT_INDEX.popf]++;
            break;
          case SensitiveOp.Iret:
            acc[COUNT_INDEX.iret]++;
            break;
        }
        break;
    }
  }
  return out;
}

/** Mean (rounded to hundredths), minimum and maximum of each count over iterations, as the manifest lists them. */
export function summarizeIterations(
  its: readonly IterationCounts[],
): Record<CountName, CountStats> {
  const out = iterationStats(its);
  for (const n of COUNT_NAMES) out[n].mean = Math.round(out[n].mean * 100) / 100;
  return out;
}
