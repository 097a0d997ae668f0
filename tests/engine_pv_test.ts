import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { SensitiveOp } from "../src/trace/record.ts";
import { BUILTIN_PLATFORMS } from "../src/platforms/load.ts";

const K = -0x80000000;
const U = 0x400000;
const PV_COSTS = {
  "native.cpi": 1,
  "native.sensitive": 10,
  // The classes the profiles price apart (issue 12) at the same round number.
  "native.sensitive.sti": 10,
  "native.sensitive.pushf": 10,
  "native.sensitive.popf": 10,
  "native.sensitive.rdtsc": 10,
  "native.sensitive.mov-from-sreg": 10,
  "native.sensitive.mov-to-sreg": 10,
  "native.sensitive.push-sreg": 10,
  "native.sensitive.pop-sreg": 10,
  "native.sensitive.syscall": 100,
  "native.sensitive.sysret": 10,
  "pv.hypercall": 500,
  "pv.handler": 0,
  "pv.handler.cr3-write": 20,
  "pv.shared": 2,
  "pv.shared.sti": 2,
  "pv.shared.popf": 2,
  "pv.exception": 900,
  "pv.event-upcall": 300,
  "pv.syscall": 700,
  "pv.fast-syscall": 0,
};
const platform = testPlatform(PV_COSTS);

Deno.test("pv keeps the interrupt flag in shared memory and makes privileged work a hypercall", () => {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [
    { length: 1, sensitive: SensitiveOp.Cli, flow: 0 },
    { length: 1, sensitive: SensitiveOp.Sti, flow: 0 },
    { length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 },
  ]);
  t.exec(b).sensitive(SensitiveOp.Cli, K).sensitive(SensitiveOp.Sti, K + 1)
    .sensitive(SensitiveOp.CrWrite, K + 2, 3, 0x2000);
  const r = replayInput(t, { platform, cpu: "pv" });
  assert.equal(r.breakdown["pv.shared"], 4);
  assert.equal(r.breakdown["pv.hypercall.cr3-write"], 520);
  assert.equal(r.events["hypercalls"], 1);
});

Deno.test("pv system calls: x86-64 Xen bounces them and returns by hypercall; x86-32 Xen does neither", () => {
  const t = new ArrayTrace();
  const u = t.block(U, 3, [{ length: 2, sensitive: SensitiveOp.Syscall, flow: 7 }]);
  const k = t.block(K, 0, [
    { length: 3, sensitive: SensitiveOp.Swapgs, flow: 0 },
    { length: 2, sensitive: SensitiveOp.Rdtsc, flow: 0 },
    { length: 3, sensitive: SensitiveOp.Sysret, flow: 7 },
  ]);
  t.exec(u).sensitive(SensitiveOp.Syscall, U).exec(k).sensitive(SensitiveOp.Swapgs, K)
    .sensitive(SensitiveOp.Rdtsc, K + 3).sensitive(SensitiveOp.Sysret, K + 5);
  // x86-64 (profile flag 0): SYSCALL bounces through Xen (700), SWAPGS is patched out (0),
  // RDTSC runs natively (10), SYSRET is the iret hypercall (500 + handler 0).
  const x64 = replayInput(t, { platform, cpu: "pv" });
  assert.equal(x64.breakdown["pv.syscall-bounce"], 700);
  assert.equal(x64.events["pv.syscall-bounces"], 1);
  assert.equal(x64.events["pv.patched-out"], 1);
  assert.equal(x64.breakdown["guest.sensitive"], 10);
  assert.equal(x64.breakdown["pv.hypercall.return"], 500);
  assert.equal(x64.events["hypercalls"], 1);
  // Every instruction of the two blocks is sensitive, so nothing is charged as plain execution.
  assert.equal(x64.cycles.virtualized, 700 + 10 + 500);
  assert.equal(x64.cycles.native, 100 + 10 + 10 + 10);
  // x86-32 (option on): SYSCALL 100 and SWAPGS 10 native, RDTSC 10, SYSRET native 10 plus
  // restoring the virtual interrupt flag in shared memory (2); no hypercall at all.
  const x32 = replayInput(t, { platform, cpu: "pv", options: { "pv.fast-syscall": true } });
  assert.equal(x32.breakdown["guest.sensitive"], 100 + 10 + 10 + 10);
  assert.equal(x32.breakdown["pv.shared"], 2);
  assert.equal(x32.events["pv.fast-syscalls"], 1);
  assert.equal(x32.events["pv.native-returns"], 1);
  assert.equal(x32.events["hypercalls"] ?? 0, 0);
  assert.equal(x32.cycles.virtualized, 130 + 2);
  // The profile flag alone selects x86-32 as well.
  const flagged = testPlatform({ ...PV_COSTS, "pv.fast-syscall": 1 });
  assert.equal(replayInput(t, { platform: flagged, cpu: "pv" }).cycles.virtualized, 130 + 2);
});

