/**
 * Reading the memory models' configuration (`--option memory.*`) and costs (`mem.*`
 * platform keys). Every key is listed in docs/memory.md and src/models/mmu/COSTS.md.
 *
 * @module
 */

import type { ModelContext } from "../../engine/model.ts";
import { declareOptions, optionError, readOptions } from "../../engine/options.ts";
import { Pcg32 } from "../../util/pcg32.ts";
import type { MmuHost } from "../mmu/host.ts";
import { WorkingSetSampler } from "./working_set.ts";
import { Transition } from "../../engine/model.ts";
import { PAGE_SIZE } from "../../trace/page.ts";

/** Base pages per MB. */
export const PAGES_PER_MB = 2 ** 20 / PAGE_SIZE;

/**
 * Largest VM a memory model simulates, in MB (16 GB): its per-page tables then stay near
 * 100 MB, and every traced guest of the papers reproduced here is far smaller.
 */
export const MAX_VM_MB = 16384;

/** Options every memory model (except `none`) reads. */
export const COMMON_OPTIONS = declareOptions({
  "memory.vm-mb": {
    type: "number",
    default: 256,
    min: 1 / PAGES_PER_MB,
    max: MAX_VM_MB,
    unit: "MB",
    doc: "memory the VM is configured with (256: the VMs of Waldspurger's Figures 2 and 7)",
  },
  "memory.sample": {
    type: "boolean",
    default: true,
    doc: "run ESX's sampled working-set estimator",
  },
  "memory.sample-pages": {
    type: "integer",
    default: 100,
    min: 1,
    max: MAX_VM_MB * PAGES_PER_MB,
    unit: "pages",
    doc: "pages sampled per period (Waldspurger 2002), at most the VM's pages",
  },
  "memory.sample-period": {
    type: "number",
    min: 1,
    max: 1e15,
    unit: "instructions",
    defaultDoc: "30 s at the platform clock, one instruction per cycle",
    doc: "sampling period in guest instructions",
  },
  "memory.ws-slow-gain": {
    type: "number",
    default: 0.25,
    min: 1e-9,
    max: 1,
    doc: "gain of the slow moving average (an assumption)",
  },
  "memory.ws-fast-gain": {
    type: "number",
    default: 0.5,
    min: 1e-9,
    max: 1,
    doc: "gain of the fast moving average (an assumption)",
  },
});

/** The VM size in pages. */
export function vmPages(ctx: ModelContext): number {
  return Math.round(readOptions(ctx.options, COMMON_OPTIONS)["memory.vm-mb"] * PAGES_PER_MB);
}

/** A size in MB converted to pages, or `fallbackPages` when it is not given. */
export function mbToPages(mb: number | undefined, fallbackPages: number): number {
  return mb === undefined ? fallbackPages : Math.round(mb * PAGES_PER_MB);
}

/**
 * The working-set sampler a memory model runs (or null when `memory.sample=false`): it
 * intercepts the first touch of each sampled page per period (a hidden fault costing the
 * VMM `mem.sample.fault` on top of the transition) and ends a period every
 * `memory.sample-period` guest instructions.
 */
export class SamplingDriver {
  /** The estimator. */
  readonly sampler: WorkingSetSampler;
  readonly #host: MmuHost;
  readonly #instructions: () => number;
  readonly #period: number;
  readonly #faultCost: number;
  readonly #cat: number;
  readonly #evIntercepts: number;
  readonly #evPeriods: number;
  readonly #evActive: number;
  #nextEnd: number;

  /** Creates a driver around a sampler. */
  constructor(
    host: MmuHost,
    sampler: WorkingSetSampler,
    period: number,
    instructions: () => number,
  ) {
    this.sampler = sampler;
    this.#host = host;
    this.#instructions = instructions;
    this.#period = period;
    this.#nextEnd = period;
    this.#faultCost = host.cost("mem.sample.fault");
    this.#cat = host.category("mem.sampling");
    this.#evIntercepts = host.counter("mem.ws-intercepts");
    this.#evPeriods = host.counter("mem.ws-periods");
    this.#evActive = host.counter("mem.ws-active-pct");
  }

  /**
   * Notes an access to an in-range page; returns true when a period ended just before it
   * (the caller may re-plan its allocation).
   */
  touch(page: number): boolean {
    let ended = false;
    if (this.#instructions() >= this.#nextEnd) {
      this.sampler.endPeriod();
      this.#nextEnd = this.#instructions() + this.#period;
      ended = true;
    }
    if (this.sampler.touch(page)) {
      const host = this.#host;
      host.events[this.#evIntercepts]++;
      host.transition(Transition.HiddenFault, host.guest.pc);
      host.cycles[this.#cat] += this.#faultCost;
    }
    return ended;
  }

  /** Writes the period count and final estimate (percent) as events. */
  finish(): void {
    const host = this.#host;
    host.events[this.#evPeriods] = this.sampler.periods;
    host.events[this.#evActive] = Math.round(this.sampler.estimate * 1000) / 10;
  }
}

/** Builds the sampling driver from options, or null when sampling is off. */
export function samplingDriver(
  ctx: ModelContext,
  host: MmuHost,
  pages: number,
): SamplingDriver | null {
  const o = readOptions(ctx.options, COMMON_OPTIONS);
  if (!o["memory.sample"]) return null;
  const n = o["memory.sample-pages"];
  if (n > pages) throw optionError("memory.sample-pages", `cannot sample ${n} of ${pages} pages`);
  const period = o["memory.sample-period"] ?? 30 * ctx.platform.clockHz;
  const sampler = new WorkingSetSampler(pages, n, childRng(ctx, 1), {
    slow: o["memory.ws-slow-gain"],
    fast: o["memory.ws-fast-gain"],
  });
  return new SamplingDriver(host, sampler, period, () => ctx.guest.instructions);
}

/**
 * An independent generator for one use within a model, derived from the context's seeded
 * generator, so that adding sampling does not change the blind swap picks.
 */
export function childRng(ctx: ModelContext, stream: number): Pcg32 {
  return new Pcg32(ctx.rng.nextU32(), 1000 + stream);
}
