/**
 * One level of a processor cache: set-associative, LRU, indexed by the low bits of the line
 * number as the hardware indexes by address bits. Unlike the MMU's general
 * {@link AssocCache}, a probe and the fill of a miss are one pass over the set, because a
 * data cache is probed on every guest reference and always allocates on a miss.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** Tag of an empty way; callers' tags are small non-negative integers. */
const EMPTY = -0x80000000;

/** A set-associative LRU cache of (line, tag) pairs; storage is typed arrays sized once. */
export class LineCache {
  /** Number of sets (a power of two). */
  readonly sets: number;
  /** Ways per set. */
  readonly ways: number;
  readonly #mask: number;
  readonly #keys: Float64Array;
  readonly #tags: Int32Array;
  readonly #stamps: Float64Array;
  /** The most recently used way of each set: most hits are there, so it is checked first. */
  readonly #mru: Int32Array;
  readonly #ways: number;
  #clock = 0;

  /**
   * `lines` lines in sets of `ways` (`ways` ≥ `lines`: fully associative). The number of sets
   * must be a power of two, as address-bit indexing requires; otherwise a {@link ConfigError}
   * naming `where`.
   */
  constructor(lines: number, ways: number, where = "cache") {
    if (!Number.isInteger(lines) || lines < 1) {
      throw new ConfigError(where, `lines must be a positive integer, got ${lines}`);
    }
    const w = ways <= 0 || ways >= lines ? lines : ways;
    if (!Number.isInteger(w) || lines % w !== 0) {
      throw new ConfigError(where, `lines (${lines}) must be a multiple of ways (${ways})`);
    }
    const sets = lines / w;
    if ((sets & (sets - 1)) !== 0) {
      throw new ConfigError(where, `lines / ways must be a power of two, got ${sets} sets`);
    }
    this.sets = sets;
    this.ways = w;
    this.#mask = sets - 1;
    this.#keys = new Float64Array(lines);
    this.#tags = new Int32Array(lines).fill(EMPTY);
    this.#stamps = new Float64Array(lines);
    this.#mru = new Int32Array(sets);
    this.#ways = w;
    for (let i = 0; i < sets; i++) this.#mru[i] = i * w;
  }

  /**
   * Probes (line, tag): a hit becomes most recently used and returns true; a miss fills the
   * set's empty or least recently used way and returns false.
   */
  access(line: number, tag: number): boolean {
    // `| 0` keeps the low 32 bits of any line number (kernel lines are negative, and larger
    // than 2^31): the set is the line's low bits, as on the hardware.
    const set = (line | 0) & this.#mask;
    const keys = this.#keys, tags = this.#tags, stamps = this.#stamps;
    const m = this.#mru[set];
    if (keys[m] === line && tags[m] === tag) {
      stamps[m] = ++this.#clock;
      return true;
    }
    const base = set * this.#ways;
    const end = base + this.#ways;
    let victim = base;
    let oldest = Infinity;
    for (let i = base; i < end; i++) {
      if (keys[i] === line && tags[i] === tag) {
        stamps[i] = ++this.#clock;
        this.#mru[set] = i;
        return true;
      }
      // Empty ways have stamp 0, so the lowest empty way is taken first.
      const s = stamps[i];
      if (s < oldest) {
        oldest = s;
        victim = i;
      }
    }
    keys[victim] = line;
    tags[victim] = tag;
    stamps[victim] = ++this.#clock;
    this.#mru[set] = victim;
    return false;
  }

  /** Number of valid lines (tests and statistics; O(lines)). */
  get size(): number {
    let n = 0;
    for (const t of this.#tags) if (t !== EMPTY) n++;
    return n;
  }
}
