import assert from "node:assert/strict";
import { hashImage } from "./page_hash.ts";

Deno.test("page hash: identical pages hash equal, any changed byte changes the hash", () => {
  const image = new Uint8Array(4 * 4096);
  for (let i = 0; i < 4096; i++) image[i] = i & 0xff; // page 0: pattern
  image.copyWithin(4096, 0, 4096); // page 1: same pattern
  // page 2: zero; page 3: zero with one byte set
  image[3 * 4096 + 4095] = 1;
  const h = hashImage(image);
  assert.equal(h.length, 8);
  assert.deepEqual([h[0], h[1]], [h[2], h[3]]);
  assert.notDeepEqual([h[4], h[5]], [h[6], h[7]]);
  assert.notDeepEqual([h[0], h[1]], [h[4], h[5]]);
  // Deterministic: hashing again gives the same values.
  assert.deepEqual(hashImage(image), h);
});

Deno.test("page hash: a partial trailing page is ignored and unaligned input works", () => {
  const buf = new Uint8Array(2 * 4096 + 1 + 100);
  const view = buf.subarray(1, 1 + 4096 + 100);
  view.fill(7, 0, 4096);
  const h = hashImage(view);
  assert.equal(h.length, 2);
  const aligned = new Uint8Array(4096).fill(7);
  assert.deepEqual(hashImage(aligned), h);
});
