import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { hasModel, modelInfo } from "../src/engine/model.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { loadModelFiles } from "../src/engine/user_models.ts";
import { SensitiveOp } from "../src/trace/record.ts";
import { ConfigError } from "../src/util/errors.ts";

const K = -0x80000000;
const example = new URL("../docs/example_model.ts", import.meta.url).pathname;

Deno.test("the worked example model loads from its file and charges by hand-computed rules", async () => {
  await loadModelFiles([example]);
  await loadModelFiles([example]); // a second load is the cached module: no duplicate registration
  assert.ok(hasModel("mmu", "direct-mapped-tlb"));
  const t = new ArrayTrace();
  const b = t.block(K, 0, [{ length: 3, sensitive: 0, flow: 0 }]);
  const cr3 = t.block(K + 64, 0, [{ length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 }]);
  // With 4 entries, pages 0x10 and 0x14 share slot 0; page 0x11 has slot 1.
  t.exec(b).mem(0x10000, 0, 8, 0).mem(0x11000, 0, 8, 0).mem(0x10008, 0, 8, 0); // miss, miss, hit
  t.mem(0x14000, 0, 8, 0).mem(0x10000, 0, 8, 0); // conflict miss, conflict miss
  t.exec(cr3).sensitive(SensitiveOp.CrWrite, K + 64, 3, 0x5000).mem(0x11000, 0, 8, 0); // flush, miss
  const r = replayInput(t, {
    platform: testPlatform({ "mmu.walk.ref": 25 }),
    mmu: "direct-mapped-tlb",
    options: { "example.tlb-entries": 4 },
  });
  assert.equal(r.events["example.tlb-misses"], 5);
  assert.equal(r.events["example.tlb-flushes"], 1);
  assert.equal(r.breakdown["example.walk"], 5 * 4 * 25);
});

Deno.test("a user model declares its options as built-in models do: typed, ranged, listed", async () => {
  await loadModelFiles([example]);
  const decl = modelInfo("mmu", "direct-mapped-tlb").options?.["example.tlb-entries"];
  assert.deepEqual(decl && { type: decl.type, default: decl.default }, {
    type: "integer",
    default: 32,
  });
  const t = new ArrayTrace();
  t.exec(t.block(K, 0, [{ length: 1, sensitive: 0, flow: 0 }])).mem(0x10000, 0, 8, 0);
  const run = (v: number | string) =>
    replayInput(t, {
      platform: testPlatform(),
      mmu: "direct-mapped-tlb",
      options: { "example.tlb-entries": v },
    });
  assert.equal(run("64").events["example.tlb-misses"], 1); // text from a command line is typed
  for (
    const [v, why] of [[0, "must be an integer from 1 to 1048576, not 0"], [
      2 ** 21,
      "must be an integer from 1 to 1048576, not 2097152",
    ], [48, "must be a power of two, not 48"]] as const
  ) {
    assert.throws(
      () => run(v),
      (e: unknown) =>
        e instanceof ConfigError && e.message === `--option: example.tlb-entries: ${why}`,
    );
  }
});

Deno.test("a missing or broken model file is a one-line ConfigError", async () => {
  await assert.rejects(
    () => loadModelFiles(["./no/such/model.ts"]),
    (e: unknown) => e instanceof ConfigError && /does not exist/.test(e.message),
  );
  const broken = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(broken, "export const x = ;\n");
    await assert.rejects(
      () => loadModelFiles([broken]),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("\n"),
    );
  } finally {
    await Deno.remove(broken);
  }
});
