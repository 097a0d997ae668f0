/**
 * A set-associative cache of numeric keys with deterministic LRU replacement: the one
 * structure behind every translation cache the MMU models keep (L1/L2 TLBs, the page-walk
 * cache, the nested TLB, the shadow-root cache).
 *
 * An entry is a pair (key, tag): the key is a page number or a page-table entry id (any
 * integer a double holds exactly, negative for kernel addresses), the tag is a small
 * integer such as an ASID/PCID, a VPID or a root id. Storage is typed arrays sized once;
 * lookups and inserts allocate nothing.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** Tag value that marks a free way. Callers' tags must be different from it. */
export const INVALID_TAG: number = -0x80000000;

/**
 * Set-associative, LRU cache of (key, tag) pairs. `sets × ways` entries; the set is the key
 * modulo `sets` (so kernel keys, which are negative, spread like user keys), replacement is
 * least recently used within the set, with the lowest free way taken first. A fully
 * associative cache is `sets = 1`, a direct-mapped one `ways = 1`.
 */
export class AssocCache {
  /** Number of sets. */
  readonly sets: number;
  /** Ways per set. */
  readonly ways: number;
  /** `sets - 1` when the number of sets is a power of two, else -1 (sets found by division). */
  readonly #setMask: number;
  readonly #keys: Float64Array;
  readonly #tags: Int32Array;
  readonly #stamps: Float64Array;
  #clock = 0;
  /**
   * Slot hints for fully or highly associative caches: hint[key & mask] is the slot where
   * that key was last found or put. A hint is only a guess, checked against the slot's key
   * and tag, so it never changes what hits; it saves the scan of a wide set on a hit.
   */
  readonly #hint: Int32Array | null;
  readonly #hintMask: number;
  /** The way the last successful {@link lookup} or {@link insert} used (for callers' side tables). */
  lastSlot: number = -1;
  /**
   * A missed {@link lookup} scanned the whole set, so it also notes the way an insert of the
   * same pair would take; an {@link insert} right after (nothing changed in between, which
   * every mutation below enforces by clearing `#missValid`) skips its own scan.
   */
  #missValid = false;
  #missKey = 0;
  #missTag = 0;
  #missVictim = 0;

  /**
   * Creates an empty cache. Throws {@link ConfigError} (naming `where`) unless both sizes are
   * positive integers, because a zero-entry TLB is a configuration mistake, not a model.
   */
  constructor(sets: number, ways: number, where = "cache") {
    if (!Number.isInteger(sets) || sets < 1) {
      throw new ConfigError(where, `sets must be a positive integer, got ${sets}`);
    }
    if (!Number.isInteger(ways) || ways < 1) {
      throw new ConfigError(where, `ways must be a positive integer, got ${ways}`);
    }
    this.sets = sets;
    this.ways = ways;
    this.#setMask = (sets & (sets - 1)) === 0 ? sets - 1 : -1;
    this.#keys = new Float64Array(sets * ways);
    this.#tags = new Int32Array(sets * ways).fill(INVALID_TAG);
    this.#stamps = new Float64Array(sets * ways);
    if (ways > 4) {
      let size = 1;
      while (size < 4 * sets * ways) size *= 2;
      this.#hint = new Int32Array(size).fill(-1);
      this.#hintMask = size - 1;
    } else {
      this.#hint = null;
      this.#hintMask = 0;
    }
  }

  /**
   * Builds a cache from an entry count and associativity (`ways = 0` or `ways >= entries`
   * means fully associative), the way hardware manuals describe TLBs.
   */
  static of(entries: number, ways: number, where = "cache"): AssocCache {
    if (!Number.isInteger(entries) || entries < 1) {
      throw new ConfigError(where, `entries must be a positive integer, got ${entries}`);
    }
    const w = ways <= 0 || ways >= entries ? entries : ways;
    if (entries % w !== 0) {
      throw new ConfigError(where, `entries (${entries}) must be a multiple of ways (${w})`);
    }
    return new AssocCache(entries / w, w, where);
  }

  /** Total number of entries. */
  get capacity(): number {
    return this.sets * this.ways;
  }

