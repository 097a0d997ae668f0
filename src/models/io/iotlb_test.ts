import assert from "node:assert/strict";
import { Iotlb } from "./iotlb.ts";

Deno.test("iotlb: tags include the device", () => {
  const t = new Iotlb(4, 4);
  assert.equal(t.access(0, 5), false);
  assert.equal(t.access(0, 5), true);
  assert.equal(t.access(1, 5), false, "another device's page 5 is another translation");
  assert.equal(t.access(1, 5), true);
});

Deno.test("iotlb: set-associative LRU and flush", () => {
  const t = new Iotlb(4, 2); // 2 sets; even pages in set 0
  assert.equal(t.access(0, 0), false);
  assert.equal(t.access(0, 2), false);
  assert.equal(t.access(0, 0), true);
  assert.equal(t.access(0, 4), false); // evicts page 2 (least recent in set 0)
  assert.equal(t.access(0, 1), false); // set 1 untouched by the above
  assert.equal(t.access(0, 0), true);
  assert.equal(t.access(0, 2), false);
  t.flush();
  assert.equal(t.access(0, 0), false);
  assert.throws(() => new Iotlb(6, 4), RangeError);
});
