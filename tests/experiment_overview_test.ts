import { replayRuns } from "../experiments/_lib/results.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published, RunResults } from "../experiments/_lib/experiment.ts";
import overview from "../experiments/overview_techniques.ts";
import { overviewId, PLATFORMS, TECHNIQUES } from "../experiments/_lib/techniques.ts";
import sweep, {
  exitEntryCycles,
  EXITS_EVENT,
  SWEEP_PLATFORM,
  sweptLatencies,
  sweptSlowdown,
} from "../experiments/exit_latency_sweep.ts";

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

Deno.test("exit-latency sweep: the overview's P4 hw + shadow runs, and a replay per checked trace", async () => {
  const root = await corpusRoot();
  try {
    // Two traces (a, b) and no validation workload among them: the overview's runs only.
    const runs = replayRuns(await sweep.runs({ root, published: PUBLISHED }));
    assert.deepEqual(runs.map((r) => r.id), ["a/hw/p4-prescott", "b/hw/p4-prescott"]);
    assert.ok(runs.every((r) => r.config.cpu === "hw" && r.config.mmu === "shadow"));
    // A validation workload in the corpus adds one replay at Core 2's latency, same profile.
    const manifest = join(root, "traces", "MANIFEST.json");
    const listed = JSON.parse(await Deno.readTextFile(manifest));
    listed.traces.push({ file: "forkwait.vmt", workload: "forkwait", instructions: 10 });
    await Deno.writeTextFile(manifest, JSON.stringify(listed));
    const more = replayRuns(await sweep.runs({ root, published: PUBLISHED }));
    const check = more.find((r) => r.id.startsWith("line-check/forkwait/"))!;
    assert.equal(check.config.platform, SWEEP_PLATFORM);
    assert.deepEqual(check.config.platformSet, { "hw.vm-exit": 1186, "hw.vm-entry": 937 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("exit-latency sweep: a straight line in the latency with the exits as slope", () => {
  // Profiles' exit + entry latencies come from their data: P4 4340, Core 2 = Barcelona 2123,
  // modern 1000; zero is added, each value once, highest first.
  assert.equal(exitEntryCycles("p4-prescott"), 1931 + 2409);
  assert.deepEqual(sweptLatencies(), [4340, 2123, 1000, 0]);
  // 1000 native cycles, 3000 virtualized of which 100 exits x 4340 would be 434,000: the
  // hand-computed line at 2123 cycles is (3000 + 100 x (2123 - 4340)) / 1000.
  const r = { ...result(3), events: { [EXITS_EVENT]: 0.1 } };
  assert.equal(sweptSlowdown(r, 4340, 4340), 3);
  assert.ok(Math.abs(sweptSlowdown(r, 4340, 2123) - (3000 + 0.1 * (2123 - 4340)) / 1000) < 1e-12);
  assert.ok(Math.abs(sweptSlowdown(r, 4340, 0) - (3000 - 434) / 1000) < 1e-12);
});

Deno.test("exit-latency sweep: the check compares the line with the replay at another latency", () => {
  const hw = TECHNIQUES[2];
  const base = { ...result(3), events: { [EXITS_EVENT]: 0.1 } };
  const line = (3000 + 0.1 * (2123 - 4340)) / 1000;
  const results: Record<string, Result> = {
    [overviewId("forkwait", hw, SWEEP_PLATFORM)]: base,
    [overviewId("other", hw, SWEEP_PLATFORM)]: result(2),
    "line-check/forkwait/core2-merom-latency": result(line),
  };
  const ok = sweep.checks!(results as RunResults, PUBLISHED);
  assert.equal(ok.length, 1);
  assert.equal(ok[0].passed, true);
  assert.equal(ok[0].role, "calibration");
  assert.match(ok[0].detail, /^forkwait: line 2\.7783x, replayed 2\.7783x$/);
  // A replay off the line (an exit's cost fed back into the model) fails it.
  results["line-check/forkwait/core2-merom-latency"] = result(line * 1.01);
  assert.equal(sweep.checks!(results as RunResults, PUBLISHED)[0].passed, false);
  // Without a validation replay there is nothing to judge.
  delete results["line-check/forkwait/core2-merom-latency"];
  assert.deepEqual(sweep.checks!(results as RunResults, PUBLISHED), []);
  // The chart: one row per swept workload, one dot per latency, lowest first.
  const spec = sweep.chart(results, PUBLISHED, []) as unknown as {
    layer: { data: { values: { row: string; series: string; value: number }[] } }[];
  };
  const dots = spec.layer[1].data.values;
  assert.equal(dots.length, 2 * 4);
  assert.equal(dots[0].series, "0 cycles (free transitions)");
  assert.equal(dots[3].series, "4340 cycles (p4-prescott)");
  assert.equal(dots[3].value, 3);
});
