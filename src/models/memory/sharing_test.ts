import assert from "node:assert/strict";
import { contentKey, PageSharing } from "./sharing.ts";

Deno.test("hand-built hashes: 3 VMs, shared, private and zero pages", () => {
  const s = new PageSharing([0, 0]);
  // VM 0: pages A, B, zero, zero; VM 1: A, C, zero; VM 2: A, B.
  s.hash(0, 1, 0xa, 0xa);
  s.hash(0, 2, 0xb, 0xb);
  s.hash(0, 3, 0, 0);
  s.hash(0, 4, 0, 0);
  s.hash(1, 1, 0xa, 0xa);
  s.hash(1, 2, 0xc, 0xc);
  s.hash(1, 3, 0, 0);
  s.hash(2, 7, 0xa, 0xa);
  s.hash(2, 8, 0xb, 0xb);
  // Groups: A×3, B×2, zero×3, C×1 → 9 pages, 4 frames, 8 shared, 5 saved.
  assert.deepEqual(s.stats(), {
    pages: 9,
    frames: 4,
    sharedPages: 8,
    savedPages: 5,
    zeroPages: 3,
    cowBreaks: 0,
  });
  assert.equal(s.isShared(1, 2), false);
  assert.equal(s.isShared(2, 8), true);
});

Deno.test("a write to a shared page breaks copy-on-write and makes it private", () => {
  const s = new PageSharing();
  s.hash(0, 1, 1, 5);
  s.hash(1, 1, 1, 5);
  assert.equal(s.write(0, 1), true);
  assert.equal(s.write(0, 1), false); // already private
  assert.equal(s.write(0, 99), false); // never hashed
  assert.deepEqual(s.stats(), {
    pages: 2,
    frames: 2,
    sharedPages: 0,
    savedPages: 0,
    zeroPages: 0,
    cowBreaks: 1,
  });
  // Re-hashed with the old content, it shares again.
  assert.equal(s.hash(0, 1, 1, 5), 1);
  assert.equal(s.stats().savedPages, 1);
});

Deno.test("a changed hash between snapshots moves the page and counts a break if it was shared", () => {
  const s = new PageSharing();
  s.hash(0, 1, 0, 7);
  s.hash(1, 1, 0, 7);
  s.hash(0, 1, 0, 8);
  assert.equal(s.stats().cowBreaks, 1);
  assert.equal(s.stats().sharedPages, 0);
  assert.equal(s.stats().frames, 2);
});

Deno.test("content keys are exact and distinguish high bits", () => {
  assert.notEqual(contentKey(1, 0), contentKey(0, 0));
  assert.equal(contentKey(0x1fffff, 0xffffffff), 2 ** 53 - 1);
});
