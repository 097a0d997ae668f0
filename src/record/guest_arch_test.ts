// 32-bit guests in the recorder: the address convention, kernel symbols and QEMU's log of an
// i386 guest, the architecture table and the lock file's foreign pins.
import assert from "node:assert/strict";
import { InputError } from "../util/errors.ts";
import { GUEST_ARCHES, guestArch, traceAddress } from "./guest_arch.ts";
import { isIdtEntry, KernelSymbols } from "./kallsyms.ts";
import { parseQemuLog } from "./qemu_log.ts";
import { parseVersionLock } from "./versions.ts";

const I386 = GUEST_ARCHES.i386;
const map32 = (va: number) => traceAddress(I386, va);

Deno.test("i386 addresses: the kernel half (from 0xC0000000) is stored minus 2^32, user addresses as they are", () => {
  assert.equal(traceAddress(I386, 0xc1000000), 0xc1000000 - 2 ** 32);
  assert.equal(traceAddress(I386, 0xc0000000), -(2 ** 30));
  assert.equal(traceAddress(I386, 0xbffff874), 0xbffff874); // the user stack stays user
  assert.equal(traceAddress(I386, 0x08048000), 0x08048000);
  assert.equal(traceAddress(GUEST_ARCHES.x86_64, -0x7f000000), -0x7f000000);
  // The direct map starts at the kernel base: page tables are written through it.
  assert.equal(I386.directMap[0], -(2 ** 30));
  assert.equal(I386.directMap[1] - I386.directMap[0], 896 * 2 ** 20);
});

Deno.test("arches: i386 is 2-level with 4 MB pages, i386-pae 3-level with 2 MB, both 32-bit code", () => {
  assert.deepEqual(
    [I386.pagingLevels, I386.largePage, I386.mode64, I386.qemu],
    [2, 4 * 2 ** 20, false, "qemu-system-i386"],
  );
  const pae = guestArch("i386-pae");
  assert.deepEqual([pae.arch, pae.pagingLevels, pae.largePage], ["i386", 3, 2 * 2 ** 20]);
  assert.equal(guestArch(undefined).pagingLevels, 4);
  assert.throws(() => guestArch("arm64"), InputError);
});

Deno.test("kallsyms of a 32-bit kernel: 8-digit addresses in the trace's convention", () => {
  const s = KernelSymbols.parse(
    "c1923670 T asm_exc_page_fault\nc1923b4c T entry_INT80_32\nc1923a50 T entry_SYSENTER_32\n",
    map32,
  );
  assert.equal(s.address("asm_exc_page_fault"), 0xc1923670 - 2 ** 32);
  assert.equal(s.functionAt(0xc1923b50 - 2 ** 32), "entry_INT80_32");
  assert.ok(isIdtEntry("entry_INT80_32"), "INT 0x80 enters through the IDT");
  assert.ok(!isIdtEntry("entry_SYSENTER_32"), "SYSENTER does not");
});

Deno.test("qemu log of a 32-bit guest: fault and instruction addresses mapped, CR3 read", () => {
  const log = parseQemuLog(
    [
      "vmmlab-mark 1 0 0 100",
      "vmmlab-cr3 0",
      "     6: v=0e e=0007 i=0 cpl=3 IP=0073:0809c129 pc=0809c129 SP=007b:bffff870 CR2=bffff874",
      "CR0=80050033 CR2=bffff874 CR3=02017000 CR4=000006d0",
      "     7: v=0e e=0002 i=0 cpl=0 IP=0060:c10f0000 pc=c10f0000 SP=0068:c2001f00 CR2=c3000010",
      "CR0=80050033 CR2=c3000010 CR3=02017000 CR4=000006d0",
    ].join("\n"),
    map32,
  );
  assert.equal(log.deliveries[0].cr2, 0xbffff874);
  assert.equal(log.deliveries[0].pc, 0x0809c129);
  assert.equal(log.deliveries[1].pc, 0xc10f0000 - 2 ** 32);
  assert.equal(log.deliveries[1].cr2, 0xc3000010 - 2 ** 32);
  assert.deepEqual(log.cr3Values, [0x02017000]);
});

Deno.test("versions: foreign architectures pin their kernels by --arch name and their packages", () => {
  const base = '{"schema":"vmmlab.versions/1","kernel":{"package":"k","version":"1"},"packages":{}';
  const lock = parseVersionLock(
    base +
      ',"foreign":{"i386":{"kernels":{"i386":{"package":"k686","version":"2"}},"packages":{"libc6":"3"}}}}',
    "f",
  );
  assert.deepEqual(lock.foreign.i386.kernels.i386, { package: "k686", version: "2" });
  assert.equal(lock.foreign.i386.packages.libc6, "3");
  assert.deepEqual(parseVersionLock(base + "}", "f").foreign, {});
  assert.throws(
    () => parseVersionLock(base + ',"foreign":{"i386":{"kernels":{"i386":1}}}}', "f"),
    /f: foreign.i386 needs kernels/,
  );
});
