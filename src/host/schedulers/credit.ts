/**
 * Xen's credit scheduler (the default since Xen 3.0.4), as in `xen/common/sched_credit.c`
 * and described by Cherkasova, Gupta and Vahdat ("Comparison of the three CPU schedulers
 * in Xen", SIGMETRICS PER 35(2), 2007):
 *
 * - Every accounting period (30 ms) the host's credit, 300 per pCPU (10 credits per ms),
 *   is divided among the active VMs in proportion to their weights (`credit_fair`,
 *   rounded up); a VM gets at most one pCPU's worth (300), and a capped VM at most
 *   `cap × 300 / 100`; what a bound withholds goes to the others by weight.
 * - A running VM burns 10 credits per ms it runs (`burn_credits`, charged by time).
 * - At accounting a VM's credit is clipped below at −300; a negative credit makes it
 *   OVER, otherwise UNDER; a capped VM whose credit is below minus its cap credit is
 *   parked (not runnable) until an accounting period leaves it positive; a VM holding
 *   more than 300 credits stops earning (it leaves the active set) and keeps half.
 * - The runqueue is ordered BOOST, UNDER, OVER, first come first served within a class;
 *   a VM that wakes while UNDER is BOOSTed until it is next charged; a VM that ran goes to
 *   the back of its class. A VM that wakes into a strictly better class than the one
 *   running preempts it (`__runq_tickle`), so an I/O-bound VM that wakes BOOSTed runs at
 *   once instead of after the running slice. The time slice is 30 ms (`sched_credit_tslice_ms`; the
 *   `scheduler.sliceMs` field sets it).
 *
 * Simplification: one runqueue for all pCPUs (Xen keeps one per pCPU and steals work),
 * and accounting periods take effect at the next decision after they end (a preemption
 * is decided with the classes at the start of the running slice).
 *
 * @module
 */

import {
  registerScheduler,
  type Scheduler,
  type SchedulerContext,
  type SchedulerInfo,
} from "../scheduler.ts";

/** Xen's constants (sched_credit.c). */
export const CREDIT = {
  /** Credits burnt per ms of CPU. */
  perMs: 10,
  /** Accounting period, ms. */
  accountingMs: 30,
  /** Default time slice, ms. */
  sliceMs: 30,
} as const;

const BOOST = 0, UNDER = 1, OVER = 2;

/** Xen's credit scheduler (single vCPU per VM, one global runqueue). */
export class Credit implements Scheduler {
  readonly #n: number;
  readonly #pcpus: number;
  readonly #slice: number;
  readonly #cyclesPerMs: number;
  readonly #period: number;
  readonly #weight: number[];
  readonly #capCredits: number[];
  /** Credits, fractional (burnt by exact run time). */
  readonly #credit: Float64Array;
  readonly #prio: Uint8Array;
  readonly #parked: Uint8Array;
  readonly #active: Uint8Array;
  readonly #stamp: Float64Array;
  #clock = 0;
  #nextAccounting = 0;
  /** Accounting periods done. */
  periods = 0;

  /** A credit scheduler for `ctx`. */
  constructor(ctx: SchedulerContext) {
    this.#n = ctx.vms.length;
    this.#pcpus = ctx.pcpus;
    this.#cyclesPerMs = ctx.clockHz / 1000;
    this.#slice = ctx.sliceCycles > 0 ? ctx.sliceCycles : CREDIT.sliceMs * this.#cyclesPerMs;
    this.#period = CREDIT.accountingMs * this.#cyclesPerMs;
    this.#weight = ctx.vms.map((v) => v.weight);
    this.#capCredits = ctx.vms.map((v) =>
      v.cap > 0 ? Math.ceil(v.cap * CREDIT.perMs * CREDIT.accountingMs / 100) : 0
    );
    this.#credit = new Float64Array(this.#n);
    this.#prio = new Uint8Array(this.#n).fill(UNDER);
    this.#parked = new Uint8Array(this.#n);
    this.#active = new Uint8Array(this.#n).fill(1);
    this.#stamp = new Float64Array(this.#n);
    for (let i = 0; i < this.#n; i++) this.#stamp[i] = this.#clock++;
  }

  /** Credit of `vm` (tests). */
  credit(vm: number): number {
    return this.#credit[vm];
  }

