/**
 * ESX-style proportional share with reservations and limits. Entitlements follow ESX's
 * documented rules (VMware, "Resource Management Guide", ESX Server 3: reservation
 * first, the rest by shares, never above the limit; {@link entitlements}); time is given
 * out by stride scheduling (Waldspurger and Weihl, "Stride Scheduling: Deterministic
 * Proportional-Share Resource Management", MIT/LCS/TM-528, 1995), the deterministic
 * form of lottery scheduling that ESX's proportional-share scheduler descends from
 * (Waldspurger 2002, section 1): each VM's *pass* advances by the cycles it ran divided
 * by its entitlement, and the runnable VM with the smallest pass runs next. A VM that
 * wakes from a halt or an I/O wait rejoins at the smallest pass among the others (the
 * paper's global pass), so sleeping earns no credit. A limit is enforced as a rate: a VM
 * may run at most one quantum's worth ahead of `limit × elapsed` and is held back until
 * time catches up.
 * The quantum defaults to 10 ms (an assumption; `scheduler.sliceMs`).
 *
 * @module
 */

import {
  entitlements,
  registerScheduler,
  type Scheduler,
  type SchedulerContext,
  type SchedulerInfo,
} from "../scheduler.ts";

/** Default quantum, ms (assumed). */
export const PROPORTIONAL_SHARE_SLICE_MS = 10;

/** Stride scheduling over ESX entitlements, with limits as rate caps. */
export class ProportionalShare implements Scheduler {
  readonly #n: number;
  readonly #slice: number;
  readonly #share: number[];
  /** Cycles per cycle of host time a limited VM may receive (0 = unlimited). */
  readonly #limitRate: Float64Array;
  readonly #pass: Float64Array;
  readonly #received: Float64Array;
  readonly #runnable: Uint8Array;

  /** A proportional-share scheduler for `ctx`. */
  constructor(ctx: SchedulerContext) {
    this.#n = ctx.vms.length;
    this.#slice = ctx.sliceCycles > 0
      ? ctx.sliceCycles
      : PROPORTIONAL_SHARE_SLICE_MS * ctx.clockHz / 1000;
    this.#share = entitlements(ctx);
    const mhz = ctx.clockHz / 1e6;
    this.#limitRate = Float64Array.from(
      ctx.vms,
      (v) => (v.limitMHz > 0 && v.limitMHz < mhz ? v.limitMHz / mhz : 0),
    );
    this.#pass = new Float64Array(this.#n);
    this.#received = new Float64Array(this.#n);
    this.#runnable = new Uint8Array(this.#n).fill(1);
  }

  /** Rejoins at the smallest pass among the other runnable VMs (no credit for sleeping). */
  wake(vm: number): void {
    let min = Infinity;
    for (let i = 0; i < this.#n; i++) {
      if (i !== vm && this.#runnable[i] === 1 && this.#pass[i] < min) min = this.#pass[i];
    }
    if (min !== Infinity && this.#pass[vm] < min) this.#pass[vm] = min;
    this.#runnable[vm] = 1;
  }

  /** Leaves the competition. */
  block(vm: number): void {
    this.#runnable[vm] = 0;
  }

  /** Cycles a limited VM may still run at `now` (see {@link slice}). */
  #room(vm: number, now: number): number {
    const r = this.#limitRate[vm];
    // A limited VM may run one quantum's worth ahead of its rate:
    // received + s <= r (now + s + slice)  =>  s <= (r (now + slice) - received) / (1 - r)
    return (r * (now + this.#slice) - this.#received[vm]) / (1 - r);
  }

  /** Held back: less than a tenth of a quantum of room left under the limit. */
  #throttled(vm: number, now: number): boolean {
    return this.#limitRate[vm] > 0 && this.#room(vm, now) < this.#slice / 10;
  }

  /** The runnable, unthrottled VM with the smallest pass (ties: lowest index). */
  pick(_pcpu: number, now: number, runnable: Uint8Array): number {
    let best = -1;
    for (let i = 0; i < this.#n; i++) {
      if (runnable[i] !== 1 || this.#throttled(i, now)) continue;
      if (best < 0 || this.#pass[i] < this.#pass[best]) best = i;
    }
    return best;
  }

  /** A quantum, shortened so a limited VM stops when it reaches its limit. */
  slice(vm: number, now: number): number {
    const r = this.#limitRate[vm];
    if (r === 0) return this.#slice;
    return Math.max(1, Math.min(this.#slice, this.#room(vm, now)));
  }

  /** Advances the pass by cycles over entitlement (the stride). */
  charge(vm: number, cycles: number): void {
    this.#received[vm] += cycles;
    this.#pass[vm] += cycles / Math.max(this.#share[vm], 1e-12);
  }

  /** When the earliest throttled VM may run again. */
  nextEvent(now: number): number {
    let t = Infinity;
    for (let i = 0; i < this.#n; i++) {
      const r = this.#limitRate[i];
      if (r > 0 && this.#runnable[i] === 1 && this.#throttled(i, now)) {
        // room(t) = slice / 10
        t = Math.min(t, ((this.#slice / 10) * (1 - r) + this.#received[i]) / r - this.#slice);
      }
    }
    return t;
  }

  /** The ESX entitlement. */
  entitlement(vm: number): number {
    return this.#share[vm];
  }

  /** Documentation. */
  describe(): SchedulerInfo {
    return {
      summary: "proportional share (ESX): reservation, shares, limit; stride scheduling",
      source:
        "Waldspurger and Weihl, MIT/LCS/TM-528, 1995 (stride scheduling); VMware ESX Server 3 Resource Management Guide (shares, reservation, limit)",
    };
  }
}

registerScheduler("proportional-share", (ctx) => new ProportionalShare(ctx));
