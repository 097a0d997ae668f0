import assert from "node:assert/strict";
import { runCli } from "./test_support.ts";

Deno.test("record: an unwritable --out is one line and exit 2 before anything is built or booted", async () => {
  const r = await runCli("record", "--out", "/proc/vmmlab-no/t.vmt", "--", "nothing.c");
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /^vmmlab: --out: \/proc\/vmmlab-no\/t\.vmt: cannot write in /);
  assert.ok(!r.stderr.includes("record: building"));
});

Deno.test("record: a program that is neither C nor ELF, or nothing to record, is one line", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-record-cli-" });
  try {
    Deno.writeTextFileSync(`${dir}/script.sh`, "#!/bin/sh\necho hi\n");
    const r = await runCli("record", "--out", `${dir}/out/t.vmt`, "--", `${dir}/script.sh`);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /script\.sh: neither a C source \(\.c\) nor an ELF executable/);
    // The missing output folder was created by the check, and nothing was written in it.
    assert.deepEqual([...Deno.readDirSync(`${dir}/out`)], []);
    const none = await runCli("record", "--out", `${dir}/t.vmt`);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /record needs a recipe/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
