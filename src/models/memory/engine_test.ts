// The memory models driven by the real engine and a platform profile: hand-built traces
// whose paging and sharing events can be counted by hand.
import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { MEM_WRITE, RecordKind } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";

const XEON = loadPlatform("xeon-2400");

/** One block, then `pages.length` references, one per listed guest-physical page. */
function trace(pages: number[], write = false): ArrayTrace {
  const t = new ArrayTrace({ workload: "pages" });
  const b = t.block(0x1000, 3, [{ length: 1, sensitive: 0, flow: 0 }]);
  for (const p of pages) {
    t.exec(b);
    t.mem(0x10000000 + p * 4096, p * 4096, 8, write ? MEM_WRITE : 0);
  }
  return t;
}

Deno.test("engine: balloon inflation is charged and a squeezed guest pages its LRU", () => {
  // 1 MB VM (256 pages), balloon 0.5 MB: the guest keeps 128 pages. Touch 130 pages, then
  // the first two again: both were evicted (clean) and are read back.
  const pages = [...Array(130).keys(), 0, 1];
  const r = replayInput(trace(pages), {
    memory: "balloon",
    platform: "xeon-2400",
    options: {
      "memory.vm-mb": 1,
      "memory.balloon-mb": 0.5,
      "memory.sample": false,
      "memory.charge-setup": true,
    },
  });
  assert.equal(r.events["mem.pages-ballooned"], 128);
  assert.equal(r.breakdown["mem.balloon"], 128 * XEON.cost("mem.balloon.page"));
  assert.equal(r.events["mem.guest-page-ins"], 2);
  assert.equal(r.events["mem.guest-page-outs"] ?? 0, 0); // clean pages are dropped, not written
  assert.equal(r.breakdown["mem.guest-paging"], 2 * XEON.cost("mem.guest.swap-in"));
});

Deno.test("engine: host swapping faults on blind picks; the same seed picks the same pages", () => {
  const run = (seed: number) =>
    replayInput(trace([...Array(256).keys()]), {
      memory: "swap",
      platform: "xeon-2400",
      seed,
      options: { "memory.vm-mb": 1, "memory.swap-mb": 0.25, "memory.sample": false },
    });
  const a = run(1), b = run(1);
  // Every page touched once: each of the 64 picked pages faults at least once (a page
  // swapped out again after its turn may not be touched again).
  assert.ok(a.events["mem.swap-ins"] >= 64, `${a.events["mem.swap-ins"]}`);
  assert.equal(a.events["mem.pages-swapped"], 64);
  assert.equal(a.events["exits.hidden-fault"] ?? 0, 0); // native CPU: no exits to count
  assert.deepEqual(a.events, b.events);
});

Deno.test("engine: page sharing across two VMs' snapshots, one COW break", () => {
  const t = trace([3], true);
  for (const vm of [0, 1]) {
    for (let p = 0; p < 4; p++) {
      t.add(RecordKind.PageHash, { Paddr: p * 4096, HashHi: 0, HashLo: p < 2 ? 0 : 7, Device: vm });
    }
  }
  t.exec(0);
  t.mem(0x10003000, 3 * 4096, 8, MEM_WRITE);
  const r = replayInput(t, {
    cpu: "hw",
    mmu: "nested",
    memory: "share",
    platform: "xeon-2400",
    options: { "memory.sample": false, "memory.zero-hash": "0:0" },
  });
  // 8 pages: zero group of 4, "7" group of 4; the store to VM 0's page 3 breaks one.
  assert.equal(r.events["mem.pages-hashed"], 8);
  assert.equal(r.events["mem.cow-breaks"], 1);
  assert.equal(r.events["mem.pages-shared"], 7);
  assert.equal(r.events["mem.pages-saved"], 5);
  assert.equal(r.events["mem.pages-zero"], 4);
  assert.equal(r.events["exits.hidden-fault"], 1);
});

Deno.test("engine: bad memory options are one-line configuration errors", () => {
  const run = (options: Record<string, string | number>) => () =>
    replayInput(trace([1]), { memory: "balloon", platform: "xeon-2400", options });
  assert.throws(run({ "memory.vm-mb": 1, "memory.balloon-mb": 2 }), ConfigError);
  assert.throws(run({ "memory.peers": "x", "memory.host-mb": 100 }), /shares\/mb\/active/);
  assert.throws(run({ "memory.tax": 1, "memory.host-mb": 100 }), ConfigError);
});
