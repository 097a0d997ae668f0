import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { type MmuModel, registerModel, Transition } from "../src/engine/model.ts";
import { ControlFlow, SensitiveOp, type TraceRecord } from "../src/trace/record.ts";

const K = -0x80000000;
const U = 0x400000;
const p = { length: 2, sensitive: 0, flow: ControlFlow.None };

/** Round costs: cpi 1, translate 100/instruction, indirect 40, TC emulation 20 (CR8 5), call-out 300. */
const platform = testPlatform({
  "native.cpi": 1,
  "native.flow.ret": 0,
  "native.flow.call": 0,
  "bt.translate": 100,
  "bt.indirect": 40,
  "bt.tc-emulate": 20,
  "bt.tc-emulate.cr8-write": 5,
  "bt.callout": 300,
  "bt.trace-fault": 1000,
  "bt.adapted-write": 50,
  "bt.transition.user": 700,
  "bt.transition.user.syscall": 500,
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
});

/** An MMU whose every page-table write is traced (asks the CPU for the transition). */
class AllTracedMmu implements MmuModel {
  readonly intercepts = 0;
  #cpu: () => { vmmTransition(r: number, pc: number): void };
  constructor(cpu: () => { vmmTransition(r: number, pc: number): void }) {
    this.#cpu = cpu;
  }
  access(): void {}
  switchRoot(): void {}
  invlpg(): void {}
  ptWrite(rec: TraceRecord): void {
    this.#cpu().vmmTransition(Transition.TracedWrite, rec.pc);
  }
  pageFault(): boolean {
    return false;
  }
  flush(): void {}
  finish(): void {}
}
registerModel("mmu", "test-all-traced", (ctx) => new AllTracedMmu(() => ctx.cpu), {
  summary: "Test: translation free, every page-table write traced.",
});

Deno.test("bt translates a repeated kernel block once and hits the cache afterwards", () => {
  const t = new ArrayTrace();
  const k = t.block(K, 0, [p, p, p, p]);
  for (let i = 0; i < 5; i++) t.exec(k);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.events["bt.translations"], 1);
  assert.equal(r.events["bt.translated-instructions"], 4);
  assert.equal(r.events["bt.tc-hits"], 4);
  assert.equal(r.breakdown["bt.translate"], 4 * 100);
  assert.equal(r.breakdown["guest.exec"], 20);
  assert.equal(r.cycles.virtualized, 420);
});

Deno.test("bt runs user code directly: no translation", () => {
  const t = new ArrayTrace();
  const u = t.block(U, 3, [p, p]);
  for (let i = 0; i < 3; i++) t.exec(u);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.events["bt.translations"], undefined);
  assert.equal(r.cycles.virtualized, 6);
});

Deno.test("bt keys translations by code address: two blocks at one address share one translation", () => {
  const t = new ArrayTrace();
  const a = t.block(K, 0, [p, p]);
  const b = t.block(K, 0, [p, p, p]);
  t.exec(a).exec(b);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.events["bt.translations"], 1);
  assert.equal(r.events["bt.tc-hits"], 1);
});

Deno.test("bt charges the indirect-transfer penalty in translated code only", () => {
  const t = new ArrayTrace();
  const k = t.block(K, 0, [p, { length: 1, sensitive: 0, flow: ControlFlow.Ret }]);
  const u = t.block(U, 3, [p, { length: 1, sensitive: 0, flow: ControlFlow.Ret }]);
  t.exec(k).exec(k).exec(u);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.breakdown["bt.indirect"], 2 * 40);
  assert.equal(r.events["bt.indirect"], 2);
});

Deno.test("a full translation cache is flushed and retranslates", () => {
  const t = new ArrayTrace();
  const a = t.block(K, 0, [p, p]); // 4 bytes of guest code
  const b = t.block(K + 64, 0, [p, p]); // 4 bytes
  t.exec(a).exec(b).exec(a).exec(b);
  const r = replayInput(t, { platform, cpu: "bt", options: { "bt.tc-capacity": 6 } });
  assert.equal(r.events["bt.translations"], 4);
  assert.equal(r.events["bt.tc-flushes"], 3);
  const big = replayInput(t, { platform, cpu: "bt", options: { "bt.tc-capacity": 8 } });
  assert.equal(big.events["bt.translations"], 2);
  assert.equal(big.events["bt.tc-flushes"], undefined);
});

