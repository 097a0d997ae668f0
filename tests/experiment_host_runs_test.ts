/**
 * Host runs inside experiments: an experiment may list host simulations beside replays;
 * they are planned as their own jobs, simulated by the engine's `simulateHost`, written,
 * sharded and merged like replays, and reach `compare`, `checks` and `chart` as `hosts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { isHostJob, planExperiments } from "../src/cli/experiment/jobs.ts";
import { mergeOutputs } from "../src/cli/experiment/merge.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments, type RunOptions } from "../src/cli/experiment/runner.ts";
import { hostCost } from "../src/cli/experiment/shard_cost.ts";
import type { Experiment } from "../experiments/_lib/experiment.ts";
import { InputError } from "../src/util/errors.ts";
import { assertSameOutputs, snapshot } from "./output_snapshot.ts";

const url = (path: string) => pathToFileURL(join(REPO_ROOT, path)).href;
const PUBLISHED = join(REPO_ROOT, "experiments/published");

/** Two null-call VMs round robin on one CPU for 2 ms, at full detail, plus one replay. */
const HOST_EXPERIMENT = `
import { compareRow } from "${url("experiments/_lib/compare.ts")}";
import { need, needHost } from "${url("experiments/_lib/results.ts")}";
import { hostJson, XEN } from "${url("experiments/_lib/host.ts")}";
const host = (sliceMs) => hostJson({
  name: "pair-" + sliceMs, platform: "xeon-2400", pcpus: 1, memoryMB: 256, durationMs: 2,
  sampleMs: 0.5, scheduler: { name: "round-robin", sliceMs },
}, ["a", "b"].map((name) => ({ name, trace: "traces/lmbench-null-call.vmt", technique: XEN,
  memory: { sizeMB: 32 } })));
export default {
  name: "pair",
  title: "Two VMs",
  citation: "none",
  papers: [],
  description: "Two VMs on one CPU.",
  runs: () => [
    { id: "host/0.5", host: host(0.5) },
    { id: "host/1", host: host(1) },
    { id: "alone", trace: { path: "traces/lmbench-null-call.vmt" }, config: { cpu: "pv" } },
  ],
  compare: (results, _p, hosts) => [compareRow({
    figure: "Pair", label: "switches", unit: "count", role: "prediction", published: null,
    reproduced: needHost(hosts, "host/0.5").totals.worldSwitches, runs: ["host/0.5", "alone"],
    note: String(need(results, "alone").slowdown),
  })],
  checks: (_r, _p, hosts) => [{
    label: "shorter slices switch more", role: "prediction",
    passed: needHost(hosts, "host/0.5").totals.worldSwitches >
      needHost(hosts, "host/1").totals.worldSwitches,
    detail: "",
  }],
  chart: (_r, _p, _rows, hosts) => ({
    data: { values: needHost(hosts, "host/1").vms.map((v) => ({ vm: v.name, ms: v.cpu.receivedMs })) },
    mark: "bar",
    encoding: { x: { field: "vm", type: "nominal" }, y: { field: "ms", type: "quantitative" } },
  }),
};
`;

async function experimentsDir(text = HOST_EXPERIMENT): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "vmmlab_hostexp_" });
  await Deno.writeTextFile(join(dir, "pair.ts"), text);
  return dir;
}

function run(dir: string, out: string, more: Partial<RunOptions> = {}) {
  return runExperiments({
    names: [],
    out,
    experimentsDir: dir,
    publishedPath: PUBLISHED,
    progress: new SilentProgress(),
    warn: (line) => assert.fail(line),
    ...more,
  });
}

Deno.test("host runs are planned as their own jobs; identical ones are merged; paths stay inside", async () => {
  const spec = { name: "h", vms: [{ name: "a", trace: "traces/lmbench-null-call.vmt" }] };
  const experiment = (runs: unknown[]): Experiment => ({
    name: "x",
    title: "",
    citation: "",
    papers: [],
    description: "",
    runs: () => runs as never,
    compare: () => [],
    chart: () => ({ data: { values: [] }, mark: "point" }),
  });
  const context = { root: REPO_ROOT, published: {} };
  const plan = await planExperiments([
    experiment([{ id: "a", host: spec }, { id: "b", host: spec }]),
  ], context);
  assert.equal(plan.jobs.length, 1);
  assert.ok(isHostJob(plan.jobs[0]));
  assert.deepEqual(plan.jobs[0].uses, ["x/a", "x/b"]);
  const leaving = { ...spec, vms: [{ name: "a", trace: "../outside.vmt" }] };
  await assert.rejects(
    () => planExperiments([experiment([{ id: "a", host: leaving }])], context),
    (e) => e instanceof InputError && /leaves the repository/.test(e.message),
  );
  await assert.rejects(
    () => planExperiments([experiment([{ id: "a", host: { vms: "no" } }])], context),
    (e) => e instanceof InputError && /no vms list/.test(e.message),
  );
  // 2 ms on 1 pCPU at ~1 G instructions/s; sampling scales it by the detail per slice.
  assert.equal(hostCost({ durationMs: 2, pcpus: 1 }), 2_000_000);
  assert.equal(
    hostCost({ durationMs: 100, pcpus: 2, detailUs: 1000, scheduler: { sliceMs: 10 } }),
    20_000_000,
  );
});

Deno.test("host runs give the same outputs for 1 and 2 workers and through shards and merge", async () => {
  const dir = await experimentsDir();
  const root = await Deno.makeTempDir({ prefix: "vmmlab_hostout_" });
  try {
    const one = join(root, "one");
    const report = await run(dir, one, { workers: 1 });
    assert.equal(report.plan.jobs.length, 3);
    assert.equal(report.plan.jobs.filter(isHostJob).length, 2);
    const outcome = report.outcomes![0];
    assert.equal(outcome.checks[0].passed, true, "0.5 ms slices switch more than 1 ms ones");
    assert.ok(outcome.rows[0].reproduced > 0);
    const doc = JSON.parse(await Deno.readTextFile(join(one, "pair", "results.json")));
    const hostRun = doc.runs.find((r: { id: string }) => r.id === "host/1");
    assert.equal(hostRun.result.schema, "vmmlab.host-result/1");
    assert.deepEqual(hostRun.result.wall, {
      seconds: 0,
      instructionsPerSecond: 0,
      replayedInstructions: 0,
    });
    assert.deepEqual(hostRun.result.vms.map((v: { trace: { path: string } }) => v.trace.path), [
      "traces/lmbench-null-call.vmt",
      "traces/lmbench-null-call.vmt",
    ]);
    const csv = await Deno.readTextFile(join(one, "pair", "results.csv"));
    assert.match(csv, /^host\/1\/a,traces\/lmbench-null-call\.vmt,/m);
    assert.match(await Deno.readTextFile(join(one, "report.html")), /host pair-1: 2 VMs/);

    const two = join(root, "two");
    await run(dir, two, { workers: 2 });
    const full = await snapshot(one);
    assertSameOutputs(full, await snapshot(two), "1 vs 2 workers");
    const shards = [1, 2].map((i) => join(root, `shard${i}`));
    for (const [i, out] of shards.entries()) {
      await run(dir, out, { workers: 1, shard: { index: i + 1, count: 2 } });
    }
    const merged = join(root, "merged");
    await mergeOutputs({
      dirs: shards,
      out: merged,
      experimentsDir: dir,
      publishedPath: PUBLISHED,
      progress: new SilentProgress(),
      warn: (line) => assert.fail(line),
    });
    assertSameOutputs(full, await snapshot(merged), "merged shards vs full run");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});
