import assert from "node:assert/strict";
import { AssocCache } from "./assoc_cache.ts";
import { ConfigError } from "../../util/errors.ts";

Deno.test("LRU evicts the least recently used way of the set", () => {
  const c = new AssocCache(1, 2);
  c.insert(10, 1);
  c.insert(20, 1);
  assert.equal(c.lookup(10, 1), true); // 10 becomes most recent
  assert.equal(c.insert(30, 1), true); // evicts 20
  assert.equal(c.evictedKey, 20);
  assert.equal(c.has(20, 1), false);
  assert.equal(c.has(10, 1), true);
  assert.equal(c.has(30, 1), true);
  c.insert(40, 1); // now 10 is the oldest
  assert.equal(c.evictedKey, 10);
});

Deno.test("tags separate equal keys and invalidateTag drops one tag only", () => {
  const c = AssocCache.of(8, 0);
  c.insert(5, 1);
  c.insert(5, 2);
  assert.equal(c.lookup(5, 1), true);
  assert.equal(c.lookup(5, 3), false);
  assert.equal(c.invalidateTag(1), 1);
  assert.equal(c.has(5, 1), false);
  assert.equal(c.has(5, 2), true);
  assert.equal(c.invalidateKey(5), 1);
  assert.equal(c.size, 0);
});

Deno.test("negative keys map to sets like positive ones", () => {
  const c = new AssocCache(4, 1); // direct mapped
  c.insert(-1, 0); // set 3
  c.insert(3, 0); // set 3 too: evicts -1
  assert.equal(c.evictedKey, -1);
  c.insert(-4, 0); // set 0
  assert.equal(c.has(3, 0), true);
  assert.equal(c.has(-4, 0), true);
});

Deno.test("re-inserting a present pair refreshes it without eviction", () => {
  const c = new AssocCache(1, 2);
  c.insert(1, 0);
  c.insert(2, 0);
  assert.equal(c.insert(1, 0), false);
  c.insert(3, 0);
  assert.equal(c.evictedKey, 2);
});

Deno.test("retain keeps only matching entries", () => {
  const c = AssocCache.of(4, 0);
  c.insert(-7, 0);
  c.insert(7, 1);
  assert.equal(c.retain((k, t) => t === 0 && k < 0), 1);
  assert.equal(c.has(-7, 0), true);
  assert.equal(c.has(7, 1), false);
});

Deno.test("bad shapes are configuration errors", () => {
  assert.throws(() => AssocCache.of(0, 0, "mmu: l1"), ConfigError);
  assert.throws(() => AssocCache.of(12, 5, "mmu: l1"), /multiple of ways/);
  assert.throws(() => new AssocCache(1.5, 1), ConfigError);
});
