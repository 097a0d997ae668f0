/**
 * Round robin: runnable VMs take turns in the order they became ready, each for one
 * fixed time slice (a VM that halts or waits early gives up the rest of it). No shares,
 * no limits; every VM competing is entitled to an equal part of the host. The classic
 * time-sharing baseline (Corbató et al., "An experimental time-sharing system", 1962);
 * the slice defaults to 10 ms, an assumption (`scheduler.sliceMs` sets it).
 *
 * @module
 */

import {
  registerScheduler,
  type Scheduler,
  type SchedulerContext,
  type SchedulerInfo,
} from "../scheduler.ts";

/** Default slice, ms (assumed). */
export const ROUND_ROBIN_SLICE_MS = 10;

/** First-come, first-served turns of one slice each. */
export class RoundRobin implements Scheduler {
  readonly #slice: number;
  readonly #n: number;
  /** Ready order: the VM with the smallest stamp runs next (ties: lowest index). */
  readonly #stamp: Float64Array;
  #clock = 0;

  /** A round-robin scheduler for `ctx`. */
  constructor(ctx: SchedulerContext) {
    this.#n = ctx.vms.length;
    this.#slice = ctx.sliceCycles > 0 ? ctx.sliceCycles : ROUND_ROBIN_SLICE_MS * ctx.clockHz / 1000;
    this.#stamp = new Float64Array(this.#n);
    for (let i = 0; i < this.#n; i++) this.#stamp[i] = this.#clock++;
  }

  /** Joins the back of the queue. */
  wake(vm: number): void {
    this.#stamp[vm] = this.#clock++;
  }

  /** Nothing to do: a blocked VM is not runnable. */
  block(): void {}

  /** The runnable VM that has waited longest. */
  pick(_pcpu: number, _now: number, runnable: Uint8Array): number {
    let best = -1;
    for (let i = 0; i < this.#n; i++) {
      if (runnable[i] === 1 && (best < 0 || this.#stamp[i] < this.#stamp[best])) best = i;
    }
    return best;
  }

  /** One slice. */
  slice(): number {
    return this.#slice;
  }

  /** Back of the queue. */
  charge(vm: number): void {
    this.#stamp[vm] = this.#clock++;
  }

  /** Never holds a VM back. */
  nextEvent(): number {
    return Infinity;
  }

  /** An equal part. */
  entitlement(): number {
    return 1 / this.#n;
  }

  /** Documentation. */
  describe(): SchedulerInfo {
    return {
      summary: "round robin: ready VMs take turns of one fixed slice (default 10 ms, assumed)",
      source: "Corbató, Merwin-Daggett and Daley, AFIPS 1962 (time sharing by rotation)",
    };
  }
}

registerScheduler("round-robin", (ctx) => new RoundRobin(ctx));
