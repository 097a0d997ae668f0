import assert from "node:assert/strict";
import type { Result } from "../engine/result.ts";
import { buildComparison, formatComparison } from "./compare.ts";
import { compareConfigs } from "./compare_command.ts";
import { runCli } from "./test_support.ts";

function result(
  cpu: string,
  breakdown: Record<string, number>,
  events: Record<string, number> = {},
): Result {
  const virtualized = Object.values(breakdown).reduce((a, b) => a + b, 0);
  return {
    schema: "vmmlab.result/1",
    trace: { path: "t.vmt", hash: "sha256:00", workload: "w", iterations: 2 },
    config: { cpu, mmu: "native", io: "native", memory: "none", platform: "p4-prescott", seed: 1 },
    cycles: {
      native: 200,
      virtualized,
      perIteration: { native: 100, virtualized: virtualized / 2 },
    },
    slowdown: virtualized / 200,
    breakdown,
    events,
    host: {},
  };
}

Deno.test("compare: hand-computed steady state, one-time translation apart, overhead", () => {
  const bt = result("bt", { "guest.exec": 200, "bt.translate": 600, "bt.callout": 200 });
  // After a flush translations repeat: they are steady-state work, not one-time.
  const flushed = result("bt", { "guest.exec": 200, "bt.translate": 600, "bt.callout": 200 }, {
    "bt.tc-flushes": 1,
  });
  const native = result("native", { "guest.exec": 200 });
  const report = buildComparison(["bt", "bt-flushed", "native"], [[bt, flushed, native]]);
  const [a, b, c] = report.traces[0].cells;
  assert.equal(a.oneTimeCycles, 600);
  assert.equal(a.steadyPerIteration, 200); // (1000 - 600) / 2
  assert.equal(a.windowPerIteration, 500);
  assert.equal(a.overhead, 1); // 200 / 100 - 1
  assert.deepEqual(a.causes, { "guest.exec": 100, "bt.translate": 0, "bt.callout": 100 });
  assert.equal(b.oneTimeCycles, 0);
  assert.equal(b.steadyPerIteration, 500);
  assert.equal(b.causes["bt.translate"], 300);
  assert.equal(c.overhead, 0);
  // Causes: largest first across configurations, zero everywhere left out.
  assert.deepEqual(report.traces[0].causes, ["bt.translate", "bt.callout", "guest.exec"]);
  const text = formatComparison(report);
  assert.match(text, /overhead over native\s*│\s*\+100\.0%\s*│\s*\+400\.0%\s*│\s*\+0\.0%/);
  assert.match(text, /one-time translation \(cycles, once\)\s*│\s*600\s*│\s*-\s*│\s*-/);
});

Deno.test("compare: shared --set and --option reach every configuration; labels are unique", () => {
  const c = compareConfigs(["cpu=hw", "cpu=hw,platform.hw.vm-exit=9"], { "hw.vm-exit": 5 }, {
    "a.b": 1,
  });
  assert.deepEqual(c[0].config.platformSet, { "hw.vm-exit": 5 });
  assert.deepEqual(c[1].config.platformSet, { "hw.vm-exit": 9 }, "the config's own wins");
  assert.deepEqual(c[1].config.options, { "a.b": 1 });
  assert.throws(() => compareConfigs(["cpu=hw", "cpu=hw"], {}, {}), /labelled hw/);
  // No --config: the four techniques of the overview experiment.
  const four = compareConfigs([], { "hw.vm-exit": 5 }, {});
  assert.deepEqual(four.map((c) => c.label), ["bt", "pv", "hw", "hw+nested"]);
  assert.deepEqual(four.map((c) => [c.config.cpu, c.config.mmu, c.config.io]), [
    ["bt", "shadow", "emulated"],
    ["pv", "pv-direct", "pv"],
    ["hw", "shadow", "emulated"],
    ["hw", "nested", "emulated"],
  ]);
  assert.deepEqual(four[3].config.platformSet, { "hw.vm-exit": 5 });
});

