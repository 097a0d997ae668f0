/**
 * Maps sensitive-instruction classes to the {@link Transition} reason under which a VMM
 * fields them, and builds per-reason cost tables from a platform prefix. Shared by the
 * trap, bt, pv and hw models so that all four name exits, traps and hypercalls alike.
 *
 * @module
 */

import {
  type ModelContext,
  Transition,
  TRANSITION_COUNT,
  TRANSITION_NAMES,
} from "../../engine/model.ts";
import { SensitiveOp } from "../../trace/record.ts";
import { CLASS_COUNT, CR_READ_BASE, CR_WRITE_BASE } from "./sensitive_class.ts";

/** The transition reason of a sensitive class. */
export function reasonOfClass(cls: number): number {
  if (cls === CR_WRITE_BASE + 3) return Transition.Cr3Write;
  if (cls >= CR_READ_BASE) return Transition.CrAccess;
  switch (cls) {
    case SensitiveOp.Invlpg:
    case SensitiveOp.Invpcid:
      return Transition.Invlpg;
    case SensitiveOp.In:
    case SensitiveOp.Out:
    case SensitiveOp.Ins:
    case SensitiveOp.Outs:
      return Transition.Pio;
    case SensitiveOp.Rdmsr:
    case SensitiveOp.Wrmsr:
      return Transition.Msr;
    case SensitiveOp.Cpuid:
      return Transition.Cpuid;
    case SensitiveOp.Rdtsc:
    case SensitiveOp.Rdtscp:
      return Transition.Rdtsc;
    case SensitiveOp.Hlt:
    case SensitiveOp.Monitor:
    case SensitiveOp.Mwait:
      return Transition.Hlt;
    case SensitiveOp.Iret:
    case SensitiveOp.Sysret:
    case SensitiveOp.Sysexit:
      return Transition.Return;
    case SensitiveOp.Syscall:
    case SensitiveOp.Sysenter:
    case SensitiveOp.Int:
    case SensitiveOp.Int3:
    case SensitiveOp.Into:
      return Transition.Syscall;
    case SensitiveOp.Vmcall:
      return Transition.Hypercall;
    default:
      return Transition.Sensitive;
  }
}

/** Reason of every class, as a table. */
export const CLASS_REASON: Uint8Array = (() => {
  const t = new Uint8Array(CLASS_COUNT);
  for (let c = 0; c < CLASS_COUNT; c++) t[c] = reasonOfClass(c);
  return t;
})();

/** `${prefix}.${reason}` for every reason, else `${prefix}` (must exist). */
export function reasonTable(ctx: ModelContext, prefix: string): Float64Array {
  const t = new Float64Array(TRANSITION_COUNT);
  const p = ctx.platform;
  for (let r = 0; r < TRANSITION_COUNT; r++) {
    t[r] = p.costOf(`${prefix}.${TRANSITION_NAMES[r]}`, prefix);
  }
  return t;
}

/** Registers `${prefix}.${reason}` for every reason; returns the ids. */
export function reasonIds(
  ctx: ModelContext,
  prefix: string,
  kind: "category" | "counter",
): Int32Array {
  const t = new Int32Array(TRANSITION_COUNT);
  for (let r = 0; r < TRANSITION_COUNT; r++) {
    const name = `${prefix}.${TRANSITION_NAMES[r]}`;
    t[r] = kind === "category" ? ctx.category(name) : ctx.counter(name);
  }
  return t;
}
