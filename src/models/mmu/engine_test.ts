// The MMU models driven by the real engine and platform profiles: hand-built traces whose
// walk references and VMM transitions can be counted by hand.
import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { RecordKind, SensitiveOp } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";

const BARCELONA = loadPlatform("opteron-barcelona");

/** A CR3 load and `pages` user references, one per 4 KB page. */
function touchTrace(pages: number, stride = 4096): ArrayTrace {
  const t = new ArrayTrace({ workload: "touch" });
  const b = t.block(0x1000, 3, [{ length: 2, sensitive: 0, flow: 0 }]);
  t.sensitive(SensitiveOp.CrWrite, 0x1000, 3, 0x5000);
  for (let i = 0; i < pages; i++) {
    t.exec(b);
    t.mem(0x7f1234560000 + i * stride, 0x200000 + i * stride, 8, 0);
  }
  return t;
}

Deno.test("engine: a cold 2-D walk is exactly 24 references, native 4", () => {
  const r = replayInput(touchTrace(1), {
    cpu: "hw",
    mmu: "nested",
    platform: "opteron-barcelona",
    // Without the cache hierarchy every walk reference costs mmu.walk.ref (by hand).
    options: { "mmu.pwc": "none", "mmu.ntlb-entries": 0, "cache.hierarchy": false },
  });
  assert.equal(r.events["walk.refs"], 24);
  assert.equal(r.breakdown["mmu.walk"], 24 * BARCELONA.cost("mmu.walk.ref"));
  const native = r.nativeBreakdown as Record<string, number>;
  assert.equal(native["mmu.walk"], 4 * BARCELONA.cost("mmu.walk.ref"));
});

Deno.test("engine: Bhargava caches, 64 neighbouring pages: 1-D PWC < 2-D PWC < 2-D PWC + NTLB", () => {
  const walk = (pwc: string, ntlb: number) =>
    replayInput(touchTrace(64), {
      cpu: "hw",
      mmu: "nested",
      platform: "opteron-barcelona",
      options: { "mmu.pwc": pwc, "mmu.ntlb-entries": ntlb, "cache.hierarchy": false },
    }).breakdown["mmu.walk"];
  const none = walk("none", 0), d1 = walk("1d", 0), d2 = walk("2d", 0), d2n = walk("2d", 16);
  const ref = BARCELONA.cost("mmu.walk.ref"), hit = BARCELONA.cost("mmu.pwc.hit");
  assert.equal(none, 64 * 24 * ref);
  // 1-D PWC: after the first walk gL4..gL2 hit (the 64 pages share one gL1 table).
  assert.equal(d1, 24 * ref + 63 * (21 * ref + 3 * hit));
  assert.ok(d2 < d1 && d2n < d2, `${d1} ${d2} ${d2n}`);
});

Deno.test("engine: a PTE write under shadow is one traced-write exit; nested takes none", () => {
  const t = touchTrace(1);
  t.add(RecordKind.PtWrite, { Paddr: 0x5008, Level: 4, Pc: 0x1001 });
  const shadow = replayInput(t, { cpu: "hw", mmu: "shadow", platform: "p4-prescott" });
  assert.equal(shadow.events["mmu.traced-writes"], 1);
  assert.equal(shadow.events["exits.traced-write"], 1);
  assert.equal(shadow.events["mmu.hidden-faults"], 1);
  assert.equal(
    shadow.breakdown["mmu.shadow.traced-write"],
    loadPlatform("p4-prescott").cost("mmu.shadow.traced-write"),
  );
  const nested = replayInput(t, { cpu: "hw", mmu: "nested", platform: "p4-prescott" });
  assert.equal(nested.events["exits.traced-write"] ?? 0, 0);
});

Deno.test("engine: pv-direct batches updates into hypercalls", () => {
  const t = touchTrace(1);
  for (let i = 0; i < 5; i++) {
    t.add(RecordKind.PtWrite, { Paddr: 0x9000 + 8 * i, Level: 1, Pc: 0x1001 });
  }
  const r = replayInput(t, {
    cpu: "pv",
    mmu: "pv-direct",
    platform: "xeon-2400",
    options: { "mmu.pv-batch": 2 },
  });
  assert.equal(r.events["mmu.pv.updates"], 5);
  assert.equal(r.events["mmu.pv.batches"], 3);
});

Deno.test("engine: bad MMU options are one-line configuration errors", () => {
  const run = (options: Record<string, string | number>) => () =>
    replayInput(touchTrace(1), { mmu: "nested", platform: "opteron-barcelona", options });
  assert.throws(run({ "mmu.pwc": "3d" }), ConfigError);
  assert.throws(run({ "mmu.nested-page-size": 8192 }), /4096 or 2097152/);
  assert.throws(run({ "mmu.l1-entries": 0 }), ConfigError);
});

Deno.test("engine: shadow paging splinters a guest 2 MB page into 4 KB shadow entries unless mmu.shadow-large-pages", () => {
  const t = new ArrayTrace({ workload: "large", pageSizes: [4096, 2 * 1024 * 1024] });
  const b = t.block(-0x80000000, 0, [{ length: 2, sensitive: 0, flow: 0 }]);
  t.sensitive(SensitiveOp.CrWrite, -0x80000000, 3, 0x5000);
  const kva = -0x100000000; // inside one guest 2 MB kernel page
  t.exec(b).mem(kva, 0x200000, 8, 0).mem(kva + 0x1000, 0x201000, 8, 0);
  const base = { cpu: "bt", mmu: "shadow", platform: "p4-prescott" } as const;
  const options = { "mmu.pwc": "none", "cache.hierarchy": false };
  const split = replayInput(t, { ...base, options });
  // Two 4 KB shadow entries: two 4-level walks, two hidden faults.
  assert.equal(split.events["tlb.misses"], 2);
  assert.equal(split.events["walk.refs"], 8);
  assert.equal(split.events["mmu.hidden-faults"], 2);
  // Natively the guest's 2 MB page is one TLB entry: one 3-level walk.
  assert.equal((split.nativeBreakdown as Record<string, number>)["mmu.walk"], 3 * 27);
  const whole = replayInput(t, {
    ...base,
    options: { ...options, "mmu.shadow-large-pages": true },
  });
  assert.equal(whole.events["tlb.misses"], 1);
  assert.equal(whole.events["walk.refs"], 3);
  assert.equal(whole.events["mmu.hidden-faults"], 1);
});
