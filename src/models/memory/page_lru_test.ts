import assert from "node:assert/strict";
import { PageLru } from "./page_lru.ts";

Deno.test("LRU order follows touches and evicts the least recent page", () => {
  const l = new PageLru(3);
  assert.equal(l.insert(1, false), false);
  l.insert(2, true);
  l.insert(3, false);
  assert.deepEqual(l.order(), [3, 2, 1]);
  assert.equal(l.touch(1, false), true);
  assert.deepEqual(l.order(), [1, 3, 2]);
  assert.equal(l.insert(4, false), true);
  assert.equal(l.evictedPage, 2);
  assert.equal(l.evictedDirty, true);
  assert.equal(l.has(2), false);
  assert.equal(l.insert(5, false), true);
  assert.equal(l.evictedPage, 3);
  assert.equal(l.evictedDirty, false);
  assert.deepEqual(l.order(), [5, 4, 1]);
});

Deno.test("a write touch makes a clean page dirty", () => {
  const l = new PageLru(1);
  l.insert(7, false);
  l.touch(7, true);
  l.insert(8, false);
  assert.equal(l.evictedDirty, true);
  assert.equal(l.touch(7, false), false);
});

Deno.test("capacity 0 holds nothing", () => {
  const l = new PageLru(0);
  assert.equal(l.insert(9, true), true);
  assert.equal(l.evictedPage, 9);
  assert.equal(l.size, 0);
});

Deno.test("lowering the limit and evicting frees slots that later inserts reuse", () => {
  const l = new PageLru(4);
  for (const p of [1, 2, 3, 4]) l.insert(p, p === 2);
  l.setLimit(2);
  const victims: [number, boolean][] = [];
  while (l.size > l.limit && l.evictLru()) victims.push([l.evictedPage, l.evictedDirty]);
  assert.deepEqual(victims, [[1, false], [2, true]]);
  assert.deepEqual(l.order(), [4, 3]);
  l.setLimit(4);
  assert.equal(l.insert(5, false), false);
  assert.equal(l.insert(6, false), false);
  assert.equal(l.insert(7, false), true);
  assert.equal(l.evictedPage, 3);
  assert.deepEqual(l.order(), [7, 6, 5, 4]);
});
