import assert from "node:assert/strict";
import { ConfigError } from "../util/errors.ts";
import { BUILTIN_PLATFORMS, loadPlatform, MAX_PLATFORM_FILE_BYTES, withOverrides } from "./load.ts";
import { KEY_RANGES, keyRange, rangeOf, UNIT_RANGES } from "./ranges.ts";
import { validatePlatformData } from "./validate.ts";
import type { PlatformData } from "../engine/model.ts";

/** A copy of a built-in profile with one entry replaced. */
function withEntry(key: string, value: number, unit?: string): PlatformData {
  const base = structuredClone(BUILTIN_PLATFORMS["p4-prescott"]) as PlatformData;
  const old = base.entries[key] as PlatformData["entries"][string] | undefined;
  base.entries[key] = {
    source: "test",
    unit: unit ?? "cycles",
    ...old,
    value,
    ...(unit ? { unit } : {}),
  };
  return base;
}

/** The one-line message validating `data` fails with. */
function refusal(data: unknown): string {
  try {
    validatePlatformData(data, "my.json");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes("\n"));
    return e.message;
  }
  assert.fail("accepted");
}

Deno.test("every built-in profile lies in its declared ranges, and each declared key names its unit", () => {
  for (const [name, data] of Object.entries(BUILTIN_PLATFORMS)) {
    validatePlatformData(data, name);
    for (const [key, e] of Object.entries(data.entries)) {
      const declared = keyRange(key);
      if (declared) assert.equal(e.unit, declared.range.unit, `${name} ${key}`);
    }
  }
  for (const [key, r] of Object.entries(KEY_RANGES)) {
    assert.ok(r.unit !== undefined && r.min <= r.max && r.why !== "", key);
  }
});

Deno.test("a cost that would overflow to Infinity in the engine is refused, naming file and key", () => {
  assert.equal(
    refusal(withEntry("hw.vm-exit", 1e308)),
    "my.json: entries.hw.vm-exit.value: value 1e+308 is out of range (numbers 0 to 1e9 cycles: " +
      "a cost of one event; 1e9 cycles is 0.25 s at 4 GHz, more than any mechanism costs)",
  );
  // JSON's 1e400 parses to Infinity.
  assert.match(
    refusal(withEntry("hw.vm-exit", JSON.parse("1e400"))),
    /^my\.json: entries\.hw\.vm-exit\.value: value Infinity is negative or not finite$/,
  );
  validatePlatformData(withEntry("hw.vm-exit", 1e9), "ok.json");
});

