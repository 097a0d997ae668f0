import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;

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

Deno.test("replay --json: stdout is the JSON alone, its warnings are also on stderr", async () => {
  const r = await vmmlab(
    "replay",
    "tests/fixtures/qsort_lackey.vmt",
    "--option",
    "bt.tc-capacty=1",
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out);
  assert.equal(result.warnings.length, 1);
  assert.equal(r.err.trim(), `vmmlab: warning: ${result.warnings[0]}`);
  assert.match(r.err, /bt\.tc-capacty is not read by any model/);
});

Deno.test("replay --out into a folder: one line, exit 2, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await vmmlab("replay", "tests/fixtures/qsort_lackey.vmt", "--out", dir);
    assert.equal(r.code, 2);
    assert.equal(r.err, `vmmlab: --out: ${dir} is a folder, not a file\n`);
    assert.equal(r.out, "");
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
