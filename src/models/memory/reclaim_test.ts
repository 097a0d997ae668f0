import assert from "node:assert/strict";
import { Pcg32 } from "../../util/pcg32.ts";
import { RecordingHost } from "../mmu/host.ts";
import { MemoryPressure, type ReclaimConfig } from "./reclaim.ts";

const COSTS = {
  balloonPage: 10,
  guestSwapIn: 1000,
  guestSwapOut: 700,
  vmmFault: 50,
  vmmSwapIn: 2000,
  vmmSwapOut: 900,
};

function make(config: Partial<ReclaimConfig>, seed = 1): { h: RecordingHost; m: MemoryPressure } {
  const h = new RecordingHost();
  const m = new MemoryPressure(
    h,
    {
      vmPages: 8,
      balloonPages: 0,
      balloonBatch: 1,
      swapPages: 0,
      ...config,
    },
    COSTS,
    new Pcg32(seed),
  );
  m.start(true);
  return { h, m };
}

Deno.test("balloon: the guest pages out its own LRU page and pages it back in", () => {
  const { h, m } = make({ balloonPages: 5, balloonBatch: 2 }); // guest keeps 3 pages
  assert.equal(h.transitions.length, 3); // ceil(5 / 2) hypercalls
  assert.equal(h.cyclesOf("mem.balloon"), 50);
  m.access(0, true);
  m.access(1, false);
  m.access(2, false);
  assert.equal(h.eventOf("mem.guest-page-outs"), 0);
  m.access(3, false); // evicts page 0 (dirty): written to the guest's swap
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.equal(m.isPagedOut(0), true);
  m.access(0, false); // evicts page 1 (clean: dropped), reads page 0 back
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.equal(h.eventOf("mem.guest-page-ins"), 1);
  assert.equal(h.cyclesOf("mem.guest-paging"), 700 + 1000);
  m.access(1, false); // a clean page dropped earlier is read back too
  assert.equal(h.eventOf("mem.guest-page-ins"), 2);
  assert.equal(h.eventOf("mem.pages-ballooned"), 5);
});

Deno.test("host swapping: blind picks, a fault on a swapped page keeps the target", () => {
  const { h, m } = make({ swapPages: 3 }, 42);
  assert.equal(m.swapped, 3);
  assert.equal(h.cyclesOf("mem.swap"), 3 * 900);
  const victim = [0, 1, 2, 3, 4, 5, 6, 7].find((p) => m.isSwapped(p))!;
  h.guest.pc = 0x10;
  m.access(victim, false);
  assert.deepEqual(h.transitions, ["hidden-fault@16"]);
  assert.equal(m.isSwapped(victim), false);
  assert.equal(m.swapped, 3);
  assert.equal(h.cyclesOf("mem.swap"), 4 * 900 + 2000 + 50);
  m.finish();
  assert.equal(h.eventOf("mem.pages-swapped"), 3);
});

Deno.test("same seed, same blind picks", () => {
  const a = make({ swapPages: 4 }, 7).m, b = make({ swapPages: 4 }, 7).m;
  const picks = (m: MemoryPressure) => [0, 1, 2, 3, 4, 5, 6, 7].filter((p) => m.isSwapped(p));
  assert.deepEqual(picks(a), picks(b));
});

Deno.test("double paging: the guest pages out a page the VMM swapped", () => {
  const { h, m } = make({ guestPages: 1 });
  m.vmmSwapOut(0);
  m.access(0, true); // VMM fault: read back
  assert.equal(h.eventOf("mem.swap-ins"), 1);
  m.vmmSwapOut(0); // the VMM picks it again
  m.access(1, false); // the guest evicts dirty page 0: the VMM must read it in first
  assert.equal(h.eventOf("mem.double-paging"), 1);
  assert.equal(h.eventOf("mem.swap-ins"), 2);
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.equal(h.transitions.length, 2);
});

