/**
 * Statistical working-set estimation as ESX Server does it (Waldspurger, OSDI 2002,
 * section 5.3): each sampling period, `n` of the VM's pages are chosen uniformly at random
 * (seeded) and their mappings invalidated; the first guest access to a sampled page in the
 * period is intercepted and counted. At the end of the period `f = touched / n` estimates
 * the fraction of memory in active use. A slow and a fast exponentially weighted moving
 * average of `f`, and the fast one updated with the running count of the current period,
 * are kept; the estimate is their maximum, so it rises quickly and decays slowly.
 * Defaults from the paper: 100 pages per 30 s period.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";
import type { Pcg32 } from "../../util/pcg32.ts";

/** Gains of the two moving averages (weight of the newest period). */
export interface SamplerGains {
  /** Slow average gain (smooth, stable). */
  slow: number;
  /** Fast average gain (adapts quickly). */
  fast: number;
}

/** Sampled estimate of the fraction of a VM's memory that is actively used. */
export class WorkingSetSampler {
  /** VM pages sampled from. */
  readonly pages: number;
  /** Pages sampled per period. */
  readonly sampleSize: number;
  readonly #rng: Pcg32;
  readonly #gains: SamplerGains;
  readonly #sampled: Float64Array;
  readonly #touched: Uint8Array;
  /** page → sample slot + 1 (0 = not sampled); sized to the VM, reset per period. */
  readonly #slotOf: Int32Array;
  #count = 0;
  #slow = -1;
  #fast = -1;
  /** Periods completed. */
  periods = 0;
  /** Intercepted first touches of sampled pages, all periods. */
  intercepts = 0;

  /** Creates a sampler and draws the first period's sample. */
  constructor(pages: number, sampleSize: number, rng: Pcg32, gains: SamplerGains) {
    if (!Number.isInteger(pages) || pages < 1) {
      throw new ConfigError("working-set sampler", `VM pages must be positive, got ${pages}`);
    }
    if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > pages) {
      throw new ConfigError(
        "working-set sampler",
        `sample size must be 1 to the VM's ${pages} pages, got ${sampleSize}`,
      );
    }
    for (const g of [gains.slow, gains.fast]) {
      if (!(g > 0 && g <= 1)) {
        throw new ConfigError("working-set sampler", `gains must be in (0, 1], got ${g}`);
      }
    }
    this.pages = pages;
    this.sampleSize = sampleSize;
    this.#rng = rng;
    this.#gains = gains;
    this.#sampled = new Float64Array(sampleSize);
    this.#touched = new Uint8Array(sampleSize);
    this.#slotOf = new Int32Array(pages);
    this.#draw();
  }

  #draw(): void {
    for (let i = 0; i < this.sampleSize; i++) this.#slotOf[this.#sampled[i]] = 0;
    for (let i = 0; i < this.sampleSize; i++) {
      let p: number;
      do p = this.#rng.nextBelow(this.pages); while (this.#slotOf[p] !== 0);
      this.#sampled[i] = p;
      this.#slotOf[p] = i + 1;
      this.#touched[i] = 0;
    }
    this.#count = 0;
  }

  /**
   * A guest access to `page` (< pages). Returns true when it is the first access to a
   * sampled page this period — the access the VMM intercepts.
   */
  touch(page: number): boolean {
    const s = this.#slotOf[page];
    if (s === 0 || this.#touched[s - 1] === 1) return false;
    this.#touched[s - 1] = 1;
    this.#count++;
    this.intercepts++;
    return true;
  }

  /** Sampled pages touched so far this period. */
  get touched(): number {
    return this.#count;
  }

  /** Ends the period: folds `f = touched / n` into the averages and draws a new sample. */
  endPeriod(): number {
    const f = this.#count / this.sampleSize;
    if (this.#slow < 0) {
      this.#slow = f;
      this.#fast = f;
    } else {
      this.#slow += this.#gains.slow * (f - this.#slow);
      this.#fast += this.#gains.fast * (f - this.#fast);
    }
    this.periods++;
    this.#draw();
    return f;
  }

  /**
   * The estimate of the active fraction: max(slow, fast, fast updated with the current
   * period's running count). Before the first period ends it is 1 (assume all active).
   */
  get estimate(): number {
    if (this.#slow < 0) return 1;
    const current = this.#count / this.sampleSize;
    const incremental = this.#fast + this.#gains.fast * (current - this.#fast);
    return Math.max(this.#slow, this.#fast, incremental);
  }

  /** Whether `page` is in the current sample (tests). */
  isSampled(page: number): boolean {
    return this.#slotOf[page] !== 0;
  }
}
