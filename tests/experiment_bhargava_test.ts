import { replayRuns } from "../experiments/_lib/results.ts";
import assert from "node:assert/strict";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published, RunResults } from "../experiments/_lib/experiment.ts";
import {
  bhargavaRuns,
  CACHINGS,
  isTlbStudyWorkload,
  missesPer100k,
  speedupPercent,
  walkRatio,
  workloads,
} from "../experiments/_lib/bhargava_runs.ts";
import table1, { publishedBand } from "../experiments/bhargava_table1.ts";
import fig6, { fig6Ranges } from "../experiments/bhargava_fig6.ts";

const PUBLISHED: Published = {
  bhargava2008: {
    table1: {
      columns: ["tlb_misses_per_100k_instr", "walk_latency_2d_over_native"],
      A: [100, 4.0],
      B: [20, 3.0],
      C: [300, 5.0],
    },
    fig6_speedup_over_no_caching_percent: {
      "2d_pwc": "10 (A) to 30 (C)",
      "2d_pwc_plus_ntlb": "up to 40 overall; +2.5 (A), +6 (C) over 2d_pwc",
    },
  },
};

/** Asserts equality up to floating-point rounding. */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);
}

function result(
  virtualized: number,
  walk: number,
  nativeWalk: number,
  misses: number,
  instructions = 0,
): Result {
  return {
    schema: RESULT_SCHEMA,
    trace: { path: "traces/w.vmt", hash: "h", workload: "w", iterations: 0 },
    config: { cpu: "hw", mmu: "nested", memory: "none", io: "emulated", platform: "p", seed: 1 },
    cycles: { native: 1000, virtualized, perIteration: { native: 1000, virtualized } },
    slowdown: virtualized / 1000,
    breakdown: { "mmu.walk": walk },
    events: { "tlb.misses": misses },
    nativeBreakdown: { "mmu.walk": nativeWalk },
    instructions,
    host: {},
  };
}

// Workload w: 10 native walks (native run), 20 nested walks (splintered pages).
const RESULTS: RunResults = {
  "w/native": result(1000, 400, 400, 10, 50_000),
  "w/nested-none": result(1500, 4800, 400, 20), // 240/walk vs 40/walk: 6x
  "w/nested-pwc1d": result(1300, 4000, 200, 20), // 200/walk vs 20/walk: 10x
  "w/nested-pwc2d": result(1250, 2000, 200, 20), // 100 vs 20: 5x
  "w/nested-pwc2d-ntlb": result(1200, 1200, 200, 20), // 60 vs 20: 3x
};

Deno.test("walk ratio: nested cycles per nested walk over native cycles per native walk", () => {
  assert.deepEqual(CACHINGS.map((c) => walkRatio(RESULTS, "w", c)), [6, 10, 5, 3]);
  assert.equal(missesPer100k(RESULTS, "w"), 20);
  assert.deepEqual(workloads(RESULTS), ["w"]);
});

Deno.test("speedup over no caching in percent", () => {
  assert.equal(speedupPercent(RESULTS, "w", CACHINGS[0]), 0);
  near(speedupPercent(RESULTS, "w", CACHINGS[2]), 20);
  near(speedupPercent(RESULTS, "w", CACHINGS[3]), 25);
});

Deno.test("published ranges are read from the text entries, not copied", () => {
  assert.deepEqual(publishedBand(PUBLISHED), [3, 5]);
  assert.deepEqual(fig6Ranges(PUBLISHED), {
    pwc2d: [10, 30],
    pwc2dNtlb: [12.5, 40],
    ntlbGain: [2.5, 6],
  });
});

Deno.test("table 1 and figure 6 rows are band comparisons and predictions", () => {
  const rows = table1.compare(RESULTS, PUBLISHED);
  assert.equal(rows.length, 1);
  // Table 1 is scored on the no-caching configuration: 6x, 20% above the band's top.
  assert.equal(rows[0].reproduced, 6);
  assert.deepEqual(rows[0].band, [3, 5]);
  near(rows[0].relError!, 0.2);
  assert.match(rows[0].label, /no PWC, no nested TLB/);
  const fig = fig6.compare(RESULTS, PUBLISHED);
  [20, 25, 5].forEach((value, i) => near(fig[i].reproduced, value));
  // 20% in [10, 30]; 25% in [12.5, 40]; 5 points in [2.5, 6].
  assert.deepEqual(fig.map((r) => r.relError), [0, 0, 0]);
  assert.ok([...rows, ...fig].every((r) => r.role === "prediction"));
  const checks = fig6.checks!(RESULTS, PUBLISHED);
  // 1-D PWC gains 1500/1300-1 = 15.4%, more than half of 20%: not "little"; and 15.4 <= 20
  // <= 25 keeps the ordering.
  assert.deepEqual(checks.map((c) => c.passed), [false, true]);
});

Deno.test("the TLB study replays server and CPU-bound workloads, not idle guests or microbenchmarks", () => {
  const kept = ["db-pgbench", "db-query", "kv-memcached", "web-lighttpd", "dbench", "compute-gzip"]
    .concat(["kernel-compile", "kernel-compile-gcc"]);
  const left = ["idle-hz250", "idle-tickless", "forkwait", "forkwait-2006", "lmbench-mmap"]
    .concat(["lmbench-ctx-2p-0k", "disk-dd", "net-udp-tx", "multivm-snapshot", "kernel-compiler"]);
  assert.deepEqual(kept.filter(isTlbStudyWorkload), kept);
  assert.deepEqual(left.filter(isTlbStudyWorkload), []);
});

Deno.test("both experiments declare identical runs, so the runner replays them once", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const a = replayRuns(await table1.runs({ root, published: PUBLISHED }));
  const b = replayRuns(await fig6.runs({ root, published: PUBLISHED }));
  assert.deepEqual(a, b);
  assert.deepEqual(a, await bhargavaRuns({ root, published: PUBLISHED }));
  assert.equal(a.length % 5, 0);
  // Only the study's workloads (the corpus holds idle guests and microbenchmarks too).
  const names = new Set(a.map((r) => r.id.split("/")[0]));
  assert.ok(names.size > 0 && [...names].every(isTlbStudyWorkload));
  assert.ok(!names.has("idle-hz250") && !names.has("lmbench-null-call"));
});

Deno.test("table 1 band check: passes inside the published band, misses outside, none without traces", () => {
  // w's no-caching ratio is 6 (the full design's 3 is not what Table 1 measured): outside
  // [3, 5], 20% above it; the ordering 6 >= 5 >= 3 holds.
  const outside = table1.checks!(RESULTS, PUBLISHED);
  assert.deepEqual(outside.map((c) => c.passed), [false, true]);
  assert.match(outside[0].detail, /^0 of 1 workloads in the band; reproduced 6\.00-6\.00.*20%/);
  assert.match(outside[0].label, /no caching: no PWC, no nested TLB/);
  // A wider published band [4, 7] (A = 4.0, C = 7.0) holds 6: a pass.
  const wide: Published = {
    bhargava2008: {
      ...(PUBLISHED.bhargava2008 as Record<string, never>),
      table1: {
        columns: ["tlb_misses_per_100k_instr", "walk_latency_2d_over_native"],
        A: [100, 4.0],
        C: [300, 7.0],
      },
    },
  };
  const inside = table1.checks!(RESULTS, wide);
  assert.equal(inside[0].passed, true);
  const none = table1.checks!({}, PUBLISHED);
  assert.equal(none[0].passed, null);
  assert.match(none[0].detail, /^not reproduced: no trace/);
});
