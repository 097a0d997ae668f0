import assert from "node:assert/strict";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published } from "../experiments/_lib/experiment.ts";
import forkwait from "../experiments/adams_forkwait.ts";
import breakdown, { familyCycles, familyOf } from "../experiments/adams_breakdown.ts";
import { oneTimeCycles, steadySlowdown, virtualizedCyclesFor } from "../src/engine/steady_state.ts";

/** Asserts |actual - expected| <= tolerance. */
function near(actual: number, expected: number, tolerance: number): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);
}

/** A result with hand-chosen numbers on the 3.8 GHz Pentium 4 profile. */
function fakeResult(
  cpu: string,
  native: number,
  virtualized: number,
  iterations: number,
  breakdown: Record<string, number>,
  events: Record<string, number> = {},
): Result {
  return {
    schema: RESULT_SCHEMA,
    trace: { path: "traces/forkwait.vmt", hash: "h", workload: "forkwait", iterations },
    config: {
      cpu,
      mmu: "shadow",
      memory: "none",
      io: "emulated",
      platform: "p4-prescott",
      seed: 1,
    },
    cycles: {
      native,
      virtualized,
      perIteration: { native: native / iterations, virtualized: virtualized / iterations },
    },
    slowdown: virtualized / native,
    breakdown,
    events,
    nativeBreakdown: { "guest.exec": native },
    host: {},
  };
}

const PUBLISHED: Published = {
  adams2006: {
    forkwait_p4_seconds: { iterations: 1000, native: 1, software_vmm: 4, hardware_vmm: 10 },
    kernel_compile_p4_seconds: { native: 100, software_vmm: 150, hardware_vmm: 200 },
  },
};

// 10 iterations: native 380,000 cycles each (0.1 ms at 3.8 GHz); the software VMM adds a
// one-time translation of 1,900,000 cycles and 380,000 steady cycles per iteration.
const BT = fakeResult("bt", 3_800_000, 3_800_000 + 3_800_000 + 1_900_000, 10, {
  "guest.exec": 3_800_000,
  "bt.translate": 1_900_000,
  "bt.indirect": 1_900_000,
  "bt.callout": 1_900_000,
}, { "bt.callouts.cr3-write": 3, "bt.callouts.iret": 1 });
const HW = fakeResult("hw", 3_800_000, 3_800_000 * 9, 10, {
  "guest.exec": 3_800_000,
  "hw.exit.traced-write": 3_800_000 * 8,
});

Deno.test("translation is a one-time cost unless the translation cache was flushed", () => {
  assert.deepEqual(oneTimeCycles(BT), 1_900_000);
  assert.deepEqual(oneTimeCycles(HW), 0);
  const flushed = { ...BT, events: { ...BT.events, "bt.tc-flushes": 1 } };
  assert.deepEqual(oneTimeCycles(flushed), 0);
  // 1000 iterations: 760,000 steady cycles each, plus 1.9 M once.
  assert.deepEqual(virtualizedCyclesFor(BT, 1000), 760_000 * 1000 + 1_900_000);
  assert.deepEqual(steadySlowdown(BT), 2);
  assert.deepEqual(steadySlowdown(HW), 9);
});

