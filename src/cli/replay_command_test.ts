import assert from "node:assert/strict";
import { runCli as vmmlab } from "./test_support.ts";

Deno.test("replay --json: stdout is the JSON alone, its warnings are also on stderr", async () => {
  const r = await vmmlab("replay", "tests/fixtures/qsort_lackey.vmt", "--cpu", "hw", "--json");
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.warnings.length, 1);
  assert.equal(r.stderr.trim(), `vmmlab: warning: ${result.warnings[0]}`);
  assert.match(r.stderr, /--cpu hw with --mmu native/);
});

Deno.test("replay --option that no model of the configuration reads: one line, exit 2, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/r.json`;
    const r = await vmmlab(
      "replay",
      "tests/fixtures/qsort_lackey.vmt",
      "--option",
      "bt.tc-capacity=1",
      "--json",
      "--out",
      out,
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "vmmlab: --option: bt.tc-capacity is not read by any model of this configuration (an option of a model not selected)\n",
    );
    assert.equal(r.stdout, "");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    // The same option where the translator is selected is read.
    const ok = await vmmlab(
      "replay",
      "tests/fixtures/qsort_lackey.vmt",
      "--cpu",
      "bt",
      "--option",
      "bt.tc-capacity=1",
    );
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("replay --out into a folder: one line, exit 2, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await vmmlab("replay", "tests/fixtures/qsort_lackey.vmt", "--out", dir);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `vmmlab: --out: ${dir} is a folder, not a file\n`);
    assert.equal(r.stdout, "");
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const FIXTURE = "tests/fixtures/qsort_lackey.vmt";

Deno.test("replay: the steady state beside the window, one-time translation apart", async () => {
  const trace = "traces/lmbench-null-call.vmt";
  const r = await vmmlab("replay", trace, "--cpu", "bt", "--json", "--run-iterations", "10000");
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  const translate = result.breakdown["bt.translate"];
  const n = result.trace.iterations;
  assert.ok(translate > 0 && n > 0);
  assert.equal(result.events["bt.tc-flushes"] ?? 0, 0, "no flush: translation is one-time");
  const round = (x: number, s: number) => Math.round(x * s) / s;
  assert.equal(result.steady.oneTimeCycles, translate);
  assert.equal(
    result.steady.perIteration.virtualized,
    round((result.cycles.virtualized - translate) / n, 100),
  );
  assert.equal(result.steady.perIteration.native, round(result.cycles.native / n, 100));
  assert.equal(
    result.steady.slowdown,
    round((result.cycles.virtualized - translate) / result.cycles.native, 1e6),
  );
  assert.ok(result.steady.slowdown < result.slowdown);
  // A 10,000-iteration run: its steady iterations plus the translation once.
  const perIt = (result.cycles.virtualized - translate) / n;
  const run = (perIt * 10000 + translate) / (result.cycles.native / n * 10000);
  assert.deepEqual(result.steady.run, { iterations: 10000, slowdown: round(run, 1e6) });
  const table = await vmmlab("replay", trace, "--cpu", "bt");
  assert.match(table.stdout, new RegExp(`steady      ${result.steady.slowdown.toFixed(3)}x`));
  assert.match(table.stdout, new RegExp(`one-time    ${translate} cycles of first translation`));
  assert.match(table.stdout, new RegExp(`slowdown    ${result.slowdown.toFixed(3)}x`));
});

Deno.test("replay --set platform.KEY=VALUE changes that cost; an unknown key is one line, exit 2", async () => {
  // Barcelona's 24-entry page-walk cache against a 1-entry one: more walk references.
  const trace = "traces/lmbench-ctx-2p-16k.vmt";
  const flags = ["--cpu", "hw", "--mmu", "nested", "--platform", "opteron-barcelona", "--json"];
  const base = JSON.parse((await vmmlab("replay", trace, ...flags)).stdout);
  const r = await vmmlab("replay", trace, ...flags, "--set", "platform.mmu.pwc.entries=1");
  assert.equal(r.code, 0, r.stderr);
  const set = JSON.parse(r.stdout);
  assert.deepEqual(set.config.platformSet, { "mmu.pwc.entries": 1 });
  assert.equal(base.config.platformSet, undefined, "no overrides, no field");
  assert.ok(set.events["walk.refs"] > base.events["walk.refs"], "a smaller PWC, more refs");
  const bad = await vmmlab("replay", FIXTURE, "--cpu", "hw", "--set", "platform.hw.vm-exti=5");
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    "vmmlab: --set: platform.hw.vm-exti: platform p4-prescott has no entry hw.vm-exti (did you mean hw.vm-exit?)\n",
  );
  assert.equal(bad.stdout, "");
  const notPlatform = await vmmlab("replay", FIXTURE, "--set", "bt.tc-capacity=5");
  assert.equal(notPlatform.code, 2);
  assert.match(notPlatform.stderr, /^vmmlab: --set: bt\.tc-capacity is not a platform entry/);
  const negative = await vmmlab("replay", FIXTURE, "--set", "platform.hw.vm-exit=-5");
  assert.equal(negative.code, 2);
  assert.equal(negative.stderr.split("\n").length, 2, "one line");
});

Deno.test("replay --csv: tidy long rows that add up to the result", async () => {
  const json = JSON.parse(
    (await vmmlab("replay", FIXTURE, "--cpu", "hw", "--mmu", "nested", "--json")).stdout,
  );
  const r = await vmmlab("replay", FIXTURE, "--cpu", "hw", "--mmu", "nested", "--csv");
  assert.equal(r.code, 0, r.stderr);
  const [header, ...rows] = r.stdout.trimEnd().split("\n");
  assert.equal(header, "trace,workload,config,kind,name,unit,value");
  const config = '"cpu=hw,mmu=nested,io=native,memory=none,platform=p4-prescott"';
  const parsed = rows.map((line) => {
    assert.ok(line.startsWith(`${FIXTURE},qsort-lackey,${config},`), line);
    const [kind, name, unit, value] = line.slice(`${FIXTURE},qsort-lackey,${config},`.length)
      .split(",");
    return { kind, name, unit, value: Number(value) };
  });
  const breakdown = parsed.filter((p) => p.kind === "breakdown");
  assert.deepEqual(
    Object.fromEntries(breakdown.map((p) => [p.name, p.value])),
    json.breakdown,
  );
  const sum = breakdown.reduce((s, p) => s + p.value, 0);
  assert.equal(sum, json.cycles.virtualized);
  const events = parsed.filter((p) => p.kind === "event");
  assert.deepEqual(Object.fromEntries(events.map((p) => [p.name, p.value])), json.events);
  assert.ok(parsed.every((p) => Number.isFinite(p.value)));
});

Deno.test("replay --out -: the JSON on stdout; --out the input trace is refused", async () => {
  const r = await vmmlab("replay", FIXTURE, "--out", "-");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).schema, "vmmlab.result/1");
  const before = await Deno.readFile(FIXTURE);
  const self = await vmmlab("replay", FIXTURE, "--out", `./${FIXTURE}`);
  assert.equal(self.code, 2);
  assert.equal(
    self.stderr,
    `vmmlab: --out: ./${FIXTURE} is an input trace; refusing to overwrite it\n`,
  );
  assert.deepEqual(await Deno.readFile(FIXTURE), before, "the trace is untouched");
});