Deno.test("pages beyond the VM are counted and paged by the guest; bad sizes are config errors", () => {
  const { h, m } = make({ guestPages: 1 });
  m.access(8, true);
  assert.equal(h.eventOf("mem.refs-out-of-range"), 1);
  m.access(1, false); // evicts dirty page 8
  assert.equal(m.isPagedOut(8), true);
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.throws(() => make({ balloonPages: 8 }), /balloon must be smaller/);
});

Deno.test("resizing the balloon pages out the guest's LRU pages now, and charges the driver", () => {
  const { h, m } = make({});
  for (const p of [0, 1, 2, 3, 4, 5]) m.access(p, p === 1);
  m.setBalloon(4); // guest keeps 4 of 8 pages: evicts 0 (clean) and 1 (dirty)
  assert.equal(m.isPagedOut(0), true);
  assert.equal(m.isPagedOut(1), true);
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.equal(h.cyclesOf("mem.balloon"), 4 * 10);
  m.setBalloon(1); // deflate 3 pages: more room, nothing paged
  assert.equal(h.cyclesOf("mem.balloon"), 7 * 10);
  assert.equal(m.balloon, 1);
  m.setBalloon(1);
  assert.equal(h.transitions.length, 7);
});

Deno.test("uncharged set-up: the balloon and blind picks exist but cost nothing in the window", () => {
  const h = new RecordingHost();
  const m = new MemoryPressure(
    h,
    {
      vmPages: 8,
      balloonPages: 2,
      balloonBatch: 1,
      swapPages: 3,
    },
    COSTS,
    new Pcg32(3),
  );
  m.start();
  assert.equal(m.swapped, 3);
  assert.equal(h.eventOf("mem.pages-ballooned"), 2);
  assert.equal(h.eventOf("mem.swap-outs"), 0);
  assert.equal(h.cyclesOf("mem.balloon") + h.cyclesOf("mem.swap"), 0);
  assert.equal(h.transitions.length, 0);
  const victim = [0, 1, 2, 3, 4, 5, 6, 7].find((p) => m.isSwapped(p))!;
  m.access(victim, false); // in the window: charged
  assert.equal(h.cyclesOf("mem.swap"), 2000 + 50 + 900);
});

Deno.test("a VM configured small pages by itself when its working set exceeds its memory", () => {
  const { h, m } = make({ vmPages: 4 }); // no balloon, no host swap
  for (const p of [0, 1, 2, 3, 4]) m.access(p, false); // the fifth page evicts page 0
  m.access(0, false); // read back from the guest's swap
  assert.equal(h.eventOf("mem.guest-page-ins"), 1);
  assert.equal(h.cyclesOf("mem.guest-paging"), 1000);
});

Deno.test("ballooned vs configured: boot-sized page-frame structures leave the ballooned guest less room", () => {
  // 128 pages with 64-byte page structures reserve ceil(128 x 64 / 4096) = 2 pages, so
  // ballooned to 64 the guest holds 128 - 2 - 64 = 62 pages. Configured with 64 pages it
  // reserves 1 and holds 63.
  const ballooned = make({ vmPages: 128, balloonPages: 64, reservedPages: 2 });
  const configured = make({ vmPages: 64, reservedPages: 1 });
  for (const { m } of [ballooned, configured]) {
    for (let pass = 0; pass < 2; pass++) for (let p = 0; p < 63; p++) m.access(p, false);
  }
  // Configured: all 63 pages fit. Ballooned: a cyclic sweep of 63 pages through 62 slots
  // misses on every page of the second pass (63 reads back from the guest's swap).
  assert.equal(configured.h.eventOf("mem.guest-page-ins"), 0);
  assert.equal(ballooned.h.eventOf("mem.guest-page-ins"), 63);
  assert.equal(ballooned.h.cyclesOf("mem.guest-paging"), 63 * 1000);
  assert.throws(() => make({ vmPages: 8, reservedPages: 8 }), /page-frame structures/);
});
