import assert from "node:assert/strict";
import { runCli } from "./test_support.ts";

Deno.test("vmmlab models: every family, each model's options and platform keys", async () => {
  const r = await runCli("models");
  assert.equal(r.code, 0, r.stderr);
  for (const family of ["cpu", "mmu", "memory", "io"]) {
    assert.ok(r.stdout.includes(`${family} models\n`), family);
  }
  assert.match(
    r.stdout,
    /\n {2}shadow: Shadow page tables[^\n]*\n {4}options:\n/,
  );
  assert.match(
    r.stdout,
    /mmu\.shadow-dirty \(true or false \(or 1 or 0\); default false\)/,
  );
  assert.match(r.stdout, /platform keys: [^\n]*mmu\.shadow\.traced-write/);
});

Deno.test("vmmlab models FAMILY --json: the declarations as data; a user model file is listed too", async () => {
  const r = await runCli("models", "mmu", "--model", "docs/example_model.ts", "--json");
  assert.equal(r.code, 0, r.stderr);
  const models = JSON.parse(r.stdout) as { family: string; name: string; options: unknown[] }[];
  assert.deepEqual([...new Set(models.map((m) => m.family))], ["mmu"]);
  const example = models.find((m) => m.name === "direct-mapped-tlb");
  assert.deepEqual(example?.options, [{
    key: "example.tlb-entries",
    type: "integer",
    default: "32",
    range: "an integer from 1 to 1048576",
    unit: "entries",
    doc: "TLB entries, a power of two",
  }]);
  const bad = await runCli("models", "gpu");
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'vmmlab: unknown family "gpu" (families: cpu, mmu, memory, io)\n');
});