Deno.test("replay: configurations that make no sense are warned about in the result and on stderr", async () => {
  const cases: [string[], RegExp][] = [
    [["--cpu", "hw"], /--cpu hw with --mmu native/],
    [
      ["--cpu", "hw", "--mmu", "nested", "--platform", "piii-733"],
      /platform piii-733, whose processor had no VT-x\/AMD-V/,
    ],
    [["--cpu", "hw", "--mmu", "nested", "--platform", "xeon-2400"], /platform xeon-2400/],
    [["--cpu", "bt", "--mmu", "shadow"], /--mmu shadow on a user-mode-only \(lackey\) trace/],
  ];
  for (const [flags, pattern] of cases) {
    const r = await vmmlab("replay", FIXTURE, ...flags, "--json");
    assert.equal(r.code, 0, r.stderr);
    const warnings: string[] = JSON.parse(r.stdout).warnings;
    assert.equal(warnings.filter((w) => pattern.test(w)).length, 1, flags.join(" "));
    assert.match(r.stderr, pattern);
  }
  // A sensible configuration on a VT-x profile earns none.
  const fine = await vmmlab("replay", FIXTURE, "--cpu", "hw", "--mmu", "nested", "--json");
  assert.deepEqual(JSON.parse(fine.stdout).warnings, []);
  assert.equal(fine.stderr, "");
});

Deno.test("trace convert and import lackey refuse an --out that is their input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const trace = `${dir}/q.vmt`;
    await Deno.copyFile(FIXTURE, trace);
    const before = await Deno.readFile(trace);
    const r = await vmmlab("trace", "convert", trace, "--out", `${dir}/./q.vmt`);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `vmmlab: --out: ${dir}/./q.vmt is an input trace; refusing to overwrite it\n`,
    );
    assert.deepEqual(await Deno.readFile(trace), before);
    const text = `${dir}/q.lackey`;
    await Deno.copyFile("tests/fixtures/qsort_head.lackey", text);
    const i = await vmmlab("import", "lackey", text, "--out", text);
    assert.equal(i.code, 2);
    assert.match(i.stderr, /is an input trace; refusing to overwrite it\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
