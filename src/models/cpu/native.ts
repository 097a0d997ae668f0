/**
 * The `native` CPU model: the guest runs on the bare platform. It is the baseline every
 * slowdown is measured against, so it charges what the hardware itself costs: ordinary
 * instructions at the platform's cycles per instruction, each sensitive instruction at
 * its native cost, and exception and interrupt delivery through the guest's own IDT.
 *
 * @module
 */

import { ERA_OPTIONS } from "./era.ts";
import type { CpuModel, ModelContext } from "../../engine/model.ts";
import { registerModel } from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";
import { CODE_COST_KEYS, CodeCosts } from "./code_costs.ts";
import {
  CLASS_COUNT,
  className,
  classTable,
  isIoClass,
  sensitiveClass,
} from "./sensitive_class.ts";

/** Short names of exception vectors, used in cost keys (`native.exception.pf`). */
export const VECTOR_NAMES: Readonly<Record<number, string>> = {
  0: "de",
  1: "db",
  3: "bp",
  6: "ud",
  7: "nm",
  13: "gp",
  14: "pf",
};

/** The cost-key suffix of an exception vector. */
export function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? String(vector);
}

/** Per-vector cost table: `${prefix}.${vectorName(v)}`, else `${prefix}`. */
export function vectorTable(ctx: ModelContext, prefix: string): Float64Array {
  const t = new Float64Array(256);
  const fallback = ctx.platform.cost(prefix);
  for (let v = 0; v < 256; v++) {
    const key = `${prefix}.${vectorName(v)}`;
    t[v] = ctx.platform.has(key) ? ctx.platform.cost(key) : fallback;
  }
  return t;
}

/**
 * Event counters per sensitive class, registered on first use so that a result lists
 * only classes the trace contains.
 */
export class ClassCounters {
  readonly #ctx: ModelContext;
  readonly #prefix: string;
  readonly #ids = new Int32Array(CLASS_COUNT).fill(-1);

  /** Counters named `${prefix}.${class}`. */
  constructor(ctx: ModelContext, prefix: string) {
    this.#ctx = ctx;
    this.#prefix = prefix;
  }

  /** Counts one instruction of class `cls`. */
  count(cls: number): void {
    let id = this.#ids[cls];
    if (id < 0) id = this.#ids[cls] = this.#ctx.counter(`${this.#prefix}.${className(cls)}`);
    this.#ctx.events[id] += 1;
  }
}

/** The native CPU: no VMM, every cost is the hardware's own. */
export class NativeCpu implements CpuModel {
  readonly #ctx: ModelContext;
  readonly #code: CodeCosts;
  readonly #sens: Float64Array;
  readonly #exc: Float64Array;
  readonly #intr: number;
  readonly #rep: number;
  readonly #catExec: number;
  readonly #catSens: number;
  readonly #catExc: number;
  readonly #catIntr: number;
  readonly #evSens: ClassCounters;

  /** Reads `native.*` costs from the platform. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    const p = ctx.platform;
    this.#code = CodeCosts.of(ctx);
    this.#sens = classTable(p, "native.sensitive", "native.sensitive");
    this.#exc = vectorTable(ctx, "native.exception");
    this.#intr = p.cost("native.interrupt");
    this.#rep = p.cost("native.rep-iteration");
    this.#catExec = ctx.category("guest.exec");
    this.#catSens = ctx.category("guest.sensitive");
    this.#catExc = ctx.category("guest.exception");
    this.#catIntr = ctx.category("guest.interrupt");
    this.#evSens = new ClassCounters(ctx, "sensitive");
  }

  /** Ordinary instructions at the platform CPI plus control-transfer costs; sensitive ones are charged by their records. */
  exec(block: number, count: number): void {
    this.#ctx.cycles[this.#catExec] += this.#code.plain(block, count);
  }

  /** The instruction's native cost (I/O instructions are the I/O model's). */
  sensitive(rec: TraceRecord): void {
    const cls = sensitiveClass(rec.op, rec.reg);
    this.#evSens.count(cls);
    if (isIoClass(cls)) return;
    this.#ctx.cycles[this.#catSens] += this.#sens[cls];
  }

  /** Hardware delivery through the guest IDT. */
  exception(rec: TraceRecord): void {
    this.#ctx.cycles[this.#catExc] += this.#exc[rec.vector & 255];
  }

  /** Hardware interrupt delivery. */
  interrupt(_rec: TraceRecord): void {
    this.#ctx.cycles[this.#catIntr] += this.#intr;
  }

  /** Each string iteration at its native cost. */
  repString(rec: TraceRecord): void {
    this.#ctx.cycles[this.#catExec] += rec.count * this.#rep;
  }

  /** Native has no VMM. */
  vmmTransition(_reason: number, _pc: number): void {}

  /** Nothing to add at the end. */
  finish(): void {}
}

registerModel("cpu", "native", (ctx) => new NativeCpu(ctx), {
  summary: "Bare hardware: platform CPI, native sensitive-instruction and exception costs.",
  options: ERA_OPTIONS,
  costs: [
    ...CODE_COST_KEYS,
    "native.sensitive[.<class>]",
    "native.exception[.<vector>]",
    "native.interrupt",
  ],
});
