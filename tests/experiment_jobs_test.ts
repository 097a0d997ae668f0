import assert from "node:assert/strict";
import { join } from "node:path";
import type { Experiment, RunSpec } from "../experiments/_lib/experiment.ts";
import { compareRow, relativeError } from "../experiments/_lib/compare.ts";
import { publishedCell } from "../experiments/_lib/published.ts";
import { canonicalJson, withoutHost } from "../src/cli/experiment/canonical.ts";
import {
  parseShard,
  planExperiments,
  selectShard,
  traceLabel,
} from "../src/cli/experiment/jobs.ts";
import { toCsv } from "../src/cli/experiment/csv.ts";
import { renderMarkdownSummary } from "../src/cli/experiment/markdown.ts";
import { renderSummary } from "../src/cli/experiment/summary.ts";
import { InputError, UsageError } from "../src/util/errors.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";

function experiment(name: string, runs: RunSpec[]): Experiment {
  return {
    name,
    title: name,
    citation: "test",
    papers: [],
    description: "test",
    runs: () => runs,
    compare: () => [],
    chart: () => groupedBars({ title: name, valueTitle: "v", data: [] }),
  };
}

const context = { root: Deno.cwd(), published: {} };

Deno.test("parseShard accepts i/N with 1 <= i <= N and nothing else", () => {
  assert.deepEqual(parseShard("2/5"), { index: 2, count: 5 });
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2", ""]) {
    assert.throws(() => parseShard(bad), UsageError, bad);
  }
});

Deno.test("shards i/N are disjoint and together cover every job exactly once", () => {
  const jobs = Array.from({ length: 23 }, (_, i) => `job${i}`);
  for (let count = 1; count <= 7; count++) {
    const seen: string[] = [];
    for (let index = 1; index <= count; index++) {
      const shard = selectShard(jobs, { index, count });
      // Balanced: sizes differ by at most one.
      assert.ok(Math.abs(shard.length - jobs.length / count) < 1);
      seen.push(...shard);
    }
    assert.deepEqual([...seen].sort(), [...jobs].sort(), `N=${count}`);
    assert.equal(new Set(seen).size, jobs.length, `N=${count} overlaps`);
  }
});

Deno.test("planning merges identical runs across experiments and sorts jobs by key", async () => {
  const a = experiment("b_second", [
    { id: "x", trace: { synth: "syscall" }, config: { cpu: "bt", platform: "p4-prescott" } },
    { id: "y", trace: { synth: "in" }, config: { cpu: "hw" } },
  ]);
  const b = experiment("a_first", [
    // Same trace and config as b_second/x, fields written in another order.
    { id: "same", trace: { synth: "syscall" }, config: { platform: "p4-prescott", cpu: "bt" } },
  ]);
  const plan = await planExperiments([a, b], context);
  assert.deepEqual(plan.experiments.map((e) => e.experiment.name), ["a_first", "b_second"]);
  assert.equal(plan.jobs.length, 2);
  const shared = plan.jobs.find((j) => j.uses.length === 2)!;
  assert.deepEqual(shared.uses, ["a_first/same", "b_second/x"]);
  assert.equal(plan.experiments[0].runs[0].key, plan.experiments[1].runs[0].key);
  const keys = plan.jobs.map((j) => j.key);
  assert.deepEqual(keys, [...keys].sort());
  assert.match(shared.file, /^[0-9a-f]{16}\.json$/);
  // Reordering the experiments changes nothing.
  const again = await planExperiments([b, a], context);
  assert.deepEqual(again.jobs, plan.jobs);
});

