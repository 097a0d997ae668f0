/**
 * Per-block execution costs precomputed from the code table, so that executing a block
 * costs the CPU models one array read in the common case (a whole block) and a short
 * scan only when an exception cut the block short.
 *
 * @module
 */

import type { ModelContext, Platform } from "../../engine/model.ts";
import type { CodeTable } from "../../trace/code_table.ts";
import { ControlFlow } from "../../trace/record.ts";

/**
 * Platform keys every CPU model reads through {@link CodeCosts} and its string
 * instructions (declared in each CPU model's registration).
 */
export const CODE_COST_KEYS: readonly string[] = [
  "native.cpi",
  "native.flow.<kind>",
  "native.rep-iteration",
];

/** Names of control-flow kinds in cost keys (`native.flow.ret`), indexed by `ControlFlow`. */
export const FLOW_NAMES: readonly string[] = [
  "none",
  "jump",
  "cond-jump",
  "call",
  "ret",
  "indirect-jump",
  "indirect-call",
  "far",
];

/** Whether a control-flow kind's target is computed at run time (binary translation pays for it). */
export function isIndirectFlow(flow: number): boolean {
  return flow === ControlFlow.Ret || flow === ControlFlow.IndirectJump ||
    flow === ControlFlow.IndirectCall;
}

/** {@link CodeCosts.of}'s computed costs, by code table, then platform. */
const SHARED = new WeakMap<CodeTable, WeakMap<Platform, CodeCosts>>();

/**
 * Cycles of the ordinary (non-sensitive) instructions of every block at the platform's
 * `native.cpi` plus `native.flow.<kind>` per control transfer, and the number of indirect
 * transfers per block. Sensitive instructions are excluded: their records are charged.
 */
export class CodeCosts {
  /** Cycles of each whole block's ordinary instructions. */
  readonly blockPlain: Float64Array;
  /** Ordinary instructions per block. */
  readonly blockPlainCount: Uint32Array;
  /** Indirect control transfers per block. */
  readonly blockIndirect: Uint32Array;
  readonly #instrCost: Float64Array;
  readonly #codeTable: CodeTable;

  /**
   * The costs for `ctx`'s code table on its platform, computed once per pair: they are
   * read-only, so every model set over the same trace and platform (both sets of a replay,
   * and every VM of a host simulation, which builds two per VM) shares one.
   */
  static of(ctx: ModelContext): CodeCosts {
    let byPlatform = SHARED.get(ctx.code);
    if (byPlatform === undefined) {
      byPlatform = new WeakMap();
      SHARED.set(ctx.code, byPlatform);
    }
    let costs = byPlatform.get(ctx.platform);
    if (costs === undefined) {
      costs = new CodeCosts(ctx);
      byPlatform.set(ctx.platform, costs);
    }
    return costs;
  }

  /** Precomputes from `ctx.code` and the platform's `native.cpi` / `native.flow.*`. */
  constructor(ctx: ModelContext) {
    const code = ctx.code;
    this.#codeTable = code;
    const p = ctx.platform;
    const cpi = p.cost("native.cpi");
    const flow = new Float64Array(FLOW_NAMES.length);
    for (let k = 1; k < FLOW_NAMES.length; k++) {
      const key = `native.flow.${FLOW_NAMES[k]}`;
      flow[k] = p.has(key) ? p.cost(key) : 0;
    }
    const n = code.instructionCount;
    this.#instrCost = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (code.instrSensitive[i] !== 0) continue;
      this.#instrCost[i] = cpi + (flow[code.instrFlow[i]] ?? 0);
    }
    this.blockPlain = new Float64Array(code.blockCount);
    this.blockPlainCount = new Uint32Array(code.blockCount);
    this.blockIndirect = new Uint32Array(code.blockCount);
    for (let b = 0; b < code.blockCount; b++) {
      const first = code.blockFirst[b];
      const end = first + code.blockLength[b];
      let c = 0, plain = 0, ind = 0;
      for (let i = first; i < end; i++) {
        c += this.#instrCost[i];
        if (code.instrSensitive[i] === 0) plain++;
        if (isIndirectFlow(code.instrFlow[i])) ind++;
      }
      this.blockPlain[b] = c;
      this.blockPlainCount[b] = plain;
      this.blockIndirect[b] = ind;
    }
  }

  /** Cycles of the ordinary instructions among the first `count` of `block`. */
  plain(block: number, count: number): number {
    const code = this.#codeTable;
    if (count >= code.blockLength[block]) return this.blockPlain[block];
    let c = 0;
    const first = code.blockFirst[block];
    for (let i = first; i < first + count; i++) c += this.#instrCost[i];
    return c;
  }

  /** Indirect transfers among the first `count` instructions of `block`. */
  indirect(block: number, count: number): number {
    const code = this.#codeTable;
    if (count >= code.blockLength[block]) return this.blockIndirect[block];
    let n = 0;
    const first = code.blockFirst[block];
    for (let i = first; i < first + count; i++) if (isIndirectFlow(code.instrFlow[i])) n++;
    return n;
  }
}
