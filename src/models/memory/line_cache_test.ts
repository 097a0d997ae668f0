import assert from "node:assert/strict";
import { ConfigError } from "../../util/errors.ts";
import { LineCache } from "./line_cache.ts";

/** Reference LRU with per-way timestamps (the structure LineCache replaced): the oracle. */
class StampLru {
  readonly #keys: number[][];
  readonly #stamps: number[][];
  #clock = 0;
  constructor(readonly sets: number, readonly ways: number) {
    this.#keys = Array.from({ length: sets }, () => []);
    this.#stamps = Array.from({ length: sets }, () => []);
  }
  access(key: number): boolean {
    const s = (key | 0) & (this.sets - 1);
    const keys = this.#keys[s], stamps = this.#stamps[s];
    const i = keys.indexOf(key);
    if (i >= 0) {
      stamps[i] = ++this.#clock;
      return true;
    }
    if (keys.length < this.ways) {
      keys.push(key);
      stamps.push(++this.#clock);
      return false;
    }
    const victim = stamps.indexOf(Math.min(...stamps));
    keys[victim] = key;
    stamps[victim] = ++this.#clock;
    return false;
  }
}

Deno.test("line cache: hand-computed LRU order in one 4-way set", () => {
  const c = new LineCache(4, 4);
  // Fill: 1 2 3 4 (all misses), then hit 1: recency 1 4 3 2.
  for (const k of [1, 2, 3, 4]) assert.equal(c.access(k, 0), false);
  assert.equal(c.access(1, 0), true);
  // 5 evicts the least recently used, 2; recency 5 1 4 3.
  assert.equal(c.access(5, 0), false);
  assert.equal(c.access(2, 0), false); // 2 was evicted; it evicts 3: recency 2 5 1 4
  assert.equal(c.access(4, 0), true);
  assert.equal(c.access(1, 0), true);
  assert.equal(c.access(3, 0), false); // evicts 5, the oldest now
  assert.equal(c.access(5, 0), false);
  assert.equal(c.size, 4);
});

Deno.test("line cache: a tag is part of the identity; sets are the line's low bits", () => {
  const c = new LineCache(4, 2); // 2 sets of 2 ways
  assert.equal(c.access(6, 0), false);
  assert.equal(c.access(6, 1), false); // same line, other tag: another line
  assert.equal(c.access(6, 0), true);
  assert.equal(c.access(7, 0), false); // odd line: the other set, evicts nothing
  assert.equal(c.access(6, 1), true);
  assert.equal(c.access(8, 0), false); // set 0 again: evicts (6, 0), the older of the two
  assert.equal(c.access(6, 0), false);
  // Kernel lines are negative and beyond 2^31: the low bits still choose the set.
  assert.equal(c.access(-0x2000000001, 0), false);
  assert.equal(c.access(-0x2000000001, 0), true);
});

Deno.test("line cache: hits and misses match timestamp LRU on a seeded random stream", () => {
  for (const [lines, ways] of [[64, 8], [32, 2], [48, 12], [16, 16], [8, 1]]) {
    const c = new LineCache(lines, ways);
    const ref = new StampLru(lines / ways, ways);
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // A skewed stream: mostly a small hot region, some cold lines.
      const key = (x >>> 8) % 8 === 0 ? (x >>> 4) % 4096 : (x >>> 4) % (lines + ways);
      assert.equal(c.access(key, 0), ref.access(key), `${lines}/${ways} reference ${i}`);
    }
  }
});

Deno.test("line cache: shapes that address bits cannot index are refused", () => {
  assert.throws(() => new LineCache(24, 8), ConfigError); // 3 sets
  assert.throws(() => new LineCache(10, 4), ConfigError); // not a multiple
  assert.throws(() => new LineCache(0, 1), ConfigError);
});
