import { replayRuns } from "../experiments/_lib/results.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published, RunResults } from "../experiments/_lib/experiment.ts";
import ttcp, { bandwidthMbps, linkGoodputMbps, TTCP_COLUMNS } from "../experiments/barham_ttcp.ts";

/** A result on the 2.4 GHz Xeon profile with hand-chosen cycles. */
function fake(workload: string, cpu: string, native: number, virtualized: number): Result {
  const iterations = 10;
  return {
    schema: RESULT_SCHEMA,
    trace: { path: `traces/${workload}.vmt`, hash: "h", workload, iterations },
    config: { cpu, mmu: "x", memory: "none", io: "x", platform: "xeon-2400", seed: 1 },
    cycles: {
      native,
      virtualized,
      perIteration: { native: native / iterations, virtualized: virtualized / iterations },
    },
    slowdown: virtualized / native,
    breakdown: {},
    events: {},
    host: {},
  };
}

const PUBLISHED: Published = {
  barham2003_xen: {
    table6_ttcp_mbps: {
      columns: ["tx_1500", "rx_1500", "tx_500", "rx_500"],
      linux: [897, 897, 602, 544],
      xen: [897, 897, 516, 467],
      vmware: [291, 615, 101, 137],
      uml: [165, 203, 61.1, 91.4],
    },
  },
};

Deno.test("ttcp: the link's TCP goodput from header and framing sizes", () => {
  // 1448 payload bytes in 1538 wire bytes; 448 in 538.
  assert.ok(Math.abs(linkGoodputMbps(1500) - 1448 / 1538 * 1000) < 1e-9);
  assert.ok(Math.abs(linkGoodputMbps(500) - 448 / 538 * 1000) < 1e-9);
  // 8192 bytes per 240,000 cycles at 2.4 GHz = 100 us = 655.36 Mb/s (CPU-bound).
  assert.ok(Math.abs(bandwidthMbps(240_000, 2.4e9, 1500) - 655.36) < 1e-9);
  // 8192 bytes per 24,000 cycles would be 6554 Mb/s: the link caps it.
  assert.equal(bandwidthMbps(24_000, 2.4e9, 1500), linkGoodputMbps(1500));
});

Deno.test("ttcp: runs Xen, VMware and UML-like on each column whose trace exists", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "traces"));
  const traces = ["net-tcp-rx-500", "net-udp-tx"].map((w) => ({ file: `${w}.vmt`, workload: w }));
  await Deno.writeTextFile(join(root, "traces", "MANIFEST.json"), JSON.stringify({ traces }));
  const runs = replayRuns(await ttcp.runs({ root, published: PUBLISHED }));
  assert.deepEqual(runs.map((r) => `${r.id} ${r.config.cpu}/${r.config.io}`), [
    "rx_500/xen pv/pv",
    "rx_500/vmware bt/hosted",
    "rx_500/uml trap/hosted",
  ]);
  await Deno.remove(root, { recursive: true });
});

Deno.test("ttcp: bandwidth per system, the Xen run's baseline as Linux, order checked", () => {
  // Per iteration: native 100,000 cycles (1572.9 Mb/s: link-bound at MTU 500, 832.7),
  // Xen 120,000 (1310.7: link-bound too), VMware 480,000 (327.68), UML 960,000 (163.84).
  const results: RunResults = {
    "rx_500/xen": fake("net-tcp-rx-500", "pv", 1_000_000, 1_200_000),
    "rx_500/vmware": fake("net-tcp-rx-500", "bt", 1_000_000, 4_800_000),
    "rx_500/uml": fake("net-tcp-rx-500", "trap", 1_000_000, 9_600_000),
  };
  const rows = ttcp.compare(results, PUBLISHED);
  const by = Object.fromEntries(rows.map((r) => [r.label, r]));
  assert.equal(rows.length, 4);
  assert.equal(by["TCP MTU 500 Rx, Linux"].reproduced, linkGoodputMbps(500));
  assert.equal(by["TCP MTU 500 Rx, Xen"].reproduced, linkGoodputMbps(500));
  assert.ok(Math.abs(by["TCP MTU 500 Rx, VMware"].reproduced - 327.68) < 1e-9);
  assert.ok(Math.abs(by["TCP MTU 500 Rx, UML-like"].reproduced - 163.84) < 1e-9);
  assert.ok(Math.abs(by["TCP MTU 500 Rx, UML-like"].relError! - (163.84 - 91.4) / 91.4) < 1e-9);
  const checks = ttcp.checks!(results, PUBLISHED);
  assert.equal(checks.length, TTCP_COLUMNS.length + 1);
  // Published 544 > 467 > 137; reproduced Linux = Xen (both link-bound) > VMware: kept.
  assert.equal(checks[3].passed, true);
  assert.equal(checks[0].passed, null);
  // Xen slower than VMware breaks the order.
  const broken = { ...results, "rx_500/xen": fake("net-tcp-rx-500", "pv", 1_000_000, 9_000_000) };
  assert.equal(ttcp.checks!(broken, PUBLISHED)[3].passed, false);
});
