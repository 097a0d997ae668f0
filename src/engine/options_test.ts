import assert from "node:assert/strict";
import { ArrayTrace } from "./array_cursor.ts";
import { FAMILIES, modelInfo, modelNames } from "./model.ts";
import { declareOptions, type OptionDecl, parseOption, readOptions } from "./options.ts";
import { replayInput } from "./replay.ts";
import { testPlatform } from "./test_platform.ts";
import { ConfigError } from "../util/errors.ts";

const DECLS = declareOptions({
  "t.count": { type: "integer", default: 4, min: 1, max: 64, doc: "a count" },
  "t.gain": { type: "number", default: 0.5, min: 0, max: 1, doc: "a gain" },
  "t.size": { type: "integer", min: 1, max: 1024, defaultDoc: "platform", doc: "a size" },
  "t.flag": { type: "boolean", default: false, doc: "a flag" },
  "t.mode": { type: "enum", values: ["a", "b"], default: "a", doc: "a mode" },
  "t.names": { type: "list", default: ["x"], doc: "names" },
  "t.hash": { type: "text", pattern: /^[0-9a-f]+$/, form: "hex digits", doc: "a hash" },
});

/** Whether `fn` throws a ConfigError whose message is exactly `message`. */
function throwsExactly(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("options: typed values, defaults, and absent defaults left to the model", () => {
  const none = readOptions({}, DECLS);
  assert.deepEqual(none, {
    "t.count": 4,
    "t.gain": 0.5,
    "t.size": undefined,
    "t.flag": false,
    "t.mode": "a",
    "t.names": ["x"],
    "t.hash": undefined,
  });
  const given = readOptions({
    "t.count": "8",
    "t.gain": 1,
    "t.size": 1024,
    "t.flag": "true",
    "t.mode": "b",
    "t.names": "p, q,,r",
    "t.hash": "00ff",
  }, DECLS);
  assert.deepEqual(given, {
    "t.count": 8,
    "t.gain": 1,
    "t.size": 1024,
    "t.flag": true,
    "t.mode": "b",
    "t.names": ["p", "q", "r"],
    "t.hash": "00ff",
  });
  // The default list is a copy: a model may not change the declaration through it.
  assert.notEqual(readOptions({}, DECLS)["t.names"], DECLS["t.names"].default);
});

Deno.test("options: one boolean rule (true/false, 1/0, as values or text)", () => {
  const flag = DECLS["t.flag"];
  for (const v of [true, 1, "true", "1"]) assert.equal(parseOption("t.flag", flag, v), true);
  for (const v of [false, 0, "false", "0"]) assert.equal(parseOption("t.flag", flag, v), false);
  for (const v of ["yes", 2, "", "TRUE"]) {
    assert.throws(() => parseOption("t.flag", flag, v), /must be true or false \(or 1 or 0\)/);
  }
});

Deno.test("options: wrong types and out-of-range values are one message form", () => {
  throwsExactly(
    () => readOptions({ "t.count": 65 }, DECLS),
    "--option: t.count: must be an integer from 1 to 64, not 65",
  );
  throwsExactly(
    () => readOptions({ "t.count": 1.5 }, DECLS),
    "--option: t.count: must be an integer from 1 to 64, not 1.5",
  );
  throwsExactly(
    () => readOptions({ "t.gain": "lots" }, DECLS),
    '--option: t.gain: must be a number from 0 to 1, not "lots"',
  );
  throwsExactly(
    () => readOptions({ "t.flag": "yes" }, DECLS),
    '--option: t.flag: must be true or false (or 1 or 0), not "yes"',
  );
  throwsExactly(
    () => readOptions({ "t.mode": "c" }, DECLS),
    '--option: t.mode: must be one of a, b, not "c"',
  );
  throwsExactly(
    () => readOptions({ "t.hash": "xyz" }, DECLS),
    '--option: t.hash: must be hex digits, not "xyz"',
  );
  throwsExactly(
    () => readOptions({ "t.names": true }, DECLS),
    "--option: t.names: must be a comma-separated list, not true",
  );
});

Deno.test("options: declarations that could not be met or documented are refused", () => {
  const bad = (d: Record<string, unknown>) => () =>
    declareOptions({ "t.x": { doc: "x", ...d } as unknown as OptionDecl });
  assert.throws(bad({ type: "integer", min: 0, max: Infinity }), /finite range/);
  assert.throws(bad({ type: "integer", min: 0, max: 4, default: 5 }), ConfigError);
  assert.throws(bad({ type: "enum", values: ["a"], default: "b" }), /not one of the values/);
  assert.throws(() => declareOptions({ "nodot": { type: "boolean", doc: "x" } }), /dotted/);
});

Deno.test("options: every built-in model declares finite ranges and documents each option", () => {
  for (const family of FAMILIES) {
    for (const name of modelNames(family)) {
      const info = modelInfo(family, name);
      assert.ok(info.summary.length > 0, `${family} ${name}`);
      for (const [key, d] of Object.entries(info.options ?? {})) {
        assert.ok(d.doc.length > 0, key);
        if (d.type === "integer" || d.type === "number") {
          assert.ok(Number.isFinite(d.max), `${key} has a finite maximum`);
        }
        assert.ok(
          d.default !== undefined || d.defaultDoc !== undefined,
          `${key} documents a default`,
        );
      }
    }
  }
});

/** A one-block trace with one memory reference (enough to build every model). */
function tinyTrace(): ArrayTrace {
  const t = new ArrayTrace();
  const b = t.block(-0x80000000, 0, [{ length: 2, sensitive: 0, flow: 0 }]);
  t.exec(b).mem(0x1000, 0x1000, 8, 0);
  return t;
}

Deno.test("engine: every family reads booleans the same way", () => {
  const platform = testPlatform();
  const configs = [
    { cpu: "bt", key: "bt.adaptive" },
    { cpu: "hw", key: "hw.vpid" },
    { cpu: "pv", key: "pv.fast-syscall" },
    { mmu: "shadow", key: "mmu.shadow-dirty" },
    { memory: "swap", key: "memory.sample" },
    { io: "pv", key: "io.pv.copy" },
  ];
  for (const { key, ...models } of configs) {
    const slowdown = (v: unknown) =>
      replayInput(tinyTrace(), { platform, ...models, options: { [key]: v as boolean } }).slowdown;
    for (const [t, f] of [[1, 0], ["1", "0"], ["true", "false"]]) {
      assert.equal(slowdown(t), slowdown(true), `${key}=${t}`);
      assert.equal(slowdown(f), slowdown(false), `${key}=${f}`);
    }
    throwsExactly(
      () => replayInput(tinyTrace(), { platform, ...models, options: { [key]: "yes" } }),
      `--option: ${key}: must be true or false (or 1 or 0), not "yes"`,
    );
  }
});

Deno.test("engine: an unknown option is one line naming it, before any model is built", () => {
  throwsExactly(
    () => replayInput(tinyTrace(), { platform: testPlatform(), options: { "mmu.l1-entires": 4 } }),
    "--option: mmu.l1-entires: no registered model has this option (vmmlab models lists them)",
  );
});

Deno.test("engine: options and platform entries that size tables are bounded before allocation", () => {
  const platform = testPlatform();
  const cases: [Record<string, string>, Record<string, number>, string][] = [
    [{}, { "mmu.l1-entries": 2 ** 31 }, "--option: mmu.l1-entries: must be an integer from 1"],
    [{}, { "mmu.l2-entries": 1e12 }, "--option: mmu.l2-entries: must be an integer from 0"],
    [{}, { "mmu.pwc-entries": 1 << 20 }, "--option: mmu.pwc-entries: must be an integer"],
    [{ mmu: "nested" }, { "mmu.ntlb-entries": 1 << 30 }, "--option: mmu.ntlb-entries"],
    [{ mmu: "shadow" }, { "mmu.shadow-roots": 1 << 30 }, "--option: mmu.shadow-roots"],
    [{ cpu: "bt" }, { "bt.tc-capacity": 2 ** 40 }, "--option: bt.tc-capacity"],
    [{ memory: "swap" }, { "memory.vm-mb": 1 << 30 }, "--option: memory.vm-mb: must be a number"],
    [{ memory: "share" }, { "memory.vm-mb": 1e9 }, "--option: memory.vm-mb"],
    [
      { io: "passthrough" },
      { "io.passthrough.iotlbEntries": 1 << 30 },
      "--option: io.passthrough.",
    ],
  ];
  for (const [models, options, message] of cases) {
    assert.throws(
      () => replayInput(tinyTrace(), { platform, ...models, options }),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(message),
      JSON.stringify(options),
    );
  }
  // A profile (or --set platform.KEY) cannot size a table the option could not: the
  // platform's own validation (src/platforms/validate.ts) refuses it first.
  assert.throws(
    () => replayInput(tinyTrace(), { platform: testPlatform({ "tlb.l1d.entries": 2 ** 40 }) }),
    /test: entries\.tlb\.l1d\.entries\.value: value 1099511627776 is out of range/,
  );
});
