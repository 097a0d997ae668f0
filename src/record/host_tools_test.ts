import assert from "node:assert/strict";
import { InputError } from "../util/errors.ts";
import { installCommand, isStaticElf, requireHostTools } from "./host_tools.ts";

Deno.test("host tools: a missing tool is one InputError naming it and the apt-get command", () => {
  assert.throws(
    () =>
      requireHostTools([
        { command: "vmmlab-no-such-tool", pkg: "vmmlab-pkg", purpose: "testing" },
      ]),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.exitCode, 2);
      assert.ok(!e.message.includes("\n"));
      assert.match(e.message, /vmmlab-no-such-tool/);
      assert.match(e.message, /apt-get install --no-install-recommends vmmlab-pkg$/);
      return true;
    },
  );
  assert.equal(
    installCommand(),
    "apt-get install --no-install-recommends qemu-system-x86 gcc libc6-dev busybox-static",
  );
});

Deno.test("host tools: static ELF detection looks for a program interpreter", () => {
  const elf = new Uint8Array(64 + 56);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const dv = new DataView(elf.buffer);
  dv.setBigUint64(32, 64n, true); // e_phoff
  dv.setUint16(54, 56, true); // e_phentsize
  dv.setUint16(56, 1, true); // e_phnum
  dv.setUint32(64, 1, true); // PT_LOAD
  assert.equal(isStaticElf(elf), true);
  dv.setUint32(64, 3, true); // PT_INTERP
  assert.equal(isStaticElf(elf), false);
  assert.equal(isStaticElf(new Uint8Array([1, 2, 3])), false);
});
