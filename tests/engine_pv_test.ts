import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { SensitiveOp } from "../src/trace/record.ts";

const K = -0x80000000;
const U = 0x400000;
const platform = testPlatform({
  "native.cpi": 1,
  "native.sensitive": 10,
  "native.sensitive.syscall": 100,
  "pv.hypercall": 500,
  "pv.handler": 0,
  "pv.handler.cr3-write": 20,
  "pv.shared": 2,
  "pv.exception": 900,
  "pv.event-upcall": 300,
});

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

Deno.test("pv system calls take the fast path unless it is turned off", () => {
  const t = new ArrayTrace();
  const u = t.block(U, 3, [{ length: 2, sensitive: SensitiveOp.Syscall, flow: 7 }]);
  t.exec(u).sensitive(SensitiveOp.Syscall, U);
  const fast = replayInput(t, { platform, cpu: "pv" });
  assert.equal(fast.breakdown["guest.sensitive"], 100);
  assert.equal(fast.events["pv.fast-syscalls"], 1);
  const slow = replayInput(t, { platform, cpu: "pv", options: { "pv.fast-syscall": false } });
  assert.equal(slow.breakdown["pv.exception-bounce"], 900);
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