Deno.test("planning rejects duplicate run ids and missing or escaping trace files", async () => {
  const dup = experiment("d", [
    { id: "r", trace: { synth: "in" }, config: {} },
    { id: "r", trace: { synth: "cr8wr" }, config: {} },
  ]);
  await assert.rejects(() => planExperiments([dup], context), InputError, "duplicate run id");
  const missing = experiment("m", [{ id: "r", trace: { path: "traces/none.vmt" }, config: {} }]);
  await assert.rejects(
    () => planExperiments([missing], context),
    (e: Error) => e instanceof InputError && /traces\/none\.vmt not found/.test(e.message),
  );
  const escaping = experiment("e", [{ id: "r", trace: { path: "../x.vmt" }, config: {} }]);
  await assert.rejects(() => planExperiments([escaping], context), InputError);
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "traces"));
  await Deno.writeFile(join(dir, "traces", "t.vmt"), new Uint8Array(1));
  const ok = experiment("o", [{ id: "r", trace: { path: "traces/t.vmt" }, config: {} }]);
  const plan = await planExperiments([ok], { root: dir, published: {} });
  assert.equal(plan.jobs.length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("canonical JSON ignores key order; withoutHost drops host at any depth", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } }),
    canonicalJson({
      a: { c: [3, { e: 0, f: 1 }], d: 2 },
      b: 1,
    }),
  );
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
  assert.deepEqual(withoutHost({ x: 1, host: { t: 2 }, runs: [{ result: { host: 3, y: 4 } }] }), {
    x: 1,
    runs: [{ result: { y: 4 } }],
  });
});

Deno.test("trace labels name files by path and recipes with sorted parameters", () => {
  assert.equal(traceLabel({ path: "traces/forkwait.vmt" }), "traces/forkwait.vmt");
  assert.equal(traceLabel({ synth: "in" }), "synth:in");
  assert.equal(traceLabel({ synth: "in", params: { z: 1, a: "b" } }), "synth:in?a=b&z=1");
});

Deno.test("relative errors and band distances are computed one way", () => {
  assert.equal(relativeError(110, 100), 0.1);
  assert.equal(relativeError(90, 100), -0.1);
  assert.equal(relativeError(1, 0), null);
  assert.equal(relativeError(1, null), null);
  const base = { figure: "T1", label: "l", unit: "x", role: "prediction" as const, runs: [] };
  assert.equal(
    compareRow({ ...base, reproduced: 4.2, published: null, band: [3.9, 4.6] }).relError,
    0,
  );
  assert.equal(
    compareRow({ ...base, reproduced: 5.06, published: null, band: [3.9, 4.6] }).relError,
    (5.06 - 4.6) / 4.6,
  );
  assert.equal(
    compareRow({ ...base, reproduced: 3.0, published: null, band: [3.9, 4.6] }).relError,
    (3.0 - 3.9) / 3.9,
  );
});

Deno.test("published tables are read by row and column name", () => {
  const published = {
    adams2006: { fig4: { columns: ["native", "software_vmm"], syscall: [242, 2308] } },
  };
  assert.equal(publishedCell(published, ["adams2006", "fig4"], "syscall", "software_vmm"), 2308);
  assert.throws(
    () => publishedCell(published, ["adams2006", "fig4"], "syscall", "hardware_vmm"),
    /no column hardware_vmm/,
  );
  assert.throws(
    () => publishedCell(published, ["adams2006", "fig4"], "sysenter", "native"),
    /no value at adams2006 > fig4 > sysenter/,
  );
});

Deno.test("CSV quotes only what needs quoting", () => {
  assert.equal(
    toCsv(["a", "b"], [[1, 'say "hi", then'], [null, "x\ny"]]),
    'a,b\n1,"say ""hi"", then"\n,"x\ny"\n',
  );
});

Deno.test("CSV: text a spreadsheet would run as a formula is neutralised; numbers are not", () => {
  assert.equal(
    toCsv(["name", "v"], [["=HYPERLINK(1)", -3], ["+ VMM ports", 2], ["@x,y", 0], ["ok", 1]]),
    "name,v\n'=HYPERLINK(1),-3\n'+ VMM ports,2\n\"'@x,y\",0\nok,1\n",
  );
});