Deno.test("pv delivers interrupts through event-channel upcalls and bounces exceptions", () => {
  const t = new ArrayTrace();
  t.interrupt(32, 0, K).exception(0, 0, 0, K);
  const r = replayInput(t, { platform, cpu: "pv" });
  assert.equal(r.breakdown["pv.event-upcall"], 300);
  assert.equal(r.events["pv.event-channel-upcalls"], 1);
  assert.equal(r.breakdown["pv.exception-bounce"], 900);
});

Deno.test("pv with pv-direct batches page-table updates into hypercalls", () => {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [{ length: 3, sensitive: 0, flow: 0 }]);
  const c = t.block(K + 64, 0, [{ length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 }]);
  t.exec(c).sensitive(SensitiveOp.CrWrite, K + 64, 3, 0x1000);
  for (let i = 0; i < 5; i++) t.exec(b).ptWrite(0x1000 + 8 * i, 4, 0x2063, 1, K);
  t.exec(c).sensitive(SensitiveOp.CrWrite, K + 64, 3, 0x1000);
  const r = replayInput(t, {
    platform,
    cpu: "pv",
    mmu: "pv-direct",
    options: { "mmu.pv-batch": 2 },
  });
  // Five updates in batches of 2: two full batches, and the last one sent before the CR3 write.
  assert.equal(r.events["mmu.pv.batches"], 3);
  assert.equal(r.events["hypercalls.hypercall"], 3);
  const one = replayInput(t, {
    platform,
    cpu: "pv",
    mmu: "pv-direct",
    options: { "mmu.pv-batch": 8 },
  });
  assert.equal(one.events["mmu.pv.batches"], 1);
});

Deno.test("xeon-2400: a one-PTE page fault under Xen costs Barham's Table 5 difference, bounce counted once", () => {
  const xeon = BUILTIN_PLATFORMS["xeon-2400"];
  const t = new ArrayTrace();
  const k = t.block(K, 0, [{ length: 1, sensitive: 0, flow: 0 }]);
  // A user access faults, the guest handler writes one PTE, and the access is retried.
  t.exception(14, 4, U + 0x5000, U).exec(k).ptWrite(0x3000, 1, 0x5067, 0, K);
  // Without caches: the hand computation below has no cold misses of the handler's footprint.
  const r = replayInput(t, {
    platform: xeon,
    cpu: "pv",
    mmu: "pv-direct",
    options: { "cache.hierarchy": false },
  });
  // pv.exception.pf 2561 (native delivery 1031 + bounce surplus 1530), one validated update
  // (174) applied by one hypercall (1440), and no second bounce in the MMU (mmu.pv.fault 0):
  // 2561 - 1031 + 174 + 1440 = 3144 = (2.73 - 1.42) us x 2.4 GHz.
  assert.equal(r.breakdown["pv.exception-bounce"], 2561);
  assert.equal(r.breakdown["mmu.pv.fault"] ?? 0, 0);
  assert.equal(r.events["hypercalls"], 1);
  assert.equal(r.cycles.virtualized - r.cycles.native, 3144);
});