Deno.test("bt emulates cheap sensitive instructions in the TC and calls out for expensive ones", () => {
  const t = new ArrayTrace();
  const k = t.block(K, 0, [
    { length: 1, sensitive: SensitiveOp.Cli, flow: 0 },
    { length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 },
    { length: 2, sensitive: SensitiveOp.Wrmsr, flow: 0 },
  ]);
  t.exec(k).sensitive(SensitiveOp.Cli, K).sensitive(SensitiveOp.CrWrite, K + 1, 8, 2)
    .sensitive(SensitiveOp.Wrmsr, K + 4, 0x10);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.breakdown["bt.tc-emulate"], 20 + 5); // CLI, and CR8 write at its own cost
  assert.equal(r.breakdown["bt.callout"], 300); // WRMSR
  assert.equal(r.events["bt.callouts.wrmsr"], 1);
  // With CR8 writes removed from the in-TC list, they call out.
  const r2 = replayInput(t, { platform, cpu: "bt", options: { "bt.tc-emulated": "cli" } });
  assert.equal(r2.breakdown["bt.callout"], 600);
});

Deno.test("user-mode system calls enter the VMM; privileged user instructions trap", () => {
  const t = new ArrayTrace();
  const u = t.block(U, 3, [{ length: 2, sensitive: SensitiveOp.Syscall, flow: 7 }]);
  const v = t.block(U + 64, 3, [{ length: 1, sensitive: SensitiveOp.Cli, flow: 0 }]);
  const w = t.block(U + 128, 3, [{ length: 1, sensitive: SensitiveOp.Pushf, flow: 0 }]);
  t.exec(u).sensitive(SensitiveOp.Syscall, U).exec(v).sensitive(SensitiveOp.Cli, U + 64)
    .exec(w).sensitive(SensitiveOp.Pushf, U + 128);
  const r = replayInput(t, { platform, cpu: "bt" });
  assert.equal(r.breakdown["bt.vmm.syscall"], 500);
  assert.equal(r.breakdown["bt.vmm.sensitive"], 700);
  assert.equal(r.breakdown["guest.sensitive"], 10); // PUSHF runs directly at CPL 3
});

Deno.test("adaptive translation turns a store that keeps trace-faulting into a direct emulation call", () => {
  const t = new ArrayTrace();
  const k = t.block(K, 0, [p, p, p]);
  for (let i = 0; i < 5; i++) t.exec(k).ptWrite(0x4000, 1, 0x1063, 1, K + 2);
  const r = replayInput(t, {
    platform,
    cpu: "bt",
    mmu: "test-all-traced",
    options: { "bt.adapt-threshold": 2 },
  });
  assert.equal(r.events["bt.trace-faults"], 2);
  assert.equal(r.events["bt.adaptations"], 1);
  assert.equal(r.events["bt.adapted-writes"], 3);
  // Initial translation + retranslation of the 3-instruction block.
  assert.equal(r.breakdown["bt.translate"], 2 * 3 * 100);
  assert.equal(r.breakdown["bt.trace-fault"], 2 * 1000);
  assert.equal(r.breakdown["bt.adapted-write"], 3 * 50);
  const off = replayInput(t, {
    platform,
    cpu: "bt",
    mmu: "test-all-traced",
    options: { "bt.adaptive": false },
  });
  assert.equal(off.events["bt.trace-faults"], 5);
  assert.equal(off.events["bt.adaptations"], undefined);
});

Deno.test("a PTE write under bt+shadow costs one traced fault, then adapted writes", () => {
  const t = new ArrayTrace();
  const cr3 = t.block(K + 0x1000, 0, [{ length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 }]);
  const k = t.block(K, 0, [p]);
  t.exec(cr3).sensitive(SensitiveOp.CrWrite, K + 0x1000, 3, 0x1000);
  // Both writes hit the root page, which shadow paging write-protects.
  t.exec(k).ptWrite(0x1000 + 8, 4, 0x2063, 1, K);
  t.exec(k).ptWrite(0x1000 + 8, 4, 0x3063, 1, K);
  const r = replayInput(t, {
    platform,
    cpu: "bt",
    mmu: "shadow",
    options: { "bt.adapt-threshold": 1 },
  });
  assert.equal(r.events["mmu.traced-writes"], 2);
  assert.equal(r.events["bt.trace-faults"], 1);
  assert.equal(r.events["bt.adapted-writes"], 1);
});
