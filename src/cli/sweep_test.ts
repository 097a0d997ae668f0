import assert from "node:assert/strict";
import { join } from "node:path";
import { renderSvg } from "../charts/svg.ts";
import type { Result } from "../engine/result.ts";
import { InputError, UsageError } from "../util/errors.ts";
import { parseConfigSpec } from "./config_spec.ts";
import {
  checkSweepSize,
  parseVary,
  pointConfig,
  points,
  spansDecades,
  sweepChart,
  sweepCsv,
  type SweepPoint,
} from "./sweep.ts";
import { runCli } from "./test_support.ts";

Deno.test("sweep plan: values in order, the first key slowest, the base untouched", () => {
  const a = parseVary("platform.hw.vm-exit=250,500");
  const b = parseVary("mmu.pwc-entries=1,4,8");
  assert.deepEqual(points([a, b]), [
    ["250", "1"],
    ["250", "4"],
    ["250", "8"],
    ["500", "1"],
    ["500", "4"],
    ["500", "8"],
  ]);
  const base = parseConfigSpec("cpu=hw,mmu=nested,platform.hw.vm-entry=9").config;
  const c = pointConfig(base, [a, b], ["500", "4"]);
  assert.deepEqual(c.platformSet, { "hw.vm-entry": 9, "hw.vm-exit": 500 });
  assert.deepEqual(c.options, { "mmu.pwc-entries": 4 });
  assert.deepEqual(base.platformSet, { "hw.vm-entry": 9 }, "base unchanged");
  assert.equal(pointConfig(base, [parseVary("cpu=bt,pv")], ["pv"]).cpu, "pv");
});

Deno.test("sweep plan: mistakes are caught before any replay", () => {
  assert.throws(() => parseVary("platform.hw.vm-exit=250,,500"), /empty value/);
  assert.throws(() => parseVary("platform.hw.vm-exit=250,250"), /given twice/);
  assert.throws(() => parseVary("platform.hw.vm-exit=-1"), /not a non-negative number/);
  assert.throws(() => parseVary("speed=1,2"), InputError);
  assert.throws(() => checkSweepSize([], 1), UsageError);
  const v = parseVary("seed=1,2");
  assert.throws(() => checkSweepSize([v, v], 1), /varied twice/);
  assert.throws(
    () => checkSweepSize([v, parseVary("cpu=bt"), parseVary("mmu=shadow")], 1),
    /at most two/,
  );
  const big = { key: "seed", values: Array.from({ length: 101 }, (_, i) => String(i)) };
  assert.throws(() => checkSweepSize([big, { ...big, key: "warmup" }], 1), /10201 replays/);
});

function fake(workload: string, native: number, virtualized: number): Result {
  return {
    schema: "vmmlab.result/1",
    trace: { path: `${workload}.vmt`, hash: "", workload, iterations: 2 },
    config: { cpu: "hw", mmu: "nested", io: "native", memory: "none", platform: "p", seed: 1 },
    cycles: {
      native,
      virtualized,
      perIteration: { native: native / 2, virtualized: virtualized / 2 },
    },
    slowdown: virtualized / native,
    breakdown: { "guest.exec": virtualized },
    events: {},
    host: {},
  };
}

Deno.test("sweep CSV and charts: hand-computed rows; a line over one key, a heat map over two", async () => {
  const one = [parseVary("platform.hw.vm-exit=0,1000")];
  const rows: SweepPoint[] = [
    { trace: "a.vmt", point: ["0"], result: fake("a", 100, 150) },
    { trace: "a.vmt", point: ["1000"], result: fake("a", 100, 250) },
  ];
  const csv = sweepCsv(one, rows).trimEnd().split("\n");
  assert.equal(csv.length, 3);
  assert.ok(csv[0].startsWith("trace,workload,platform.hw.vm-exit,cpu,"));
  // native 50/iter, steady 125/iter, slowdown 2.5, overhead 150%.
  assert.equal(csv[2], "a.vmt,a,1000,hw,nested,native,none,p,2,50,125,125,0,2.5,2.5,150,");
  assert.equal(spansDecades([1, 10, 100]), true);
  assert.equal(spansDecades([0, 10, 100]), false, "zero has no place on a log axis");
  assert.equal(spansDecades([250, 500, 1000, 2000]), false);
  const line = sweepChart(one, rows, "steady-slowdown", "s");
  assert.equal((line as { mark: { type: string } }).mark.type, "line");
  const two = [parseVary("platform.hw.vm-exit=0,1000"), parseVary("platform.mmu.pwc.entries=1,4")];
  const grid: SweepPoint[] = points(two).map((p, i) => ({
    trace: "a.vmt",
    point: p,
    result: fake("a", 100, 110 + 10 * i),
  }));
  const heat = sweepChart(two, grid, "overhead", "s");
  assert.ok("facet" in heat);
  const { svg, warnings } = await renderSvg(heat);
  assert.deepEqual(warnings, []);
  for (const label of ["10.0", "20.0", "30.0", "40.0"]) {
    assert.ok(svg.includes(label), label);
  }
});

