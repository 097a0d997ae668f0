import { replayRuns } from "../experiments/_lib/results.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published, RunResults } from "../experiments/_lib/experiment.ts";
import overview from "../experiments/overview_techniques.ts";
import { overviewId, PLATFORMS, TECHNIQUES } from "../experiments/_lib/techniques.ts";
import sweep, { exitEntryCycles, HW_PLATFORMS } from "../experiments/exit_latency_sweep.ts";

const PUBLISHED: Published = {};

/** A root whose manifest lists two execution traces and one page-hash snapshot set. */
async function corpusRoot(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "traces"));
  await Deno.writeTextFile(
    join(root, "traces", "MANIFEST.json"),
    JSON.stringify({
      traces: [
        { file: "b.vmt", workload: "b", instructions: 10 },
        { file: "snap.vmt", workload: "multivm-snapshot", instructions: 0 },
        { file: "a.vmt", workload: "a", instructions: 10 },
      ],
    }),
  );
  return root;
}

/** A result whose steady slowdown is `slowdown` (no one-time translation). */
function result(slowdown: number): Result {
  return {
    schema: RESULT_SCHEMA,
    trace: { path: "t", hash: "h", workload: "w", iterations: 10 },
    config: { cpu: "hw", mmu: "shadow", memory: "none", io: "emulated", platform: "p", seed: 1 },
    cycles: {
      native: 1000,
      virtualized: 1000 * slowdown,
      perIteration: { native: 100, virtualized: 100 * slowdown },
    },
    slowdown,
    breakdown: {},
    events: {},
    host: {},
  };
}

Deno.test("overview: every execution trace x 4 techniques x 2 platforms, snapshot sets left out", async () => {
  const root = await corpusRoot();
  try {
    const runs = replayRuns(await overview.runs({ root, published: PUBLISHED }));
    assert.equal(runs.length, 2 * TECHNIQUES.length * PLATFORMS.length);
    assert.ok(runs.every((r) => !r.id.startsWith("multivm-snapshot/")));
    assert.deepEqual(runs[0].id, "a/bt/p4-prescott");
    assert.deepEqual(runs[0].config, {
      cpu: "bt",
      mmu: "shadow",
      io: "emulated",
      memory: "none",
      platform: "p4-prescott",
      seed: 1,
    });
    const nested = runs.find((r) => r.id === "b/hw-nested/modern")!;
    assert.equal(nested.config.mmu, "nested");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("overview check: nested no slower than shadow on the modern profile only", () => {
  const results: Record<string, Result> = {};
  for (const w of ["a", "b"]) {
    for (const p of PLATFORMS) {
      for (const t of TECHNIQUES) results[overviewId(w, t, p.id)] = result(2);
    }
  }
  // Nested slower than shadow on the Pentium 4 is a what-if, not judged.
  results[overviewId("a", TECHNIQUES[3], "p4-prescott")] = result(9);
  const ok = overview.checks!(results, PUBLISHED);
  assert.deepEqual(ok.map((c) => c.passed), [true]);
  results[overviewId("b", TECHNIQUES[3], "modern")] = result(2.5);
  const miss = overview.checks!(results, PUBLISHED);
  assert.equal(miss[0].passed, false);
  assert.equal(miss[0].detail, "1 of 2 workloads");
});

Deno.test("exit-latency sweep: one hw + shadow run per profile, judged by latency order", async () => {
  const root = await corpusRoot();
  try {
    const runs = replayRuns(await sweep.runs({ root, published: PUBLISHED }));
    assert.equal(runs.length, 2 * HW_PLATFORMS.length);
    assert.ok(runs.every((r) => r.config.cpu === "hw" && r.config.mmu === "shadow"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
  // Profiles' exit + entry latency come from their data; the P4's is the highest.
  const latency = HW_PLATFORMS.map(exitEntryCycles);
  assert.equal(Math.max(...latency), exitEntryCycles("p4-prescott"));
  const results: Record<string, Result> = {};
  const hw = TECHNIQUES[2];
  for (const w of ["a", "b"]) {
    for (const p of HW_PLATFORMS) {
      results[overviewId(w, hw, p)] = result(1 + exitEntryCycles(p) / 1000);
    }
  }
  assert.equal(sweep.checks!(results, PUBLISHED)[0].passed, true);
  // A workload that gets slower on the lowest-latency profile breaks the expectation.
  const lowest = HW_PLATFORMS[latency.indexOf(Math.min(...latency))];
  results[overviewId("b", hw, lowest)] = result(50);
  const check = sweep.checks!(results as RunResults, PUBLISHED)[0];
  assert.equal(check.passed, false);
  assert.equal(check.detail, "1 of 2 workloads");
  // The chart has one row per workload and one dot per profile, lowest latency first.
  const spec = sweep.chart(results, PUBLISHED, []) as unknown as {
    layer: { data: { values: { row: string; series: string }[] } }[];
  };
  const dots = spec.layer[1].data.values;
  assert.equal(dots.length, 2 * HW_PLATFORMS.length);
  assert.ok(dots[0].series.startsWith(`${lowest}:`));
});