Deno.test("forkwait rows: seconds over the paper's iterations and ratios, all predictions", () => {
  const results = { "forkwait/software_vmm": BT, "forkwait/hardware_vmm": HW };
  const rows = forkwait.compare(results, PUBLISHED);
  const byLabel = new Map(rows.map((r) => [r.label, r]));
  // native: 380,000 cycles x 1000 / 3.8 GHz = 0.1 s; published 1 s -> -90%.
  near(byLabel.get("forkwait, native")!.reproduced, 0.1, 1e-12);
  near(byLabel.get("forkwait, native")!.relError!, -0.9, 1e-12);
  // software: (760,000 x 1000 + 1.9 M) / 3.8 GHz = 0.2005 s.
  near(byLabel.get("forkwait, software VMM")!.reproduced, 0.2005, 1e-12);
  near(byLabel.get("forkwait, software VMM / native")!.reproduced, 2.005, 1e-12);
  assert.deepEqual(byLabel.get("forkwait, software VMM / native")!.published, 4);
  near(byLabel.get("forkwait, hardware VMM / native")!.reproduced, 9, 1e-12);
  assert.ok(rows.every((r) => r.role === "prediction"));
  // The native time is the one row of the native-time class.
  assert.deepEqual(rows.filter((r) => r.native).map((r) => r.label), ["forkwait, native"]);
  assert.deepEqual(rows.length, 5);
  const checks = forkwait.checks!(results, PUBLISHED);
  // 2.005 vs 4 (-50%) and 9 vs 10 (-10%): the first misses, the second passes.
  assert.deepEqual(checks.map((c) => c.passed), [false, true, true, null, null]);
  assert.match(checks[3].detail, /^not reproduced: no trace/);
  // The kernel compile's native 265 s is named and explained, not silently absent.
  assert.match(checks[4].label, /kernel compile native 265 s/);
  assert.match(checks[4].detail, /^not reproduced: /);
});

Deno.test("kernel compile joins as ratios only when its runs exist", () => {
  const kc = { ...BT, trace: { ...BT.trace, workload: "kernel-compile" } };
  const results = {
    "forkwait/software_vmm": BT,
    "forkwait/hardware_vmm": HW,
    "kernel-compile/software_vmm": kc,
    "kernel-compile/hardware_vmm": HW,
  };
  const rows = forkwait.compare(results, PUBLISHED).filter((r) => r.label.startsWith("kernel"));
  assert.deepEqual(rows.map((r) => r.label), [
    "kernel compile, software VMM",
    "kernel compile, hardware VMM",
    "kernel compile, software VMM / native",
    "kernel compile, hardware VMM / native",
  ]);
  assert.deepEqual(rows[2].reproduced, 2);
  assert.deepEqual(rows[2].published, 1.5);
  // Seconds: the published native time times the reproduced ratio, so the errors agree.
  const nativeSeconds = rows[0].published! / 1.5;
  near(rows[0].reproduced, 2 * nativeSeconds, 1e-9);
  near(rows[0].relError!, rows[2].relError!, 1e-12);
  const checks = forkwait.checks!(results, PUBLISHED);
  assert.equal(checks.length, 5);
  assert.equal(checks[3].passed, true, checks[3].detail);
  assert.equal(checks[4].passed, null);
});

Deno.test("breakdown families: categories by cause, call-outs apportioned by count", () => {
  assert.deepEqual(familyOf("hw.exit.traced-write"), "page-table writes");
  assert.deepEqual(familyOf("bt.trace-fault"), "page-table writes");
  assert.deepEqual(familyOf("mmu.shadow.hidden-fault"), "page faults");
  assert.deepEqual(familyOf("mmu.shadow.switch"), "CR3 writes, INVLPG");
  assert.deepEqual(familyOf("mmu.shadow.rmap"), "shadow-page upkeep");
  assert.deepEqual(familyOf("guest.sensitive"), "guest work (as native)");
  assert.deepEqual(familyOf("bt.tc-emulate"), "other sensitive ops");
  const families = familyCycles(BT.breakdown, BT.events, 10, 1_900_000, 1000);
  assert.deepEqual(families.get("translation"), 1900);
  assert.deepEqual(families.get("indirect branches"), 190_000);
  // 3 of 4 call-outs are CR3 writes.
  assert.deepEqual(families.get("CR3 writes, INVLPG"), 142_500);
  assert.deepEqual(families.get("other sensitive ops"), 47_500);
  const absent = breakdown.checks!({}, PUBLISHED);
  assert.deepEqual(absent.map((c) => c.passed), [null]);
  assert.match(absent[0].detail, /^not reproduced: no trace/);
  const checks = breakdown.checks!({ "forkwait/hardware_vmm": HW }, PUBLISHED);
  assert.deepEqual(checks.length, 1);
  assert.ok(checks[0].passed);
});
