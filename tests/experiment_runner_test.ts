import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { engineUrl } from "../src/cli/experiment/engine.ts";
import { mergeOutputs } from "../src/cli/experiment/merge.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments, type RunOptions } from "../src/cli/experiment/runner.ts";
import { InputError } from "../src/util/errors.ts";
import { assertSameOutputs, snapshot } from "./output_snapshot.ts";

const FAKE_ENGINE = engineUrl(join(REPO_ROOT, "experiments/_lib/fake_replay.ts"));
const PUBLISHED = join(REPO_ROOT, "experiments/published");
const url = (path: string) => pathToFileURL(join(REPO_ROOT, path)).href;

/** A second experiment using trace files, predictions, a band, checks and a line chart. */
const SWEEP = `
import { lineSweep } from "${url("src/charts/line_sweep.ts")}";
import { compareRow } from "${url("experiments/_lib/compare.ts")}";
import { need } from "${url("experiments/_lib/results.ts")}";
const CPUS = ["native", "bt", "pv", "hw"];
const TRACES = ["alpha", "beta"];
export default {
  name: "sweep",
  title: "Sweep <test>",
  citation: "none",
  papers: ["adams2006"],
  description: "Trace files under four CPU models.",
  runs: () => [
    ...TRACES.flatMap((t) => CPUS.map((cpu, i) => ({
      id: t + "/" + cpu,
      trace: { path: "traces/" + t + ".vmt" },
      config: { cpu, mmu: "shadow", options: { "hw.exit-cost": 100 * (i + 1) } },
    }))),
    // Identical to adams_fig4's syscall/software_vmm run: planned once, used twice.
    { id: "shared", trace: { synth: "syscall" },
      config: { cpu: "bt", mmu: "shadow", io: "emulated", memory: "none", platform: "p4-prescott", seed: 1, warmup: 1 } },
  ],
  compare: (results) => TRACES.map((t) => compareRow({
    figure: "Sweep", label: t + " under bt", reproduced: need(results, t + "/bt").slowdown,
    published: t === "alpha" ? 2 : null, band: t === "beta" ? [1.5, 2.5] : undefined,
    unit: "x native", role: "prediction", runs: [t + "/bt", t + "/native"],
  })),
  checks: (results) => [{
    label: "pv faster than hw", role: "prediction",
    passed: need(results, "alpha/pv").slowdown < need(results, "alpha/hw").slowdown,
    detail: need(results, "alpha/pv").slowdown.toFixed(3) + " vs " + need(results, "alpha/hw").slowdown.toFixed(3),
  }],
  chart: (results) => lineSweep({
    title: "Sweep", xTitle: "exit cost", yTitle: "slowdown",
    data: TRACES.flatMap((t) => CPUS.map((cpu, i) => ({ series: t, x: 100 * (i + 1), y: need(results, t + "/" + cpu).slowdown }))),
  }),
};
`;

async function makeRoot(extra: Record<string, string> = {}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "vmmlab_exp_" });
  await Deno.mkdir(join(root, "traces"));
  await Deno.mkdir(join(root, "experiments"));
  for (const t of ["alpha", "beta"]) await Deno.writeTextFile(join(root, "traces", `${t}.vmt`), t);
  await Deno.writeTextFile(
    join(root, "experiments", "adams_fig4.ts"),
    `export { default } from "${url("experiments/adams_fig4.ts")}";\n`,
  );
  await Deno.writeTextFile(join(root, "experiments", "sweep.ts"), SWEEP);
  for (const [name, text] of Object.entries(extra)) {
    await Deno.writeTextFile(join(root, "experiments", name), text);
  }
  return root;
}

async function run(root: string, out: string, more: Partial<RunOptions> = {}) {
  const warnings: string[] = [];
  const report = await runExperiments({
    names: [],
    out,
    root,
    publishedPath: PUBLISHED,
    engine: FAKE_ENGINE,
    progress: new SilentProgress(),
    warn: (line) => warnings.push(line),
    ...more,
  });
  assert.deepEqual(warnings, [], "no chart warnings");
  return report;
}

