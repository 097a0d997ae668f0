import assert from "node:assert/strict";
import { Pcg32 } from "../../util/pcg32.ts";
import { RecordingHost } from "../mmu/host.ts";
import { SamplingDriver } from "./options.ts";
import { MemoryPressure } from "./reclaim.ts";
import { parsePeers, ReclaimMemory } from "./reclaim_models.ts";
import { WorkingSetSampler } from "./working_set.ts";
import { ConfigError } from "../../util/errors.ts";
import { Field, PAGE_DIRTY, PAGE_IN_WINDOW, RecordKind, TraceRecord } from "../../trace/record.ts";

const COSTS = {
  balloonPage: 10,
  guestSwapIn: 1000,
  guestSwapOut: 700,
  vmmFault: 50,
  vmmSwapIn: 2000,
  vmmSwapOut: 900,
};

Deno.test("idle memory tax: an idle VM is ballooned down, an active one gets its share back", () => {
  const h = new RecordingHost({ "mem.sample.fault": 5 });
  let instructions = 0;
  const n = 1024;
  const pressure = new MemoryPressure(
    h,
    {
      vmPages: n,
      balloonPages: 0,
      balloonBatch: 64,
      swapPages: 0,
    },
    COSTS,
    new Pcg32(1),
  );
  const sampler = new WorkingSetSampler(n, 100, new Pcg32(2), { slow: 0.25, fast: 0.5 });
  const driver = new SamplingDriver(h, sampler, 1000, () => instructions);
  const m = new ReclaimMemory(h, "balloon", pressure, driver, {
    hostPages: 1536,
    tax: 0.75,
    shares: 1000,
    minPages: 0,
    peers: [{ shares: 1000, minPages: 0, maxPages: 1024, active: 1 }],
    step: 1,
  });
  m.start();
  // No estimate yet: both count as fully active, equal shares split 1536 pages equally.
  assert.equal(pressure.balloon, 256);
  // Idle: one page touched per period. k = 4 makes idle pages cost 4x: the peer is capped
  // at its 1024 pages, so this VM keeps 1536 - 1024 = 512.
  for (let p = 0; p < 5; p++) {
    instructions += 1000;
    m.access(0, 0, 8, 0);
  }
  assert.equal(pressure.balloon, 512);
  // Active: every page touched every period; the estimate rises to 1 and the split is equal.
  for (let p = 0; p < 30; p++) {
    instructions += 1000;
    for (let page = 0; page < n; page++) m.access(0, page * 4096, 8, 0);
  }
  assert.equal(pressure.balloon, 256);
  m.finish();
  assert.equal(h.eventOf("mem.allocated-pages"), 768);
  assert.ok(h.eventOf("mem.ws-intercepts") > 0);
  assert.equal(h.cyclesOf("mem.sampling"), 5 * h.eventOf("mem.ws-intercepts"));
});

Deno.test("peers parse as shares/mb/active; bad ones are configuration errors", () => {
  assert.deepEqual(parsePeers(["1000/256/0.05", "500/128/1"]), [
    { shares: 1000, minPages: 0, maxPages: 65536, active: 0.05 },
    { shares: 500, minPages: 0, maxPages: 32768, active: 1 },
  ]);
  assert.deepEqual(parsePeers([]), []);
  assert.throws(() => parsePeers(["1000/256"]), ConfigError);
  assert.throws(() => parsePeers(["1000/256/2"]), /active fraction/);
});

/** A PageRun record: `count` pages from `first`, summary time `at`, flags. */
function pageRun(first: number, count: number, at: number, flags: number): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.PageRun;
  r.f[Field.Paddr] = first * 4096;
  r.f[Field.Count] = count;
  r.f[Field.Value] = at;
  r.f[Field.Flags] = flags;
  return r;
}

Deno.test("page summaries warm the guest's LRU without charging; the window then pays for what history evicted", () => {
  const h = new RecordingHost({});
  // 64 pages, 16 for page-frame structures, a 16-page balloon: the guest's LRU holds 32.
  const pressure = new MemoryPressure(
    h,
    { vmPages: 64, balloonPages: 16, balloonBatch: 1, swapPages: 0, reservedPages: 16 },
    COSTS,
    new Pcg32(1),
  );
  const m = new ReclaimMemory(h, "balloon", pressure, null, null);
  m.start();
  // History: pages 0-39 dirtied, then 40-47 read. 48 pages through a 32-page LRU: the
  // first 16 (all dirty) are paged out, but nothing is charged or counted.
  m.pageRun(pageRun(0, 40, 1000, PAGE_DIRTY));
  m.pageRun(pageRun(40, 8, 2000, 0));
  // An interval overlapping the window is skipped (its Mem records carry it).
  m.pageRun(pageRun(0, 64, 3000, PAGE_IN_WINDOW));
  assert.equal(h.eventOf("mem.guest-page-outs"), 0);
  assert.equal(h.eventOf("mem.guest-page-ins"), 0);
  assert.equal(h.eventOf("mem.summary-pages"), 48);
  assert.equal(h.cyclesOf("mem.guest-paging"), 0);
  assert.ok(pressure.isPagedOut(0) && pressure.isPagedOut(15) && !pressure.isPagedOut(16));
  // The window touches page 3 (paged out by history: a page-in, and the LRU's oldest,
  // page 16, dirty, goes out) and page 40 (resident: free).
  m.access(0, 3 * 4096, 8, 0);
  m.access(0, 40 * 4096, 8, 0);
  assert.equal(h.eventOf("mem.guest-page-ins"), 1);
  assert.equal(h.eventOf("mem.guest-page-outs"), 1);
  assert.equal(h.cyclesOf("mem.guest-paging"), COSTS.guestSwapIn + COSTS.guestSwapOut);
});

Deno.test("memory.summaries=false: page runs change nothing", () => {
  const h = new RecordingHost({});
  const pressure = new MemoryPressure(
    h,
    { vmPages: 64, balloonPages: 16, balloonBatch: 1, swapPages: 0, reservedPages: 16 },
    COSTS,
    new Pcg32(1),
  );
  const m = new ReclaimMemory(h, "balloon", pressure, null, null, false, false);
  m.start();
  m.pageRun(pageRun(0, 48, 1000, PAGE_DIRTY));
  assert.ok(!pressure.isPagedOut(0));
  assert.equal(h.eventOf("mem.summary-pages"), 0);
});

Deno.test("page summaries move the sampler's clock: periods end in summary time, uncharged", () => {
  const h = new RecordingHost({ "mem.sample.fault": 5 });
  const n = 1024;
  const pressure = new MemoryPressure(
    h,
    { vmPages: n, balloonPages: 0, balloonBatch: 1, swapPages: 0 },
    COSTS,
    new Pcg32(1),
  );
  const sampler = new WorkingSetSampler(n, 100, new Pcg32(2), { slow: 0.25, fast: 0.5 });
  const driver = new SamplingDriver(h, sampler, 1000, () => 0);
  const m = new ReclaimMemory(h, "balloon", pressure, driver, null);
  m.start();
  // Ten intervals of 1000 instructions, each touching every page: ten periods end.
  for (let i = 1; i <= 10; i++) m.pageRun(pageRun(0, n, i * 1000, 0));
  m.finish();
  assert.equal(h.eventOf("mem.ws-periods"), 9);
  assert.equal(h.eventOf("mem.ws-active-pct"), 100);
  assert.equal(h.eventOf("mem.ws-intercepts"), 0);
  assert.equal(h.cyclesOf("mem.sampling"), 0);
});