const FIXTURE = "tests/fixtures/qsort_lackey.vmt";

Deno.test("vmmlab compare: table, --json and --csv agree with replay", async () => {
  const replayRun = await runCli("replay", FIXTURE, "--cpu", "hw", "--mmu", "nested", "--json");
  assert.equal(replayRun.code, 0, replayRun.stderr);
  const single = JSON.parse(replayRun.stdout);
  const json = await runCli(
    "compare",
    FIXTURE,
    "--config",
    "cpu=hw,mmu=nested",
    "--config",
    "label=exit500,cpu=hw,mmu=nested,platform.hw.vm-exit=500",
    "--json",
  );
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.schema, "vmmlab.compare/1");
  assert.deepEqual(report.configs.map((c: { label: string }) => c.label), ["hw+nested", "exit500"]);
  const cell = report.traces[0].cells[0];
  assert.equal(cell.steadyPerIteration, single.cycles.perIteration.virtualized);
  assert.equal(cell.nativePerIteration, single.cycles.perIteration.native);
  assert.deepEqual(report.configs[1].config.platformSet, { "hw.vm-exit": 500 });

  const table = await runCli("compare", FIXTURE, "--config", "cpu=hw,mmu=nested");
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Cause \(cycles\/iteration\)\s*│\s*hw\+nested/);
  assert.match(table.stdout, /overhead over native/);

  const csv = await runCli("compare", FIXTURE, "--config", "cpu=hw,mmu=nested", "--csv");
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "trace,workload,config,kind,name,unit,value");
  assert.ok(
    lines.includes(
      `${FIXTURE},qsort-lackey,hw+nested,cycles,virtualized,cycles,${single.cycles.virtualized}`,
    ),
  );
});

Deno.test("vmmlab compare: mistakes are one line, exit 2, nothing on stdout", async () => {
  const bad = await runCli(
    "compare",
    FIXTURE,
    "--config",
    "cpu=hw,mmu=nested,platform.hw.vm-exti=1",
  );
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "vmmlab: --set: platform.hw.vm-exti: platform p4-prescott has no entry hw.vm-exti (did you mean hw.vm-exit?)\n",
  );
  assert.equal(bad.stdout, "");
  const self = await runCli("compare", FIXTURE, "--config", "cpu=hw", "--out", FIXTURE);
  assert.equal(self.code, 2);
  assert.equal(
    self.stderr,
    `vmmlab: --out: ${FIXTURE} is an input trace; refusing to overwrite it\n`,
  );
  const missing = await runCli("compare", "nope.vmt", FIXTURE, "--config", "cpu=hw");
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, "vmmlab: nope.vmt: no such trace file\n");
  const model = await runCli("compare", FIXTURE, "--config", "cpu=vmx", "--config", "cpu=hw");
  assert.equal(model.code, 2, "a worker's input error keeps its exit status");
  assert.match(model.stderr, /^vmmlab: .*unknown cpu model "vmx".*\n$/);
  // An option one configuration reads is fine; one that none reads is a typo.
  const some = await runCli(
    "compare",
    FIXTURE,
    "--config",
    "cpu=bt",
    "--config",
    "cpu=hw,mmu=nested",
    "--option",
    "bt.tc-capacity=64",
    "--json",
  );
  assert.equal(some.code, 0, some.stderr);
  const typo = await runCli(
    "compare",
    FIXTURE,
    "--config",
    "cpu=bt",
    "--option",
    "hw.vpid=1",
  );
  assert.equal(typo.code, 2);
  assert.equal(
    typo.stderr,
    "vmmlab: --option: hw.vpid is not read by any model of any configuration (an option of a model not selected)\n",
  );
  assert.equal(typo.stdout, "");
  const key = await runCli("compare", FIXTURE, "--config", "cpu=hw,speed=9");
  assert.equal(key.code, 2);
  assert.match(key.stderr, /^vmmlab: --config: unknown key "speed"/);
});
