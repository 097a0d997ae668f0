import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli as vmmlab } from "../test_support.ts";

Deno.test("experiment: --figures with --shard is a usage error before anything runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "part");
    const r = await vmmlab(
      "experiment",
      "adams_fig4",
      "--shard",
      "1/2",
      "--out",
      out,
      "--figures",
      join(dir, "figs"),
      "--quiet",
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vmmlab: --figures does nothing with --shard .*vmmlab merge\n$/);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("experiment and merge: an --out that is a file is one line, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "f");
    await Deno.writeTextFile(file, "x");
    for (const args of [["experiment", "adams_fig4"], ["merge", dir]]) {
      const r = await vmmlab(...args, "--out", file, "--quiet");
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `vmmlab: --out: ${file} is a file, not a folder\n`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
