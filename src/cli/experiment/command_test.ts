import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../../..", import.meta.url).pathname;

async function vmmlab(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

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
    assert.match(r.err, /^vmmlab: --figures does nothing with --shard .*vmmlab merge\n$/);
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
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err, `vmmlab: --out: ${file} is a file, not a folder\n`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
