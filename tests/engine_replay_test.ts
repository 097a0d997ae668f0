import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replay, replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { resolveConfig } from "../src/engine/config.ts";
import { Platform } from "../src/engine/model.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import { ControlFlow, MarkerOp, SensitiveOp } from "../src/trace/record.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import { ConfigError, InputError } from "../src/util/errors.ts";
import { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { registerReplayCommand } from "../src/cli/replay_command.ts";
import { synthesizeBytes } from "../src/synth/mod.ts";

const K = -0x80000000;
const plain = { length: 3, sensitive: 0, flow: ControlFlow.None };

/** cpi 1, call 4, ret 6, CLI 60, #DE 800, IRET 50. */
const platform = testPlatform({
  "native.cpi": 1,
  "native.flow.call": 4,
  "native.flow.ret": 6,
  "native.sensitive.cli": 60,
  "native.sensitive.iret": 50,
  "native.exception.de": 800,
});

function smallTrace(): ArrayTrace {
  const t = new ArrayTrace({ workload: "small" });
  const a = t.block(K, 0, [plain, plain, { length: 5, sensitive: 0, flow: ControlFlow.Call }]);
  const r = t.block(K + 0x100, 0, [{ length: 1, sensitive: 0, flow: ControlFlow.Ret }]);
  const c = t.block(K + 0x200, 0, [plain, { length: 1, sensitive: SensitiveOp.Cli, flow: 0 }]);
  const h = t.block(K + 0x300, 0, [plain, { length: 2, sensitive: SensitiveOp.Iret, flow: 7 }]);
  t.marker(MarkerOp.Begin, 0);
  t.exec(a).exec(r).marker(MarkerOp.Iteration, 1);
  t.exec(a).exec(r).marker(MarkerOp.Iteration, 2);
  t.exec(c).sensitive(SensitiveOp.Cli, K + 0x203);
  t.execPartial(a, 1).exception(0, 0, 0, K + 3);
  t.exec(h).sensitive(SensitiveOp.Iret, K + 0x303);
  t.marker(MarkerOp.End, 0);
  return t;
}

Deno.test("native replay charges CPI, control transfers, sensitive instructions and exceptions by hand", () => {
  const r = replayInput(smallTrace(), { platform });
  // a = 1 + 1 + (1+4) = 7; r = 1 + 6 = 7; two iterations: 28.
  // c = 1 plain + CLI 60 = 61; partial a = 1; #DE 800; h = 1 + IRET 50.
  const expected = 28 + 61 + 1 + 800 + 51;
  assert.equal(r.cycles.native, expected);
  assert.equal(r.cycles.virtualized, expected);
  assert.equal(r.slowdown, 1);
  assert.deepEqual(r.breakdown, {
    "guest.exception": 800,
    "guest.exec": 28 + 1 + 1 + 1,
    "guest.sensitive": 110,
  });
  assert.equal(r.trace.iterations, 2);
  assert.equal(r.cycles.perIteration.native, expected / 2);
  assert.equal(r.instructions, 3 + 1 + 3 + 1 + 2 + 1 + 2);
  assert.deepEqual(r.events, { "sensitive.cli": 1, "sensitive.iret": 1 });
});

Deno.test("a result has DESIGN.md's top-level keys in fixed order with host last", () => {
  const r = replayInput(smallTrace(), { platform, cpu: "hw", seed: 7 });
  const keys = Object.keys(r);
  assert.deepEqual(keys.slice(0, 7), [
    "schema",
    "trace",
    "config",
    "cycles",
    "slowdown",
    "breakdown",
    "events",
  ]);
  assert.equal(keys[keys.length - 1], "host");
  assert.equal(r.schema, "vmmlab.result/1");
  assert.deepEqual(Object.keys(r.trace), ["path", "hash", "workload", "iterations"]);
  assert.deepEqual(Object.keys(r.config).slice(0, 6), [
    "cpu",
    "mmu",
    "memory",
    "io",
    "platform",
    "seed",
  ]);
  assert.equal(r.config.seed, 7);
  assert.deepEqual(Object.keys(r.cycles), ["native", "virtualized", "perIteration"]);
  assert.deepEqual(Object.keys(r.breakdown), Object.keys(r.breakdown).sort());
  assert.deepEqual(Object.keys(r.events), Object.keys(r.events).sort());
});

Deno.test("replaying encoded bytes gives the same result as the hand-built records", async () => {
  const t = smallTrace();
  const w = TraceWriter.inMemory({
    workload: "small",
    source: { kind: "synthetic", method: "test", recorder: "test" },
    pageSizes: [4096],
    devices: [],
    inferred: [],
  });
  for (let b = 0; b < t.code.blockCount; b++) {
    w.defineBlock(t.code.blockAddr[b], t.code.blockCpl[b], t.code.instructions(b));
  }
  const c = t.cursor();
  while (c.next()) w.copy(c.record);
  const fromBytes = await replay(w.finish(), { platform, cpu: "bt" });
  const fromArray = replayInput(t, { platform, cpu: "bt" });
  assert.deepEqual(fromBytes.cycles, fromArray.cycles);
  assert.deepEqual(fromBytes.breakdown, fromArray.breakdown);
  assert.deepEqual(fromBytes.events, fromArray.events);
  assert.match(fromBytes.trace.hash, /^sha256:[0-9a-f]{64}$/);
});

Deno.test("an unknown model is a one-line ConfigError with exit status 2", () => {
  let e: unknown = null;
  try {
    replayInput(smallTrace(), { cpu: "vtx" });
  } catch (err) {
    e = err;
  }
  assert.ok(e instanceof ConfigError && e instanceof InputError);
  assert.equal(e.exitCode, 2);
  assert.match(e.message, /unknown cpu model "vtx" \(known: bt, hw, native, pv, trap/);
  assert.ok(!e.message.includes("\n"));
});

Deno.test("a negative platform cost is a ConfigError naming the entry", () => {
  const data = testPlatform();
  data.entries["bt.translate"] = { value: -5, unit: "cycles", source: "typo" };
  assert.throws(
    () => new Platform(data),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "entries.bt.translate.value" &&
      /negative/.test(e.message),
  );
});

Deno.test("a missing platform entry is a ConfigError naming the key", () => {
  const data = testPlatform();
  delete data.entries["hw.vm-entry"];
  assert.throws(
    () => replayInput(smallTrace(), { cpu: "hw", platform: data }),
    (e: unknown) => e instanceof ConfigError && e.field === "entries.hw.vm-entry",
  );
  // Models that do not read the key still run.
  assert.doesNotThrow(() => replayInput(smallTrace(), { cpu: "bt", platform: data }));
});

Deno.test("unknown platform names, negative options and bad seeds are ConfigErrors", () => {
  assert.throws(() => loadPlatform("pentium-9"), /unknown platform "pentium-9"/);
  assert.throws(() => resolveConfig({ options: { "bt.tc-capacity": -1 } }), ConfigError);
  assert.throws(() => resolveConfig({ seed: -3 }), ConfigError);
  assert.throws(
    () => replayInput(smallTrace(), { cpu: "bt", options: { "bt.adapt-threshold": "x" } }),
    (e: unknown) => e instanceof ConfigError && e.field === "bt.adapt-threshold",
  );
});

Deno.test("vmmlab replay with a bad model reports one line and exit status 2", async () => {
  const path = await Deno.makeTempFile({ suffix: ".vmt" });
  try {
    await Deno.writeFile(path, synthesizeBytes("cr8wr", { iterations: 10 }));
    const program = new Command("vmmlab").exitOverride();
    registerReplayCommand(program);
    const e = await program.parseAsync(["replay", path, "--mmu", "nestd"], { from: "user" })
      .then(() => null, (e: unknown) => e);
    assert.ok(e instanceof ConfigError);
    assert.equal(e.exitCode, 2);
    assert.equal(e.message.split("\n").length, 1);
    assert.match(e.message, /unknown mmu model "nestd"/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("all six platforms load and run every CPU model on a nanobenchmark", async () => {
  const bytes = synthesizeBytes("pgfault", { iterations: 5 });
  for (
    const p of [
      "p4-prescott",
      "core2-merom",
      "opteron-barcelona",
      "piii-733",
      "xeon-2400",
      "modern",
    ]
  ) {
    for (const cpu of ["native", "trap", "bt", "pv", "hw"]) {
      const r = await replay(bytes, {
        platform: p,
        cpu,
        mmu: cpu === "pv" ? "pv-direct" : "shadow",
      });
      assert.ok(r.cycles.virtualized >= r.cycles.native, `${p} ${cpu}`);
      assert.equal(r.config.platform, p);
    }
  }
});

Deno.test("warm-up iterations warm the models but are left out of every figure", () => {
  const all = replayInput(smallTrace(), { platform, cpu: "bt" });
  const warm = replayInput(smallTrace(), { platform, cpu: "bt", warmup: 1 });
  // The first iteration (blocks a and r, 14 native cycles) is left out.
  assert.equal(warm.cycles.native, all.cycles.native - 14);
  assert.equal(warm.trace.iterations, 1);
  assert.equal(warm.config.warmup, 1);
  // Blocks a and r were translated during the warm-up: the measured window sees TC hits only.
  assert.equal(warm.events["bt.translations"], all.events["bt.translations"] - 2);
  assert.equal(warm.instructions, (all.instructions as number) - 4);
  assert.throws(
    () => replayInput(smallTrace(), { platform, warmup: 2 }),
    (e: unknown) => e instanceof ConfigError && /leave none/.test(e.message),
  );
});

Deno.test("maxIterations replays a window of whole iterations and stops at its last marker", () => {
  const all = replayInput(smallTrace(), { platform });
  const one = replayInput(smallTrace(), { platform, maxIterations: 1 });
  // The window is iteration 1: blocks a and r, 7 + 7 native cycles, 4 instructions; the
  // CLI, #DE and IRET after iteration 2 are never replayed.
  assert.equal(one.cycles.native, 14);
  assert.equal(one.trace.iterations, 1);
  assert.equal(one.instructions, 4);
  assert.deepEqual(one.events, {});
  assert.equal(one.config.maxIterations, 1);
  // Begin marker, two exec records, the iteration marker: four records read, no more.
  assert.equal(one.records, 4);
  // After one warm-up iteration the window is iteration 2, the same blocks again.
  const warm = replayInput(smallTrace(), { platform, warmup: 1, maxIterations: 1 });
  assert.equal(warm.cycles.native, 14);
  assert.equal(warm.trace.iterations, 1);
  // A window of all the trace's iterations still ends at the last iteration marker: what
  // follows it (CLI, #DE, IRET: 61 + 1 + 800 + 51 cycles) is outside every iteration. An
  // unset window leaves the result's configuration as it was.
  const two = replayInput(smallTrace(), { platform, maxIterations: 2 });
  assert.equal(two.cycles.native, 28);
  assert.equal(all.cycles.native, 28 + 61 + 1 + 800 + 51);
  assert.equal("maxIterations" in all.config, false);
  assert.throws(
    () => replayInput(smallTrace(), { platform, maxIterations: -1 }),
    (e: unknown) => e instanceof ConfigError && /maxIterations/.test(e.message),
  );
});

Deno.test("the vmmlab process exits 2 with one stderr line for a negative cost in a platform file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const trace = `${dir}/t.vmt`;
    await Deno.writeFile(trace, synthesizeBytes("syscall", { iterations: 3 }));
    const bad = testPlatform();
    bad.entries["bt.callout"] = { value: -1, unit: "cycles", source: "typo" };
    await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(bad));
    const main = new URL("../src/cli/main.ts", import.meta.url).pathname;
    for (const args of [["--platform", `${dir}/bad.json`], ["--cpu", "vtx"]]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", "-A", main, "replay", trace, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr).trim();
      assert.equal(out.code, 2, err);
      assert.equal(err.split("\n").length, 1, err);
      assert.match(err, args[0] === "--cpu" ? /unknown cpu model/ : /entries\.bt\.callout\.value/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an option only an unselected model declares becomes a result warning", () => {
  const r = replayInput(smallTrace(), {
    platform,
    cpu: "bt",
    options: { "bt.adapt-threshold": 3, "hw.vpid": true },
  });
  assert.deepEqual(r.warnings, [
    "option hw.vpid is not read by any model of this configuration (an option of a model not selected)",
  ]);
});

Deno.test("an option no registered model declares is a configuration error", () => {
  assert.throws(
    () => replayInput(smallTrace(), { platform, cpu: "bt", options: { "bt.tc-capcity": 10 } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "--option: bt.tc-capcity: no registered model has this option (vmmlab models lists them)",
  );
});