Deno.test("table sizes are bounded, whole and in their declared unit before anything allocates", () => {
  assert.match(
    refusal(withEntry("tlb.l2.entries", 1e12)),
    /^my\.json: entries\.tlb\.l2\.entries\.value: value 1000000000000 is out of range \(integers 0 to 65536 entries/,
  );
  assert.match(
    refusal(withEntry("tlb.l1d.entries", 0)),
    /tlb\.l1d\.entries\.value: value 0 is out/,
  );
  assert.match(refusal(withEntry("mmu.pwc.entries", 2.5)), /value 2\.5 is out of range \(integers/);
  assert.match(refusal(withEntry("cache.l2.lines", 1 << 21)), /cache\.l2\.lines\.value/);
  assert.match(
    refusal(withEntry("tlb.asids", 64, "cycles")),
    /^my\.json: entries\.tlb\.asids\.unit: unit must be entries, not cycles$/,
  );
  // A per-reason variant is covered by its base key's declaration.
  assert.match(
    refusal(withEntry("hw.vmcb-reads.page-fault", 5000, "count")),
    /hw\.vmcb-reads\.page-fault\.value: value 5000 is out of range \(integers 0 to 1000 count/,
  );
  // Units without a key declaration get the unit's range; unknown units the general one.
  assert.match(refusal(withEntry("my.model.table", 70000, "entries")), /integers 0 to 65536/);
  assert.match(refusal(withEntry("my.model.flag", 2, "flag")), /integers 0 to 1 flag/);
  assert.match(refusal(withEntry("my.model.latency", 2e9, "ns")), /numbers 0 to 1e9 ns/);
  assert.deepEqual(rangeOf("my.model.lines", "lines"), UNIT_RANGES.lines);
});

Deno.test("a value read as a table size must be a whole number a model can allocate", () => {
  // "translations" has no unit range: the general bound (1e9) admits 5e8, but not as a size.
  const p = loadPlatform(withEntry("bt.tc-size", 5e8, "translations"));
  assert.throws(
    () => p.param("bt.tc-size"),
    (e: unknown) =>
      e instanceof ConfigError && e.field === "entries.bt.tc-size.value" &&
      /not a table size or count \(integers 0 to 1048576/.test(e.message),
  );
  assert.throws(
    () => loadPlatform(withEntry("x.ratio", 2.5, "ratio")).param("x.ratio"),
    ConfigError,
  );
  assert.equal(
    loadPlatform(withEntry("bt.tc-size", 4096, "translations")).param("bt.tc-size"),
    4096,
  );
  assert.match(refusal(withEntry("cache.line", 1.5, "bytes")), /integers 0 to 2\^30 bytes/);
});

Deno.test("the clock and the profile's shape are checked", () => {
  const p = structuredClone(BUILTIN_PLATFORMS["modern"]) as PlatformData;
  assert.match(
    refusal({ ...p, clockHz: 1e308 }),
    /^my\.json: clockHz: clock 1e\+308 Hz is out of range/,
  );
  assert.match(refusal([]), /not a JSON object/);
  assert.match(refusal({ ...p, entries: [] }), /entries: missing entries object/);
  const many: PlatformData = { ...p, entries: {} };
  for (let i = 0; i < 10001; i++) {
    many.entries[`k${i}`] = { value: 1, unit: "cycles", source: "test" };
  }
  assert.match(refusal(many), /entries: 10001 entries \(at most 10000\)/);
});

Deno.test("a --set override is checked against the same ranges", () => {
  const p = loadPlatform("p4-prescott");
  assert.throws(
    () => withOverrides(p, { "tlb.l1d.entries": 1e9 }),
    /entries\.tlb\.l1d\.entries\.value: value 1000000000 is out of range/,
  );
  assert.equal(withOverrides(p, { "tlb.l1d.entries": 128 }).param("tlb.l1d.entries"), 128);
});

Deno.test("a platform file must be a regular file of bounded size", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-platform-" });
  try {
    assert.throws(() => loadPlatform(dir), /: platform file is not a regular file$/);
    assert.throws(
      () => loadPlatform("/dev/zero"),
      /\/dev\/zero: platform file is not a regular file$/,
    );
    const big = `${dir}/big.json`;
    Deno.writeTextFileSync(big, " ".repeat(MAX_PLATFORM_FILE_BYTES + 1));
    assert.throws(
      () => loadPlatform(big),
      /big\.json: platform file is 1048577 bytes \(at most 1048576\)/,
    );
    const missing = `${dir}/none.json`;
    assert.throws(() => loadPlatform(missing), /none\.json: cannot read platform file/);
    const mkfifo = await new Deno.Command("mkfifo", { args: [`${dir}/fifo.json`] }).output()
      .catch(() => null);
    if (mkfifo?.success) {
      // Refused from its metadata: opening a FIFO for reading would block until a writer came.
      assert.throws(
        () => loadPlatform(`${dir}/fifo.json`),
        /fifo\.json: platform file is not a regular file$/,
      );
    } else {
      console.log("FIFO case skipped: mkfifo is not available");
    }
    const bad = `${dir}/bad.json`;
    Deno.writeTextFileSync(bad, JSON.stringify(withEntry("mmu.ntlb.entries", 1e15)));
    assert.throws(
      () => loadPlatform(bad),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith(`${bad}: entries.mmu.ntlb.entries.value: value 1000000000000000`),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