Deno.test("outputs are identical outside host for 1 and 2 workers, and a merge of shards equals a full run", async () => {
  const root = await makeRoot();
  const one = join(root, "out1");
  const two = join(root, "out2");
  const report = await run(root, one, { workers: 1 });
  assert.equal(report.workers, 1);
  // 21 nanobenchmark runs + 9 sweep runs, one shared: 29 jobs.
  assert.equal(report.plan.jobs.length, 29);
  assert.equal(report.jobsRun, 29);
  await run(root, two, { workers: 2 });
  const full = await snapshot(one);
  assertSameOutputs(full, await snapshot(two), "1 vs 2 workers");
  for (
    const file of [
      "report.html",
      "summary.json",
      "summary.csv",
      "manifest.json",
      "adams_fig4/results.json",
      "adams_fig4/results.csv",
      "adams_fig4/comparison.csv",
      "adams_fig4/chart.vl.json",
      "adams_fig4/chart.svg",
      "adams_fig4/chart.png",
      "sweep/chart.png",
    ]
  ) assert.ok(full.has(file), `missing ${file}`);
  assert.equal([...full.keys()].filter((f) => f.startsWith("runs/")).length, 29);
  // The host sections exist (and differ) but are not part of the comparison.
  const raw = JSON.parse(await Deno.readTextFile(join(one, "adams_fig4", "results.json")));
  assert.equal(raw.runs[0].result.host.engine, "fake");

  const shards = [1, 2, 3].map((i) => join(root, `shard${i}`));
  const sizes: number[] = [];
  for (const [i, dir] of shards.entries()) {
    const r = await run(root, dir, { workers: 2, shard: { index: i + 1, count: 3 } });
    assert.equal(r.outcomes, null, "a shard writes no figures");
    sizes.push(r.jobsRun);
    await assert.rejects(() => Deno.stat(join(dir, "report.html")), Deno.errors.NotFound);
  }
  // Balanced by estimated instructions, not count (shard_cost_test.ts checks the rule).
  assert.deepEqual(sizes, [9, 10, 10]);
  const shardFiles = new Set<string>();
  for (const dir of shards) {
    for await (const entry of Deno.readDir(join(dir, "runs"))) {
      assert.ok(!shardFiles.has(entry.name), `${entry.name} in two shards`);
      shardFiles.add(entry.name);
    }
  }
  assert.equal(shardFiles.size, 29);

  const merged = join(root, "merged");
  await mergeOutputs({
    dirs: shards,
    out: merged,
    root,
    publishedPath: PUBLISHED,
    progress: new SilentProgress(),
    warn: (line) => assert.fail(line),
  });
  assertSameOutputs(full, await snapshot(merged), "merge vs full run");

  await assert.rejects(
    () =>
      mergeOutputs({
        dirs: shards.slice(0, 2),
        out: join(root, "partial"),
        root,
        publishedPath: PUBLISHED,
        progress: new SilentProgress(),
      }),
    (e: Error) =>
      e instanceof InputError && /shard 3\/3 missing.*sbatch --array=2 /.test(e.message),
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a run's results carry the declared trace, comparison rows and checks", async () => {
  const root = await makeRoot();
  const out = join(root, "out");
  const report = await run(root, out, { names: ["sweep"], workers: 2 });
  assert.equal(report.plan.jobs.length, 9);
  const doc = JSON.parse(await Deno.readTextFile(join(out, "sweep", "results.json")));
  assert.equal(doc.schema, "vmmlab.experiment/1");
  assert.equal(doc.experiment.papers[0].citation.startsWith("K. Adams, O. Agesen"), true);
  assert.deepEqual(doc.runs.map((r: { id: string }) => r.id).slice(0, 2), [
    "alpha/native",
    "alpha/bt",
  ]);
  assert.equal(doc.runs[0].result.trace.path, "traces/alpha.vmt", "path as declared, not absolute");
  assert.equal(doc.runs[8].result.trace.path, "synth:syscall");
  const [alpha, beta] = doc.comparison;
  assert.equal(alpha.relError, (alpha.reproduced - 2) / 2);
  assert.equal(beta.published, null);
  assert.deepEqual(beta.band, [1.5, 2.5]);
  assert.equal(doc.checks[0].label, "pv faster than hw");
  const html = await Deno.readTextFile(join(out, "report.html"));
  assert.ok(html.includes("Sweep &lt;test&gt;"));
  assert.ok(html.includes("traces/beta.vmt"));
  assert.ok(html.includes('{"hw.exit-cost":200}'.replaceAll('"', "&quot;")));
  const csv = await Deno.readTextFile(join(out, "sweep", "results.csv"));
  assert.equal(
    csv.split("\n")[1].split(",").slice(0, 2).join(","),
    "alpha/native,traces/alpha.vmt",
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("an engine error names the run and stays a one-line input error", async () => {
  const bad =
    `export default { name: "bad", title: "t", citation: "c", papers: [], description: "d",
    runs: () => [{ id: "ok", trace: { synth: "in" }, config: {} },
                 { id: "broken", trace: { synth: "in" }, config: { cpu: "bogus" } }],
    compare: () => [], chart: () => ({ mark: "bar", data: { values: [] } }) };\n`;
  const root = await makeRoot({ "bad.ts": bad });
  await assert.rejects(
    () => run(root, join(root, "out"), { names: ["bad"], workers: 2 }),
    (e: Error) =>
      e instanceof InputError &&
      e.message === "bad/broken: fake engine: cpu: unknown cpu model bogus",
  );
  await assert.rejects(
    () => run(root, join(root, "out"), { names: ["nonexistent"] }),
    /Unknown experiment nonexistent; known: adams_fig4, bad, sweep/,
  );
  await Deno.remove(root, { recursive: true });
});
