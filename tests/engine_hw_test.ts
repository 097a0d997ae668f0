import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { ControlFlow, SensitiveOp } from "../src/trace/record.ts";

const K = -0x80000000;
const p = { length: 2, sensitive: 0, flow: ControlFlow.None };

/** Exit 1000 + entry 2000 + 10 reads x 10 + 2 writes x 5 = 3110, plus each reason's handler. */
const values = {
  "native.cpi": 1,
  "hw.vm-exit": 1000,
  "hw.vm-entry": 2000,
  "hw.vmcb-read": 10,
  "hw.vmcb-write": 5,
  "hw.vmcb-reads": 10,
  "hw.vmcb-writes": 2,
  "hw.handler": 0,
  "hw.handler.page-fault": 400,
  "hw.handler.cpuid": 20,
  "hw.handler.cr3-write": 40,
  "hw.handler.rdtsc": 0,
  "hw.handler.exception": 0,
  "hw.handler.interrupt": 0,
  "hw.inject": 10,
  "hw.guest.exception": 7,
  "native.exception.de": 800,
  "native.exception.pf": 900,
  "native.interrupt": 600,
  "native.sensitive": 30,
  "native.sensitive.rdtsc": 30,
  "mmu.shadow.true-fault": 0,
  "mmu.shadow.switch": 0,
  "mmu.shadow.build": 0,
};
const platform = testPlatform(values);

function one(op: number, reg = 0): ArrayTrace {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [{ length: 2, sensitive: op, flow: 0 }]);
  t.exec(b).sensitive(op, K, reg, 0x1000);
  return t;
}

Deno.test("a VM exit costs exit + entry + VMCB reads and writes + handler", () => {
  const r = replayInput(one(SensitiveOp.Cpuid), { platform, cpu: "hw" });
  assert.equal(r.breakdown["hw.exit.cpuid"], 3110 + 20);
  assert.equal(r.events["exits.cpuid"], 1);
  assert.equal(r.events["exits.total"], 1);
  assert.equal(r.cycles.virtualized, 3130);
});

Deno.test("the exiting set is configurable: RDTSC runs in guest mode unless listed", () => {
  const plain = replayInput(one(SensitiveOp.Rdtsc), { platform, cpu: "hw" });
  assert.equal(plain.events["exits.total"], undefined);
  assert.equal(plain.breakdown["guest.sensitive"], 30);
  const exiting = replayInput(one(SensitiveOp.Rdtsc), {
    platform,
    cpu: "hw",
    options: { "hw.exits": "rdtsc,cpuid" },
  });
  assert.equal(exiting.events["exits.rdtsc"], 1);
  assert.equal(exiting.breakdown["hw.exit.rdtsc"], 3110);
});

Deno.test("shadow paging makes CR3 writes exit; nested paging does not", () => {
  const shadow = replayInput(one(SensitiveOp.CrWrite, 3), { platform, cpu: "hw", mmu: "shadow" });
  assert.equal(shadow.events["exits.cr3-write"], 1);
  // The exit's own handler (hw.handler.cr3-write), besides the MMU's shadow-root work.
  assert.equal(shadow.breakdown["hw.exit.cr3-write"], 3110 + 40);
  const nested = replayInput(one(SensitiveOp.CrWrite, 3), { platform, cpu: "hw", mmu: "nested" });
  assert.equal(nested.events["exits.cr3-write"], undefined);
  assert.equal(nested.breakdown["guest.sensitive"], 30);
});

Deno.test("an exception outside the exiting set is delivered in guest mode", () => {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [p]);
  t.exec(b).exception(0, 0, 0, K);
  const r = replayInput(t, { platform, cpu: "hw" });
  assert.equal(r.breakdown["guest.exception"], 807);
  assert.equal(r.events["exits.total"], undefined);
  const caught = replayInput(t, { platform, cpu: "hw", options: { "hw.exits": "vector:0" } });
  assert.equal(caught.breakdown["hw.exit.exception"], 3110);
  assert.equal(caught.breakdown["hw.inject"], 10);
  assert.equal(caught.breakdown["guest.exception"], 807);
});

Deno.test("under shadow paging a guest page fault exits, is injected and delivered", () => {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [p]);
  t.exec(b).exception(14, 0, 0x5000, K);
  const r = replayInput(t, { platform, cpu: "hw", mmu: "shadow" });
  assert.equal(r.breakdown["hw.exit.page-fault"], 3110 + 400);
  assert.equal(r.breakdown["hw.inject"], 10);
  assert.equal(r.breakdown["guest.exception"], 907);
  const nested = replayInput(t, { platform, cpu: "hw", mmu: "nested" });
  assert.equal(nested.events["exits.total"], undefined);
});

Deno.test("external interrupts exit, are injected and delivered through the guest IDT", () => {
  const t = new ArrayTrace();
  t.interrupt(32, 0, K);
  const r = replayInput(t, { platform, cpu: "hw" });
  assert.equal(r.breakdown["hw.exit.interrupt"], 3110);
  assert.equal(r.events["hw.injections"], 1);
  assert.equal(r.breakdown["guest.interrupt"], 600);
});

Deno.test("a profile may price the hardware exit per reason (hw.vm-exit.REASON)", () => {
  const perReason = testPlatform({ ...values, "hw.vm-exit.cpuid": 1500 });
  const r = replayInput(one(SensitiveOp.Cpuid), { platform: perReason, cpu: "hw" });
  assert.equal(r.breakdown["hw.exit.cpuid"], 3110 + 500 + 20);
  const rd = replayInput(one(SensitiveOp.Rdtsc), {
    platform: perReason,
    cpu: "hw",
    options: { "hw.exits": "rdtsc" },
  });
  assert.equal(rd.breakdown["hw.exit.rdtsc"], 3110);
});