  #base(key: number): number {
    // With a power-of-two number of sets, an int32 key's set is its low bits (two's
    // complement makes that the floored remainder for negative keys too): no division.
    const mask = this.#setMask;
    if (mask >= 0) {
      if ((key | 0) === key) return (key & mask) * this.ways;
      // A key beyond int32 (kernel pages): the floored remainder by exact double arithmetic
      // (keys are integers and the divisor a power of two), not a floating `%`, which is a
      // library call.
      return ((key - Math.floor(key / this.sets) * this.sets) | 0) * this.ways;
    }
    // `| 0` is exact (|s| < sets) and turns the -0 of a negative multiple of `sets` into 0,
    // which keeps the optimizing compiler on integer arithmetic (no deoptimization loop).
    const s = (key % this.sets) | 0;
    return (s < 0 ? s + this.sets : s) * this.ways;
  }

  /** Whether (key, tag) is present; a hit makes it most recently used. */
  lookup(key: number, tag: number): boolean {
    const keys = this.#keys, tags = this.#tags, stamps = this.#stamps;
    const hint = this.#hint;
    if (hint !== null) {
      const h = hint[key & this.#hintMask];
      if (h >= 0 && keys[h] === key && tags[h] === tag) {
        stamps[h] = ++this.#clock;
        this.lastSlot = h;
        this.#missValid = false;
        return true;
      }
    }
    const base = this.#base(key);
    const end = base + this.ways;
    // The victim choice is insert()'s: the lowest free way, else the least recently used.
    let free = -1;
    let lru = base;
    for (let i = base; i < end; i++) {
      const t = tags[i];
      if (keys[i] === key && t === tag) {
        stamps[i] = ++this.#clock;
        this.lastSlot = i;
        if (hint !== null) hint[key & this.#hintMask] = i;
        this.#missValid = false;
        return true;
      }
      if (t === INVALID_TAG) {
        if (free < 0) free = i;
      } else if (stamps[i] < stamps[lru] || tags[lru] === INVALID_TAG) {
        lru = i;
      }
    }
    this.#missValid = true;
    this.#missKey = key;
    this.#missTag = tag;
    this.#missVictim = free >= 0 ? free : lru;
    return false;
  }

  /** The slot holding (key, tag), or -1, without touching the replacement order. */
  slotOf(key: number, tag: number): number {
    const base = this.#base(key);
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.#keys[i] === key && this.#tags[i] === tag) return i;
    }
    return -1;
  }

  /** Whether (key, tag) is present, without touching the replacement order. */
  has(key: number, tag: number): boolean {
    const base = this.#base(key);
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.#keys[i] === key && this.#tags[i] === tag) return true;
    }
    return false;
  }

  /**
   * Inserts (key, tag) as most recently used (refreshing it if present), evicting the set's
   * least recently used entry if the set is full. Returns whether a valid entry was evicted;
   * the evicted pair is readable through {@link evictedKey}/{@link evictedTag} until the
   * next insert.
   */
  insert(key: number, tag: number): boolean {
    const keys = this.#keys, tags = this.#tags, stamps = this.#stamps;
    let victim: number;
    if (this.#missValid && key === this.#missKey && tag === this.#missTag) {
      victim = this.#missVictim;
    } else {
      const base = this.#base(key);
      const end = base + this.ways;
      let free = -1;
      let lru = base;
      for (let i = base; i < end; i++) {
        const t = tags[i];
        if (t === INVALID_TAG) {
          if (free < 0) free = i;
        } else if (keys[i] === key && t === tag) {
          stamps[i] = ++this.#clock;
          this.lastSlot = i;
          this.evictedTag = INVALID_TAG;
          this.#missValid = false;
          return false;
        } else if (stamps[i] < stamps[lru] || tags[lru] === INVALID_TAG) {
          lru = i;
        }
      }
      victim = free >= 0 ? free : lru;
    }
    this.#missValid = false;
    this.evictedKey = keys[victim];
    this.evictedTag = tags[victim];
    keys[victim] = key;
    tags[victim] = tag;
    stamps[victim] = ++this.#clock;
    this.lastSlot = victim;
    if (this.#hint !== null) this.#hint[key & this.#hintMask] = victim;
    return this.evictedTag !== INVALID_TAG;
  }

  /** The key the last {@link insert} evicted (valid when {@link evictedTag} is not INVALID_TAG). */
  evictedKey: number = 0;
  /** The tag the last {@link insert} evicted, or {@link INVALID_TAG} when nothing was evicted. */
  evictedTag: number = INVALID_TAG;

  /** Removes (key, tag) if present; returns whether it was. */
  invalidate(key: number, tag: number): boolean {
    const base = this.#base(key);
    const end = base + this.ways;
    for (let i = base; i < end; i++) {
      if (this.#keys[i] === key && this.#tags[i] === tag) {
        this.#tags[i] = INVALID_TAG;
        this.#missValid = false;
        return true;
      }
    }
    return false;
  }

  /** Removes every entry for `key` whatever its tag (INVLPG across address spaces). */
  invalidateKey(key: number): number {
    this.#missValid = false;
    const base = this.#base(key);
    const end = base + this.ways;
    let n = 0;
    for (let i = base; i < end; i++) {
      if (this.#keys[i] === key && this.#tags[i] !== INVALID_TAG) {
        this.#tags[i] = INVALID_TAG;
        n++;
      }
    }
    return n;
  }

  /** Removes every entry carrying `tag` (flush of one ASID); returns how many. */
  invalidateTag(tag: number): number {
    this.#missValid = false;
    let n = 0;
    const tags = this.#tags;
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] === tag) {
        tags[i] = INVALID_TAG;
        n++;
      }
    }
    return n;
  }

  /**
   * Removes every entry for which `keep(key, tag)` is false (a CR3 switch that keeps global
   * kernel entries). Returns how many were removed.
   */
  retain(keep: (key: number, tag: number) => boolean): number {
    this.#missValid = false;
    let n = 0;
    const tags = this.#tags, keys = this.#keys;
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] !== INVALID_TAG && !keep(keys[i], tags[i])) {
        tags[i] = INVALID_TAG;
        n++;
      }
    }
    return n;
  }

  /** Empties the cache. */
  clear(): void {
    this.#missValid = false;
    this.#tags.fill(INVALID_TAG);
  }

  /** Number of valid entries (tests and end-of-run statistics; O(capacity)). */
  get size(): number {
    let n = 0;
    for (const t of this.#tags) if (t !== INVALID_TAG) n++;
    return n;
  }
}
