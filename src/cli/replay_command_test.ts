import assert from "node:assert/strict";
import { runCli as vmmlab } from "./test_support.ts";

Deno.test("replay --json: stdout is the JSON alone, its warnings are also on stderr", async () => {
  const r = await vmmlab(
    "replay",
    "tests/fixtures/qsort_lackey.vmt",
    "--option",
    "bt.tc-capacty=1",
    "--json",
  );
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.warnings.length, 1);
  assert.equal(r.stderr.trim(), `vmmlab: warning: ${result.warnings[0]}`);
  assert.match(r.stderr, /bt\.tc-capacty is not read by any model/);
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