  /** The per-period credit each active VM receives (water-filling under the bounds). */
  #fairShares(): number[] {
    const perPeriod = CREDIT.perMs * CREDIT.accountingMs;
    const total = perPeriod * this.#pcpus;
    const out = new Array<number>(this.#n).fill(0);
    const fixed = new Uint8Array(this.#n);
    for (let round = 0; round <= this.#n; round++) {
      let left = total, weights = 0;
      for (let i = 0; i < this.#n; i++) {
        if (!this.#active[i]) continue;
        if (fixed[i]) left -= out[i];
        else weights += this.#weight[i];
      }
      let changed = false;
      for (let i = 0; i < this.#n; i++) {
        if (!this.#active[i] || fixed[i]) continue;
        const fair = weights > 0 ? Math.ceil(Math.max(0, left) * this.#weight[i] / weights) : 0;
        const peak = this.#capCredits[i] > 0 ? Math.min(perPeriod, this.#capCredits[i]) : perPeriod;
        if (fair > peak) {
          out[i] = peak;
          fixed[i] = 1;
          changed = true;
        } else out[i] = fair;
      }
      if (!changed) break;
    }
    return out;
  }

  /** `csched_acct`: hands out the period's credit and sets priorities. */
  #account(): void {
    const perPeriod = CREDIT.perMs * CREDIT.accountingMs;
    const fair = this.#fairShares();
    for (let i = 0; i < this.#n; i++) {
      if (!this.#active[i]) continue;
      let c = this.#credit[i] + fair[i];
      if (c < -perPeriod) c = -perPeriod;
      if (c < 0) {
        this.#prio[i] = OVER;
        if (this.#capCredits[i] > 0 && c < -this.#capCredits[i]) this.#parked[i] = 1;
      } else {
        this.#prio[i] = UNDER;
        this.#parked[i] = 0;
        if (c > perPeriod) {
          this.#active[i] = 0;
          c /= 2;
        }
      }
      this.#credit[i] = c;
    }
    this.periods++;
  }

  #catchUp(now: number): void {
    while (this.#nextAccounting <= now) {
      this.#account();
      this.#nextAccounting += this.#period;
    }
  }

  /** Joins the back of its class; BOOST if it wakes UNDER. */
  wake(vm: number, now: number): void {
    this.#catchUp(now);
    if (this.#prio[vm] === UNDER) this.#prio[vm] = BOOST;
    this.#stamp[vm] = this.#clock++;
  }

  /** Nothing: a blocked VM is not runnable. */
  block(): void {}

  /** The first VM of the best class (BOOST, UNDER, OVER), parked ones excluded. */
  pick(_pcpu: number, now: number, runnable: Uint8Array): number {
    this.#catchUp(now);
    let best = -1;
    for (let i = 0; i < this.#n; i++) {
      if (runnable[i] !== 1 || this.#parked[i] === 1) continue;
      if (
        best < 0 || this.#prio[i] < this.#prio[best] ||
        (this.#prio[i] === this.#prio[best] && this.#stamp[i] < this.#stamp[best])
      ) best = i;
    }
    return best;
  }

  /**
   * `__runq_tickle`: a waking VM preempts the running one when its class after waking
   * (UNDER becomes BOOST) is strictly better; a parked VM preempts nothing.
   */
  preempts(woken: number, running: number): boolean {
    if (this.#parked[woken] === 1) return false;
    const p = this.#prio[woken] === UNDER ? BOOST : this.#prio[woken];
    return p < this.#prio[running];
  }

  /** One time slice. */
  slice(): number {
    return this.#slice;
  }

  /** Burns credit by run time; the VM rejoins the active set and the back of its class. */
  charge(vm: number, cycles: number): void {
    this.#credit[vm] -= cycles / this.#cyclesPerMs * CREDIT.perMs;
    this.#active[vm] = 1;
    if (this.#prio[vm] === BOOST) this.#prio[vm] = UNDER;
    this.#stamp[vm] = this.#clock++;
  }

  /** The next accounting period, when a parked VM may be unparked. */
  nextEvent(now: number): number {
    for (let i = 0; i < this.#n; i++) {
      if (this.#parked[i] === 1) return Math.max(this.#nextAccounting, now);
    }
    return Infinity;
  }

  /** Weight over total weight, bounded by one pCPU and the cap. */
  entitlement(vm: number): number {
    const saved = this.#active.slice();
    this.#active.fill(1);
    const fair = this.#fairShares();
    this.#active.set(saved);
    return fair[vm] / (CREDIT.perMs * CREDIT.accountingMs * this.#pcpus);
  }

  /** Documentation. */
  describe(): SchedulerInfo {
    return {
      summary: "Xen credit: weights, caps, 30 ms accounting, BOOST/UNDER/OVER",
      source:
        "Xen xen/common/sched_credit.c; Cherkasova, Gupta and Vahdat, SIGMETRICS PER 35(2), 2007",
    };
  }
}

registerScheduler("credit", (ctx) => new Credit(ctx));
