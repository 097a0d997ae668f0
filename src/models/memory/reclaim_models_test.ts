import assert from "node:assert/strict";
import { Pcg32 } from "../../util/pcg32.ts";
import { RecordingHost } from "../mmu/host.ts";
import { SamplingDriver } from "./options.ts";
import { MemoryPressure } from "./reclaim.ts";
import { parsePeers, ReclaimMemory } from "./reclaim_models.ts";
import { WorkingSetSampler } from "./working_set.ts";
import { ConfigError } from "../../util/errors.ts";

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