Deno.test("vmmlab sweep: two keys on two traces write the CSV, JSON and chart; values match replay", async () => {
  const out = await Deno.makeTempDir();
  try {
    const traces = ["tests/fixtures/qsort_lackey.vmt", "traces/lmbench-null-call.vmt"];
    const r = await runCli(
      "sweep",
      ...traces,
      "--config",
      "cpu=hw,mmu=nested,platform=opteron-barcelona",
      "--vary",
      "platform.hw.vm-exit=250,2000",
      "--vary",
      "platform.mmu.pwc.entries=1,24",
      "--workers",
      "2",
      "--out",
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[8\/8\] sweep: /, "progress lines off a terminal");
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, ["sweep.csv", "sweep.json", "sweep.png", "sweep.svg", "sweep.vl.json"]);
    const lines = (await Deno.readTextFile(join(out, "sweep.csv"))).trimEnd().split("\n");
    assert.equal(lines.length, 9);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(",").slice(0, 4).join(",")),
      traces.flatMap((t) =>
        ["250,1", "250,24", "2000,1", "2000,24"].map((p) =>
          `${t},${t.includes("qsort") ? "qsort-lackey" : "lmbench-null-call"},${p}`
        )
      ),
    );
    const single = await runCli(
      "replay",
      traces[1],
      "--cpu",
      "hw",
      "--mmu",
      "nested",
      "--platform",
      "opteron-barcelona",
      "--set",
      "platform.hw.vm-exit=2000",
      "--set",
      "platform.mmu.pwc.entries=1",
      "--json",
    );
    const expected = JSON.parse(single.stdout);
    const doc = JSON.parse(await Deno.readTextFile(join(out, "sweep.json")));
    const point = doc.points[6];
    assert.deepEqual(point.values, ["2000", "1"]);
    assert.equal(point.result.host, undefined, "sweep.json leaves out wall-clock figures");
    delete expected.host;
    assert.deepEqual(point.result, expected, "a sweep point is the replay of its configuration");
    const row = lines[7].split(",");
    assert.equal(Number(row[14]), expected.steady.slowdown);
    const png = await Deno.readFile(join(out, "sweep.png"));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("vmmlab sweep: an unknown platform key is one line, exit 2, nothing written", async () => {
  const out = join(await Deno.makeTempDir(), "sweep");
  try {
    const r = await runCli(
      "sweep",
      "tests/fixtures/qsort_lackey.vmt",
      "--vary",
      "platform.hw.vm-exti=1,2",
      "--out",
      out,
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "vmmlab: --set: platform.hw.vm-exti: platform p4-prescott has no entry hw.vm-exti (did you mean hw.vm-exit?)\n",
    );
    assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
    const csv = await runCli(
      "sweep",
      "tests/fixtures/qsort_lackey.vmt",
      "--vary",
      "platform.hw.vm-exit=1,2",
      "--out",
      "-",
      "--quiet",
    );
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout.trimEnd().split("\n").length, 3, "--out - prints the CSV");
  } finally {
    await Deno.remove(join(out, ".."), { recursive: true });
  }
});

Deno.test("vmmlab sweep --shard i/N and vmmlab merge give the unsharded sweep's files", async () => {
  const root = await Deno.makeTempDir();
  try {
    const args = [
      "sweep",
      "tests/fixtures/qsort_lackey.vmt",
      "--config",
      "cpu=hw,mmu=nested,platform=opteron-barcelona",
      "--vary",
      "platform.hw.vm-exit=250,2000",
      "--vary",
      "platform.mmu.pwc.entries=1,24",
      "--workers",
      "1",
      "--quiet",
    ];
    const whole = await runCli(...args, "--out", join(root, "whole"));
    assert.equal(whole.code, 0, whole.stderr);
    for (const i of [1, 2]) {
      const r = await runCli(...args, "--shard", `${i}/2`, "--out", join(root, `s${i}`));
      assert.equal(r.code, 0, r.stderr);
      assert.equal([...Deno.readDirSync(join(root, `s${i}`, "runs"))].length, 2);
    }
    const partial = await runCli("merge", join(root, "s1"), "--out", join(root, "bad"), "--quiet");
    assert.equal(partial.code, 2);
    assert.match(
      partial.stderr,
      /^vmmlab: merge: 2 of 4 sweep points missing \(given shards: 1\/2\)/,
    );
    const merged = await runCli(
      "merge",
      join(root, "s1"),
      join(root, "s2"),
      "--out",
      join(root, "merged"),
      "--quiet",
    );
    assert.equal(merged.code, 0, merged.stderr);
    for (const f of ["sweep.csv", "sweep.json", "sweep.vl.json", "sweep.svg"]) {
      assert.equal(
        await Deno.readTextFile(join(root, "merged", f)),
        await Deno.readTextFile(join(root, "whole", f)),
        f,
      );
    }
    const other = await runCli(
      ...args.map((a) => a === "platform.hw.vm-exit=250,2000" ? "platform.hw.vm-exit=250,999" : a),
      "--shard",
      "2/2",
      "--out",
      join(root, "other"),
    );
    assert.equal(other.code, 0, other.stderr);
    const mixed = await runCli(
      "merge",
      join(root, "s1"),
      join(root, "other"),
      "--out",
      join(root, "x"),
    );
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /ran another sweep than/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("vmmlab sweep: a varied option no model reads is one line, exit 2, nothing written", async () => {
  const out = join(await Deno.makeTempDir(), "sweep");
  try {
    const r = await runCli(
      "sweep",
      "tests/fixtures/qsort_lackey.vmt",
      "--config",
      "cpu=bt",
      "--vary",
      "bt.tc-capacty=64,128",
      "--out",
      out,
      "--quiet",
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "vmmlab: --vary: bt.tc-capacty: no registered model has this option (vmmlab models lists them)\n",
    );
    assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
    const ok = await runCli(
      "sweep",
      "tests/fixtures/qsort_lackey.vmt",
      "--config",
      "cpu=bt",
      "--vary",
      "bt.tc-capacity=64,128",
      "--out",
      out,
      "--quiet",
    );
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await Deno.remove(join(out, ".."), { recursive: true });
  }
});
