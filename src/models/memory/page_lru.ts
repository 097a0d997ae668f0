/**
 * An exact least-recently-used set of page numbers with a fixed capacity and a dirty bit
 * per page: the guest operating system's page replacement when a balloon leaves it less
 * memory than its working set. O(1) per touch (a doubly linked list in typed arrays plus
 * a map from page to slot); no allocation once the map has grown to capacity.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** LRU of pages with dirty bits, holding at most {@link limit} pages (≤ its capacity). */
export class PageLru {
  /** Storage size: the most pages it can ever hold. */
  readonly capacity: number;
  #limit: number;
  readonly #free: Int32Array;
  #freeTop = 0;
  readonly #slotOf = new Map<number, number>();
  readonly #page: Float64Array;
  readonly #prev: Int32Array;
  readonly #next: Int32Array;
  readonly #dirty: Uint8Array;
  #head = -1; // most recently used
  #tail = -1; // least recently used
  #used = 0;
  /** Page evicted by the last {@link insert} (valid when it returned true). */
  evictedPage: number = -1;
  /** Whether the page evicted by the last {@link insert} was dirty. */
  evictedDirty: boolean = false;

  /** Creates an empty LRU; capacity 0 holds nothing (every insert is refused). */
  constructor(capacity: number, where = "page LRU") {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new ConfigError(where, `capacity must be a non-negative integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#limit = capacity;
    this.#free = new Int32Array(capacity);
    this.#page = new Float64Array(capacity);
    this.#prev = new Int32Array(capacity);
    this.#next = new Int32Array(capacity);
    this.#dirty = new Uint8Array(capacity);
  }

  /** Pages it may hold now (a balloon lowers it). */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Changes how many pages it may hold (0 to capacity). Shrinking does not evict: the
   * caller evicts with {@link evictLru} until {@link size} fits, charging each victim.
   */
  setLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 0 || limit > this.capacity) {
      throw new RangeError(`limit ${limit} outside 0..${this.capacity}`);
    }
    this.#limit = limit;
  }

  /**
   * Removes the least recently used page; returns false when empty. The victim is in
   * {@link evictedPage} / {@link evictedDirty}.
   */
  evictLru(): boolean {
    const s = this.#tail;
    if (s < 0) return false;
    this.evictedPage = this.#page[s];
    this.evictedDirty = this.#dirty[s] === 1;
    this.#slotOf.delete(this.evictedPage);
    this.#unlink(s);
    this.#free[this.#freeTop++] = s;
    this.#used--;
    return true;
  }

  /** Pages held. */
  get size(): number {
    return this.#used;
  }

  /** Whether `page` is held (no reordering). */
  has(page: number): boolean {
    return this.#slotOf.has(page);
  }

  /** Least recently used page, or -1 when empty. */
  get lru(): number {
    return this.#tail < 0 ? -1 : this.#page[this.#tail];
  }

  #unlink(s: number): void {
    const p = this.#prev[s], n = this.#next[s];
    if (p >= 0) this.#next[p] = n;
    else this.#head = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail = p;
  }

  #pushFront(s: number): void {
    this.#prev[s] = -1;
    this.#next[s] = this.#head;
    if (this.#head >= 0) this.#prev[this.#head] = s;
    this.#head = s;
    if (this.#tail < 0) this.#tail = s;
  }

  /** Marks `page` most recently used (and dirty on a write); returns false if absent. */
  touch(page: number, write: boolean): boolean {
    const s = this.#slotOf.get(page);
    if (s === undefined) return false;
    if (write) this.#dirty[s] = 1;
    if (s !== this.#head) {
      this.#unlink(s);
      this.#pushFront(s);
    }
    return true;
  }

  /**
   * Inserts an absent `page` as most recently used, evicting the least recently used page
   * when full. Returns whether a page was evicted ({@link evictedPage}, {@link evictedDirty}).
   * With a limit of 0 nothing is stored and the page itself counts as evicted.
   */
  insert(page: number, write: boolean): boolean {
    if (this.#limit === 0) {
      this.evictedPage = page;
      this.evictedDirty = write;
      return true;
    }
    let evicted = false;
    while (this.#used >= this.#limit) {
      // Full (or over a lowered limit): evict until there is room; the last victim is
      // reported (callers lower the limit through evictLru, so this loop runs once).
      this.evictLru();
      evicted = true;
    }
    const s = this.#freeTop > 0 ? this.#free[--this.#freeTop] : this.#used;
    this.#used++;
    this.#page[s] = page;
    this.#dirty[s] = write ? 1 : 0;
    this.#slotOf.set(page, s);
    this.#pushFront(s);
    return evicted;
  }

  /** Pages from most to least recently used (tests; O(size)). */
  order(): number[] {
    const out: number[] = [];
    for (let s = this.#head; s >= 0; s = this.#next[s]) out.push(this.#page[s]);
    return out;
  }
}
