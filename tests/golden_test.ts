/**
 * Trace-driven regression tests: every committed trace and nanobenchmark recipe under
 * every standard configuration (tests/golden/configs.json) must replay to exactly the
 * committed golden result, outside `host`. A mismatch names the changed fields; a trace
 * without golden files, or a golden file without a trace, fails too.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { replay } from "../src/engine/replay.ts";
import type { Result } from "../src/engine/result.ts";
import { convertTrace } from "../src/trace/convert.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { ConfigError } from "../src/util/errors.ts";
import {
  compareGolden,
  computeGolden,
  corpusTracePaths,
  coverage,
  diffFields,
  formatChanges,
  GOLDEN_DIR,
  goldenText,
  listGoldenFiles,
  loadGoldenConfigs,
  parseGoldenConfigs,
  planGolden,
  UPDATE_COMMAND,
  UPDATE_HINT,
} from "./golden_update.ts";

Deno.test("golden configurations name every field explicitly and only registered models", async () => {
  const configs = await loadGoldenConfigs();
  for (const name of ["native", "bt-shadow", "trap-shadow", "pv-pv-direct", "hw-shadow"]) {
    assert.ok(configs.traceConfigs.includes(name), `traces are pinned under ${name}`);
  }
  assert.deepEqual(configs.configs.native, {
    cpu: "native",
    mmu: "native",
    memory: "none",
    io: "native",
    platform: "p4-prescott",
    seed: 1,
  });
  assert.equal(configs.configs["hw-nested-modern"].platform, "modern");
  assert.deepEqual(
    configs.recipes,
    ["syscall", "in", "cr8wr", "callret", "pgfault", "divzero", "ptemod"],
  );
  assert.ok(configs.extraTraces.includes("tests/fixtures/qsort_lackey.vmt"));
  // The validator rejects what it should (so the checks above are meaningful).
  const text = await Deno.readTextFile(join(REPO_ROOT, GOLDEN_DIR, "configs.json"));
  type Doc = { configs: Record<string, Record<string, unknown>>; traces: Record<string, unknown> };
  const bad = (edit: (data: Doc) => void) => {
    const data = JSON.parse(text) as Doc;
    edit(data);
    return () => parseGoldenConfigs(JSON.stringify(data));
  };
  assert.throws(bad((d) => (d.configs.native.cpu = "vmx")), ConfigError);
  assert.throws(bad((d) => delete d.configs.native.seed), /seed/);
  assert.throws(bad((d) => (d.configs.native.platform = "no-such-platform")), ConfigError);
  assert.throws(bad((d) => (d.traces.configs = ["native", "nope"])), /nope/);
});

Deno.test("every trace and configuration has a golden file, and every golden file a trace and configuration", async () => {
  const planned = await planGolden(await loadGoldenConfigs());
  const { missing, stale } = coverage(planned, await listGoldenFiles());
  const lines = [
    ...missing.map((e) =>
      `${e.file}: no golden file for ${
        "path" in e.trace ? e.trace.path : `synth:${e.trace.synth}`
      } under ${e.configName}`
    ),
    ...stale.map((f) => `${f}: no trace or configuration matches this golden file`),
  ];
  assert.ok(
    lines.length === 0,
    `${lines.length} golden coverage problems:\n${lines.slice(0, 40).join("\n")}\n` +
      `\`${UPDATE_COMMAND}\` adds and removes golden files. ${UPDATE_HINT}`,
  );
  // The corpus really is covered: every committed trace kind appears.
  const files = new Set(planned.map((e) => e.file));
  assert.ok(files.has(`${GOLDEN_DIR}/forkwait/bt-shadow.json`));
  assert.ok(files.has(`${GOLDEN_DIR}/qsort_lackey/hw-nested-modern.json`));
  assert.ok(files.has(`${GOLDEN_DIR}/synth-syscall/hw-shadow.json`));
});

Deno.test("every replay matches its golden result exactly outside host", async () => {
  const planned = await planGolden(await loadGoldenConfigs());
  const existing = new Set(await listGoldenFiles());
  const entries = planned.filter((e) => existing.has(e.file)); // missing ones: test above
  const fresh = await computeGolden(entries);
  const failures: string[] = [];
  for (const entry of entries) {
    const golden = await Deno.readTextFile(join(REPO_ROOT, entry.file));
    const changes = compareGolden(golden, JSON.parse(fresh.get(entry.file)!) as Result);
    if (changes === null) continue;
    failures.push(
      `${entry.file}: ${
        changes.length === 0
          ? "same values, different formatting"
          : `${changes.length} fields changed`
      }`,
      ...formatChanges(changes, 20),
    );
  }
  assert.ok(
    failures.length === 0,
    `Golden results differ:\n${failures.slice(0, 400).join("\n")}\n${UPDATE_HINT}`,
  );
});

Deno.test("re-encoding a committed trace with another chunk size gives the same golden result", async () => {
  const configs = await loadGoldenConfigs();
  const cases: [string, string[]][] = [
    ["tests/fixtures/qsort_lackey.vmt", configs.traceConfigs],
    ["traces/forkwait.vmt", ["bt-shadow", "hw-nested"]],
  ];
  const tmp = await Deno.makeTempDir({ prefix: "vmmlab_golden_chunks_" });
  try {
    for (const [path, names] of cases) {
      const source = TraceReader.open(join(REPO_ROOT, path));
      const rechunked = join(tmp, basename(path));
      const chunkRecords = 3001;
      const sourceChunks = source.chunks.length;
      try {
        await convertTrace(source, rechunked, { chunkRecords });
      } finally {
        source.close();
      }
      const check = TraceReader.open(rechunked);
      assert.ok(check.chunks.length > sourceChunks, `${path}: really re-chunked`);
      check.close();
      const folder = basename(path).replace(/\.vmt$/, "");
      for (const name of names) {
        const result = await replay(rechunked, configs.configs[name]);
        result.trace.path = path;
        const file = `${GOLDEN_DIR}/${folder}/${name}.json`;
        const changes = compareGolden(await Deno.readTextFile(join(REPO_ROOT, file)), result);
        assert.ok(
          changes === null,
          `${file} with ${chunkRecords}-record chunks:\n${formatChanges(changes ?? []).join("\n")}`,
        );
      }
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("golden diffs name each changed field by dotted path, old → new", () => {
  const old = {
    cycles: { native: 100, virtualized: 250 },
    events: { exits: { cr3: 4, hlt: 1 } },
    warnings: ["a", "b"],
  };
  const fresh = {
    cycles: { native: 100, virtualized: 260 },
    events: { exits: { cr3: 4, io: 2 } },
    warnings: ["a"],
  };
  assert.deepEqual(diffFields(old, fresh), [
    { path: "cycles.virtualized", old: 250, new: 260 },
    { path: "events.exits.hlt", old: 1, new: undefined },
    { path: "events.exits.io", old: undefined, new: 2 },
    { path: "warnings[1]", old: "b", new: undefined },
  ]);
  assert.deepEqual(formatChanges(diffFields(old, fresh), 2), [
    "  cycles.virtualized: 250 → 260",
    "  events.exits.hlt: 1 → (absent)",
    "  ... and 2 more",
  ]);
});

Deno.test("golden text drops only host, sorts keys, and a changed number is caught", () => {
  const result = {
    schema: "vmmlab.result/1",
    trace: { workload: "w", path: "traces/w.vmt", hash: "sha256:0", iterations: 0 },
    config: { cpu: "bt", mmu: "shadow", memory: "none", io: "native", platform: "p", seed: 1 },
    cycles: { native: 10, virtualized: 20, perIteration: { native: 10, virtualized: 20 } },
    slowdown: 2,
    breakdown: { translate: 7, guest: 13 },
    events: { host: 3 },
    host: { wallSeconds: 0.5 },
  } as unknown as Result;
  const text = goldenText(result);
  assert.ok(!text.includes("wallSeconds"));
  assert.ok(text.includes('"host": 3'), "a nested field named host is compared");
  assert.ok(text.indexOf('"guest"') < text.indexOf('"translate"'), "keys sorted");
  assert.ok(text.endsWith("}\n"));
  assert.equal(compareGolden(text, { ...result, host: { wallSeconds: 9 } }), null);
  const changed = { ...result, slowdown: 2.5 } as Result;
  assert.deepEqual(compareGolden(text, changed), [{ path: "slowdown", old: 2, new: 2.5 }]);
  assert.deepEqual(compareGolden(text.replace("\n", "\n "), result), []);
});

Deno.test("golden: a trace of one's own in traces/ gets no golden files (the manifest defines the corpus)", async () => {
  const root = Deno.makeTempDirSync({ prefix: "vmmlab-golden-corpus-" });
  try {
    Deno.mkdirSync(join(root, "traces"));
    Deno.writeTextFileSync(
      join(root, "traces", "MANIFEST.json"),
      JSON.stringify({ schema: "vmmlab.corpus/1", traces: [{ file: "a.vmt" }] }),
    );
    Deno.writeTextFileSync(join(root, "traces", "a.vmt"), "");
    Deno.writeTextFileSync(join(root, "traces", "mine.vmt"), "");
    assert.deepEqual(await corpusTracePaths(root, ["tests/x.vmt"]), [
      "tests/x.vmt",
      "traces/a.vmt",
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
