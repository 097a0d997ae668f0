/**
 * Issue 5, "Done when": two runs of `vmmlab experiment` with different `--workers` give
 * byte-identical output files outside the `host` sections. Unlike the runner's own test
 * (a stand-in engine), this one replays on the project's real engine: the real
 * `adams_fig4` experiment (synthetic recipes) beside a small probe experiment over a real
 * committed trace under every model family.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments } from "../src/cli/experiment/runner.ts";

const url = (path: string) => pathToFileURL(join(REPO_ROOT, path)).href;

/** A real trace under configurations that reach every model family, options and seeds. */
const PROBE = `
import { groupedBars } from "${url("src/charts/grouped_bars.ts")}";
import { compareRow } from "${url("experiments/_lib/compare.ts")}";
import { need } from "${url("experiments/_lib/results.ts")}";
const TRACE = { path: "tests/fixtures/qsort_lackey.vmt" };
const SYSTEMS = {
  native: { cpu: "native", mmu: "native", io: "native", memory: "none" },
  bt: { cpu: "bt", mmu: "shadow", io: "emulated", memory: "balloon" },
  pv: { cpu: "pv", mmu: "pv-direct", io: "pv", memory: "share", seed: 7 },
  hw: { cpu: "hw", mmu: "nested", io: "passthrough", memory: "swap", platform: "modern" },
};
export default {
  name: "workers_probe",
  title: "Worker-count probe",
  citation: "none",
  papers: ["adams2006"],
  description: "A real lackey trace under four model sets.",
  runs: () => [
    ...Object.entries(SYSTEMS).map(([id, config]) => ({ id, trace: TRACE, config })),
    { id: "pgfault", trace: { synth: "pgfault", params: { iterations: 300, seed: 3 } },
      config: SYSTEMS.bt },
  ],
  compare: (results) => ["bt", "pv", "hw"].map((id) => compareRow({
    figure: "Probe", label: id, reproduced: need(results, id).slowdown, published: null,
    unit: "x native", role: "prediction", runs: [id],
  })),
  chart: (results) => groupedBars({
    title: "Probe", valueTitle: "slowdown",
    data: ["bt", "pv", "hw", "pgfault"].map((id) => ({
      group: id, series: "slowdown", value: need(results, id).slowdown,
    })),
  }),
};
`;

/** Removes every field named `host`, keeping the file's own key order. */
function dropHost(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropHost);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (key !== "host") out[key] = dropHost(field);
    }
    return out;
  }
  return value;
}

/** Counts `host` fields, to check the comparison really skipped something. */
function countHost(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countHost(v), 0);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).reduce(
      (n, [key, field]) => n + (key === "host" ? 1 : 0) + countHost(field),
      0,
    );
  }
  return 0;
}

/** Offset of the first differing byte, or -1 when `a` and `b` are identical. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

interface Snapshot {
  /** Relative path → bytes to compare (JSON files: re-serialized without host, same order). */
  files: Map<string, Uint8Array>;
  /** Number of host sections skipped. */
  hosts: number;
}

async function snapshot(dir: string): Promise<Snapshot> {
  const files = new Map<string, Uint8Array>();
  let hosts = 0;
  async function walk(path: string): Promise<void> {
    const entries = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(path, entry.name);
      if (entry.isDirectory) {
        await walk(full);
        continue;
      }
      let bytes = await Deno.readFile(full);
      if (entry.name.endsWith(".json")) {
        const data = JSON.parse(new TextDecoder().decode(bytes));
        hosts += countHost(data);
        bytes = new TextEncoder().encode(JSON.stringify(dropHost(data), null, 2));
      }
      files.set(relative(dir, full), bytes);
    }
  }
  await walk(dir);
  return { files, hosts };
}

Deno.test("real-engine experiment outputs are byte-identical outside host for 1 and 2 workers, with and without group replay", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "vmmlab_workers_" });
  try {
    const experiments = join(tmp, "experiments");
    await Deno.mkdir(experiments);
    await Deno.writeTextFile(
      join(experiments, "adams_fig4.ts"),
      `export { default } from "${url("experiments/adams_fig4.ts")}";\n`,
    );
    await Deno.writeTextFile(join(experiments, "workers_probe.ts"), PROBE);
    // The real engine without replayGroup: the workers replay every job of a unit alone.
    const perJob = join(tmp, "per_job_engine.ts");
    await Deno.writeTextFile(
      perJob,
      `export { replay, synthesize } from "${url("src/cli/experiment/default_engine.ts")}";\n`,
    );
    const outs: Snapshot[] = [];
    const setups = [
      { workers: 1, name: "out1", engine: undefined },
      { workers: 2, name: "out2", engine: undefined },
      { workers: 2, name: "out2-per-job", engine: pathToFileURL(perJob).href },
    ];
    for (const { workers, name, engine } of setups) {
      const out = join(tmp, name);
      const report = await runExperiments({
        engine,
        names: ["adams_fig4", "workers_probe"],
        out,
        root: REPO_ROOT,
        experimentsDir: experiments,
        publishedPath: join(REPO_ROOT, "experiments/published"),
        workers,
        progress: new SilentProgress(),
        warn: (line) => assert.fail(line),
      });
      assert.equal(report.workers, workers);
      assert.equal(report.jobsRun, 26, "21 nanobenchmark runs + 5 probe runs");
      // The real engine ran: its results carry wall time in host, and real mechanisms.
      const probe = JSON.parse(
        await Deno.readTextFile(join(out, "workers_probe", "results.json")),
      );
      const byId = new Map<string, { result: { slowdown: number; host: unknown } }>(
        probe.runs.map((r: { id: string }) => [r.id, r]),
      );
      assert.equal(byId.get("native")!.result.slowdown, 1);
      assert.ok(byId.get("bt")!.result.slowdown > 1);
      assert.equal(
        typeof (byId.get("bt")!.result.host as { wallSeconds?: unknown }).wallSeconds,
        "number",
      );
      outs.push(await snapshot(out));
    }
    const [one, two, perJobOut] = outs;
    // The comparison is not vacuous: the raw manifests differ (host.workers is 1 vs 2), and
    // only dropping host makes them equal.
    const raw = await Promise.all(
      [1, 2].map((w) => Deno.readFile(join(tmp, `out${w}`, "manifest.json"))),
    );
    assert.notEqual(firstDifference(raw[0], raw[1]), -1, "raw manifests should differ in host");
    assert.deepEqual([...one.files.keys()], [...two.files.keys()], "same files");
    for (
      const file of [
        "manifest.json",
        "report.html",
        "summary.csv",
        "summary.json",
        "adams_fig4/chart.png",
        "adams_fig4/chart.svg",
        "adams_fig4/results.csv",
        "workers_probe/comparison.csv",
        "workers_probe/results.json",
      ]
    ) assert.ok(one.files.has(file), `missing ${file}`);
    // manifest.json, 26 runs/*.json and 26 results.json entries each carry a host section.
    assert.ok(one.hosts >= 1 + 26 + 26, `host sections seen: ${one.hosts}`);
    assert.deepEqual([...one.files.keys()], [...perJobOut.files.keys()], "same files");
    for (const [file, bytes] of one.files) {
      const other = two.files.get(file)!;
      const at = firstDifference(bytes, other);
      assert.equal(at, -1, `${file} differs between 1 and 2 workers at byte ${at}`);
      const alone = firstDifference(bytes, perJobOut.files.get(file)!);
      assert.equal(alone, -1, `${file} differs with job-by-job replay at byte ${alone}`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
