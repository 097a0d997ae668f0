import assert from "node:assert/strict";
import { CpioWriter } from "./cpio.ts";

const dec = new TextDecoder();

Deno.test("cpio: a one-file archive has the exact newc layout", () => {
  const w = new CpioWriter();
  w.add({ path: "init", type: "file", perm: 0o755, data: "hi\n" });
  const bytes = w.finish();
  const head = dec.decode(bytes.subarray(0, 110));
  assert.equal(head.slice(0, 6), "070701");
  assert.equal(head.slice(6, 14), "00000001"); // inode
  assert.equal(head.slice(14, 22), (0o100755).toString(16).padStart(8, "0"));
  assert.equal(head.slice(46, 54), "5e0be100"); // mtime: 2020-01-01, the guest clock's start
  assert.equal(head.slice(54, 62), "00000003"); // file size
  assert.equal(head.slice(94, 102), "00000005"); // name size incl. NUL
  // 110-byte header + "init\0" = 115, padded to 116; data at 116..119, padded to 120.
  assert.equal(dec.decode(bytes.subarray(110, 114)), "init");
  assert.equal(bytes[114], 0);
  assert.equal(dec.decode(bytes.subarray(116, 119)), "hi\n");
  assert.equal(dec.decode(bytes.subarray(120, 126)), "070701");
  assert.ok(dec.decode(bytes).includes("TRAILER!!!"));
  assert.equal(bytes.length % 512, 0);
});

/** Whether the host has cpio: only its absence skips the listing test. */
function hostHasCpio(): boolean {
  try {
    new Deno.Command("cpio", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

const HAS_CPIO = hostHasCpio();
if (!HAS_CPIO) console.error("cpio listing test skipped: host cpio is not installed");

Deno.test({
  name: "cpio: host cpio lists what the writer wrote",
  ignore: !HAS_CPIO,
  fn: async () => {
    const w = new CpioWriter();
    w.add({ path: "bin", type: "dir", perm: 0o755 });
    w.add({ path: "bin/sh", type: "symlink", perm: 0o777, data: "busybox" });
    w.add({ path: "bin/x", type: "file", perm: 0o644, data: new Uint8Array([1, 2, 3, 4, 5]) });
    assert.throws(() => w.add({ path: "bin/x", type: "file", perm: 0o644 }), RangeError);
    assert.throws(() => w.add({ path: "../etc", type: "dir", perm: 0o755 }), RangeError);
    const bytes = w.finish();
    const child = new Deno.Command("cpio", {
      args: ["-t", "-v"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(bytes);
    await writer.close();
    const cpio = await child.output();
    assert.ok(cpio.success, `cpio rejected the archive: ${dec.decode(cpio.stderr)}`);
    const out = dec.decode(cpio.stdout);
    assert.match(out, /^drwxr-xr-x .* bin$/m);
    assert.match(out, /^lrwxrwxrwx .* bin\/sh -> busybox$/m);
    assert.match(out, /^-rw-r--r-- .* 5 .* bin\/x$/m);
  },
});
