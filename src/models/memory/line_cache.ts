/**
 * One level of a processor cache: set-associative, LRU, indexed by the low bits of the line
 * number as the hardware indexes by address bits. Unlike the MMU's general
 * {@link AssocCache}, a probe and the fill of a miss are one pass over the set, because a
 * data cache is probed on every guest reference and always allocates on a miss.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/**
 * Tag of an empty way. Ways store the caller's tag plus one (callers' tags are small
 * non-negative integers), so the zeroed arrays a new cache starts with are all empty and
 * no fill is needed: a host simulation builds two hierarchies for every VM.
 */
const EMPTY = 0;

/**
 * A set-associative LRU cache of (line, tag) pairs; storage is typed arrays sized once.
 *
 * Each set keeps its ways in recency order, most recently used first (move to front): a hit
 * on the most recent line, the common case, reads two slots and writes nothing; any other
 * hit or a miss shifts the younger ways down by one and puts the line in front, a miss
 * dropping the last way, which is the least recently used line or an empty way (empty ways
 * are never touched, so they stay behind every filled one). The lines a set holds are exactly
 * those of LRU replacement with per-way timestamps; only their positions differ.
 */
export class LineCache {
  /** Number of sets (a power of two). */
  readonly sets: number;
  /** Ways per set. */
  readonly ways: number;
  readonly #mask: number;
  readonly #keys: Float64Array;
  readonly #tags: Int32Array;
  readonly #ways: number;

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
    this.#tags = new Int32Array(lines);
    this.#ways = w;
  }

  /**
   * Probes (line, tag): a hit becomes most recently used and returns true; a miss fills the
   * set's empty or least recently used way and returns false.
   */
  access(line: number, tag: number): boolean {
    // `| 0` keeps the low 32 bits of any line number (kernel lines are negative, and larger
    // than 2^31): the set is the line's low bits, as on the hardware.
    const first = ((line | 0) & this.#mask) * this.#ways;
    const keys = this.#keys;
    if (keys[first] === line) {
      const tags = this.#tags;
      if (tags[first] === tag + 1) return true;
      return this.#probe(first, line, tag + 1, keys, tags);
    }
    return this.#probe(first, line, tag + 1, keys, this.#tags);
  }

  /** {@link access} past the most recently used way (`tag` already plus one). */
  #probe(first: number, line: number, tag: number, keys: Float64Array, tags: Int32Array): boolean {
    const last = first + this.#ways - 1;
    let i = first + 1;
    while (i <= last && (keys[i] !== line || tags[i] !== tag)) i++;
    const hit = i <= last;
    // A miss takes the last way: the least recently used line, or an empty way.
    if (!hit) i = last;
    for (; i > first; i--) {
      keys[i] = keys[i - 1];
      tags[i] = tags[i - 1];
    }
    keys[first] = line;
    tags[first] = tag;
    return hit;
  }

  /** Number of valid lines (tests and statistics; O(lines)). */
  get size(): number {
    let n = 0;
    for (const t of this.#tags) if (t !== EMPTY) n++;
    return n;
  }
}