Deno.test("the summary labels predictions and states the largest prediction error", () => {
  const row = (label: string, reproduced: number, role: "calibration" | "prediction") =>
    compareRow({ figure: "F", label, reproduced, published: 100, unit: "s", role, runs: [] });
  const text = renderSummary(
    [
      { experiment: "e", row: row("calibrated", 101, "calibration") },
      { experiment: "e", row: row("forkwait", 130, "prediction") },
    ],
    [
      {
        experiment: "e",
        check: { label: "native < Xen", passed: false, detail: "1 vs 0.9", role: "prediction" },
      },
      {
        experiment: "e",
        check: {
          label: "dbench",
          passed: null,
          detail: "not reproduced: no trace",
          role: "prediction",
        },
      },
      {
        experiment: "e",
        check: {
          label: "fork",
          passed: true,
          detail: "ordered",
          role: "prediction",
          headline: true,
        },
      },
    ],
  );
  assert.match(text, /forkwait .*130 .*100 .*\+30% .*prediction/);
  assert.match(text, /calibrated .*\+1\.0% .*calibration/);
  assert.doesNotMatch(text, /DRIFT/, "1% is within the calibration tolerance");
  assert.match(text, /2 numbers, 1 predictions .*largest prediction error x1\.30 \(/);
  assert.match(text, /MISS e: native < Xen \(prediction\)/);
  assert.match(text, /---- e: dbench \(prediction\) — not reproduced: no trace/);
  assert.match(text, /ok {3}e: fork/);
  assert.match(text, /Checks: 1 ok, 1 MISS, 1 not reproduced/);
  // Headline targets are repeated together; other checks are not.
  const targets = text.slice(text.indexOf("Targets"));
  assert.match(targets, /^Targets .*\n {2}ok {3}e: fork — ordered\n/);
  assert.doesNotMatch(targets.split("Checks:")[0], /native < Xen|dbench/);
});

Deno.test("the Markdown summary has targets, a table per experiment and every check", () => {
  const row = (label: string, reproduced: number) =>
    compareRow({
      figure: "Table 3",
      label,
      reproduced,
      published: 2,
      unit: "us",
      role: "prediction",
      runs: [],
    });
  const md = renderMarkdownSummary(
    [
      { experiment: "lm", row: row("null call | Xen", 3) },
      {
        experiment: "bh",
        row: compareRow({
          figure: "Table 1",
          label: "w",
          reproduced: 2,
          published: null,
          band: [3.9, 4.57],
          unit: "x",
          role: "prediction",
          runs: [],
        }),
      },
    ],
    [
      {
        experiment: "lm",
        check: {
          label: "order",
          passed: false,
          detail: "broken",
          role: "prediction",
          headline: true,
        },
      },
      {
        experiment: "lm",
        check: { label: "stat", passed: null, detail: "no trace", role: "prediction" },
      },
    ],
  );
  const lines = md.split("\n");
  assert.equal(lines[0], "# Reproduced vs published");
  assert.ok(lines.includes("| **MISS** | lm | order | broken |"), md);
  // A pipe inside a label is escaped so the table keeps its columns.
  assert.ok(lines.includes("| Table 3 | null call \\| Xen | 3 | 2 | us | +50% | prediction |"), md);
  assert.ok(lines.includes("| Table 1 | w | 2 | 3.9–4.57 | x | -49% | prediction |"), md);
  assert.ok(lines.includes("- not reproduced: stat (prediction) — no trace"), md);
  assert.ok(md.indexOf("## lm") < md.indexOf("## bh"), "experiments in the order given");
  assert.ok(md.endsWith("\n") && !md.endsWith("\n\n"));
});

Deno.test("the summary flags calibration rows that no longer match their published value", () => {
  const row = (label: string, reproduced: number, role: "calibration" | "prediction") =>
    compareRow({ figure: "F", label, reproduced, published: 100, unit: "us", role, runs: [] });
  const text = renderSummary(
    [
      { experiment: "lm", row: row("ctx, Xen", 562, "calibration") },
      { experiment: "lm", row: row("ctx, VMware", 562, "prediction") },
      { experiment: "lm", row: row("pf, Xen", 109, "calibration") },
    ],
    [],
  );
  const md = renderMarkdownSummary(
    [{ experiment: "lm", row: row("ctx, Xen", 562, "calibration") }],
    [],
  );
  assert.ok(md.includes("## Calibration drift\n") && md.includes("- lm: ctx, Xen +462%\n"), md);
  const drift = text.split("\n").filter((l) => l.startsWith("DRIFT"));
  assert.deepEqual(drift, [
    "DRIFT lm: calibration row ctx, Xen is +462% off its published value (more than 10%)",
  ]);
});
