// 32-bit guests: 2-level (32-bit paging) and 3-level (PAE) table shapes, hand-counted walks,
// shadow top-level writes, and the header field every MMU model reads its levels from.
import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { loadPlatform } from "../../platforms/load.ts";
import {
  DEFAULT_PAGING_LEVELS,
  guestPagingLevels,
  headerProblem,
  I386_KERNEL_BASE,
  type TraceHeaderInit,
} from "../../trace/header.ts";
import { TraceReader } from "../../trace/reader.ts";
import { Field, RecordKind, SensitiveOp, TraceRecord } from "../../trace/record.ts";
import { TraceWriter } from "../../trace/writer.ts";
import { pagingGeometry } from "./geometry.ts";
import { RecordingHost } from "./host.ts";
import { ShadowMmu } from "./shadow.ts";
import { Translated, Translator, type TranslatorConfig } from "./translator.ts";
import { TEST_COSTS, testTranslatorConfig, walkRefs } from "./test_support.ts";

const COSTS = TEST_COSTS;
/** 0xC0000000, the i386 kernel base, as a trace stores it (minus 2^32). */
const KBASE = I386_KERNEL_BASE - 2 ** 32;

/** The translator of the tests, with 32-bit paging's two levels and room for 2^16 guest pages. */
function config(over: Partial<TranslatorConfig> = {}): TranslatorConfig {
  return testTranslatorConfig({ levels: 2, guestPages: 1 << 16, ...over });
}

const refs = walkRefs;

Deno.test("geometry: 32-bit paging is 10+10 bits of 4-byte entries, PAE 2+9+9, x86-64 9 per level", () => {
  const g2 = pagingGeometry(2);
  assert.deepEqual(g2.scale.slice(0, 4), [1, 4096, 4 * 2 ** 20, 2 ** 32]);
  assert.equal(g2.entryBytes, 4);
  assert.equal(g2.topEntries, 1024);
  assert.equal(g2.kernelTopIndex, 768); // 0xC0000000 >> 22
  assert.equal(g2.largePage, 4 * 2 ** 20);
  const g3 = pagingGeometry(3);
  assert.deepEqual(g3.scale.slice(0, 5), [1, 4096, 2 ** 21, 2 ** 30, 2 ** 32]);
  assert.equal(g3.topEntries, 4);
  assert.equal(g3.kernelTopIndex, 3); // 0xC0000000 >> 30
  assert.equal(g3.entryBytes, 8);
  const g4 = pagingGeometry(4);
  assert.deepEqual(g4.scale.slice(0, 6), [1, 4096, 2 ** 21, 2 ** 30, 2 ** 39, 2 ** 48]);
  assert.equal(g4.kernelTopIndex, 256);
  assert.throws(() => pagingGeometry(1), RangeError);
  assert.throws(() => pagingGeometry(6), RangeError);
});

Deno.test("1-D cold walks: 2 references on a 2-level guest, 3 on PAE", () => {
  for (const levels of [2, 3]) {
    const h = new RecordingHost();
    const t = new Translator(h, config({ levels }), COSTS);
    t.setRoot(0x1000);
    assert.equal(t.translate(0x08048000, 0x5000), Translated.Walked);
    assert.deepEqual(refs(h, "l", levels), Array(levels).fill(1));
    assert.equal(h.eventOf("walk.refs"), levels);
    assert.equal(h.cyclesOf("mmu.walk"), levels * 11);
  }
});

Deno.test("a 2-level page directory entry spans 4 MB: pages 2 MB apart share it in the PWC", () => {
  // 0x400000 and 0x600000 are in one 4 MB directory entry but two 2 MB PAE/x86-64 ones.
  const hit = (levels: number) => {
    const h = new RecordingHost();
    const t = new Translator(h, config({ levels, pwc: "1d" }), COSTS);
    t.setRoot(0x1000);
    t.translate(0x400000, 0);
    t.translate(0x600000, 0);
    return h.eventOf("mmu.pwc-hits");
  };
  assert.equal(hit(2), 1); // the PDE
  assert.equal(hit(3), 1); // the PDPTE only; the two PDEs differ
  assert.equal(hit(4), 2); // PML4E and PDPTE
});

Deno.test("2-D cold walks: (n+1)(m+1)-1 references: 2-level 14, PAE 19, 4-level 24", () => {
  for (const [levels, total] of [[2, 14], [3, 19], [4, 24]]) {
    const h = new RecordingHost();
    const t = new Translator(h, config({ levels, twoD: true }), COSTS);
    t.setRoot(0x1000);
    t.translate(0x08048000, 0x123000);
    assert.equal(h.eventOf("walk.refs"), total, `${levels} levels`);
    assert.deepEqual(refs(h, "l", levels), Array(levels).fill(1));
    // Each of the guest's tables and the data page is translated by a 4-level nested walk.
    assert.deepEqual(refs(h, "n", 4), Array(4).fill(levels + 1));
    assert.equal(h.cyclesOf("mmu.walk"), total * 11);
  }
  // 2 MB nested pages: a nested walk is 3 references, so (2+1)(3+1)-1 = 11.
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, nestedPageSize: 2097152 }), COSTS);
  t.setRoot(0x1000);
  t.translate(0x08048000, 0x123000);
  assert.equal(h.eventOf("walk.refs"), 11);
});

Deno.test("4 MB large pages on a 2-level guest: a 1-reference walk and one TLB entry per 4 MB", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ largePages: "kernel" }), COSTS);
  t.setRoot(0x1000);
  t.translate(KBASE, 0);
  assert.deepEqual(refs(h, "l", 2), [0, 1]);
  assert.equal(t.translate(KBASE + 0x3ff000, 0x3ff000), Translated.L1Hit);
  assert.equal(t.translate(KBASE + 0x400000, 0x400000), Translated.Walked);
  // Under 4 KB nested pages the 4 MB guest page splinters: the TLB entry covers 4 KB.
  const h2 = new RecordingHost();
  const t2 = new Translator(h2, config({ largePages: "kernel", twoD: true }), COSTS);
  t2.setRoot(0x1000);
  t2.translate(KBASE, 0);
  assert.equal(h2.eventOf("walk.refs"), 1 * 5 + 4); // PDE (table nested-walked), data
  assert.equal(t2.translate(KBASE + 0x1000, 0x1000), Translated.Walked);
});

Deno.test("kernel addresses (at and above 0xC0000000, stored negative) stay global across CR3 writes", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config(), COSTS);
  t.setRoot(0x1000);
  t.translate(KBASE + 0x1000, 0x1000);
  t.translate(0xbffff000, 0x2000); // the top of the user stack: user, not kernel
  t.setRoot(0x2000);
  assert.equal(t.translate(KBASE + 0x1000, 0x1000), Translated.L1Hit);
  assert.equal(t.translate(0xbffff000, 0x2000), Translated.Walked);
});

function ptWrite(paddr: number): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.PtWrite;
  r.f[Field.Paddr] = paddr;
  r.f[Field.Level] = 2;
  r.f[Field.Pc] = 0x1234;
  return r;
}

function shadow(levels: number): { h: RecordingHost; s: ShadowMmu } {
  const h = new RecordingHost({ "mmu.tlb.l2-hit": 7, "mmu.walk.ref": 11, "mmu.pwc.hit": 2 });
  const t = new Translator(h, config({ levels }), COSTS);
  const costs = {
    hiddenFault: 1000,
    tracedWrite: 300,
    trueFault: 500,
    switchRoot: 50,
    build: 4000,
    invlpg: 80,
  };
  return { h, s: new ShadowMmu(h, t, costs, { roots: 2, learn: "eager" }) };
}

Deno.test("shadow, 2-level guest: 4-byte directory entries; entry 768 is the kernel's first", () => {
  const { h, s } = shadow(2);
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 4, 0); // user, directory entry 1
  s.access(KBASE, 0, 4, 0); // kernel, directory entry 768
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
  s.ptWrite(ptWrite(0x5000 + 1 * 4)); // PDE 1 (4 bytes per entry): 4..8 MB
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 1);
  s.ptWrite(ptWrite(0x5000 + 2 * 4)); // PDE 2: nothing shadowed under it
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 1);
  s.ptWrite(ptWrite(0x5000 + 768 * 4)); // the kernel's first PDE: unlinks the kernel subtree
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 2);
  s.access(KBASE, 0, 4, 0);
  s.access(0x400000, 0, 4, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 4);
});

Deno.test("shadow, PAE guest: page-directory-pointer entry 3 is the kernel's 1 GB", () => {
  const { h, s } = shadow(3);
  s.switchRoot(0x5000);
  s.access(0x40000000, 0, 4, 0); // user, PDPTE 1
  s.access(KBASE, 0, 4, 0); // kernel, PDPTE 3
  s.ptWrite(ptWrite(0x5000 + 0 * 8)); // PDPTE 0: nothing shadowed under it
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 0);
  s.ptWrite(ptWrite(0x5000 + 1 * 8));
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 1);
  s.ptWrite(ptWrite(0x5000 + 3 * 8));
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 2);
});

const HEADER: TraceHeaderInit = {
  workload: "i386",
  source: { kind: "synthetic", method: "test", recorder: "test" },
  guest: { arch: "i386", pagingLevels: 2 },
  pageSizes: [4096, 4 * 2 ** 20],
  devices: [],
  inferred: [],
};

Deno.test("header: pagingLevels round-trips, defaults to 4, and impossible values are refused", () => {
  const w = TraceWriter.inMemory(HEADER);
  const b = w.defineBlock(0x08048000, 3, [{ length: 1, sensitive: 0, flow: 0 }]);
  w.exec(b);
  w.mem(KBASE + 0x10, 0x10, 4, 0);
  const r = TraceReader.fromBytes(w.finish());
  assert.equal(r.header.guest?.pagingLevels, 2);
  assert.equal(r.header.guest?.arch, "i386");
  assert.equal(guestPagingLevels(r.header), 2);
  assert.equal(guestPagingLevels({}), DEFAULT_PAGING_LEVELS);
  assert.equal(DEFAULT_PAGING_LEVELS, 4);
  const withGuest = (guest: Record<string, unknown>) =>
    headerProblem({ ...HEADER, format: "vmmlab.trace", version: 1, guest });
  assert.equal(withGuest({ arch: "i386", pagingLevels: 3 }), null);
  assert.equal(withGuest({ arch: "x86_64", pagingLevels: 5 }), null);
  assert.match(withGuest({ pagingLevels: 1 }) ?? "", /pagingLevels 1 is not 2, 3, 4 or 5/);
  assert.match(withGuest({ pagingLevels: 2.5 }) ?? "", /pagingLevels 2.5/);
  assert.match(withGuest({ arch: "i386", pagingLevels: 4 }) ?? "", /impossible for an i386/);
});

/** A CR3 load and one user reference, on a guest of `levels` levels (or no header field). */
function oneTouch(levels?: number): ArrayTrace {
  const t = new ArrayTrace({
    workload: "touch",
    ...(levels === undefined ? {} : { guest: { pagingLevels: levels } }),
  });
  const b = t.block(0x1000, 3, [{ length: 2, sensitive: 0, flow: 0 }]);
  t.sensitive(SensitiveOp.CrWrite, 0x1000, 3, 0x5000);
  t.exec(b);
  t.mem(0x08048000, 0x200000, 4, 0);
  return t;
}

Deno.test("engine: every MMU model walks the header's levels (native, shadow, pv-direct, nested)", () => {
  const ref = loadPlatform("opteron-barcelona").cost("mmu.walk.ref");
  const opts = { "mmu.pwc": "none", "mmu.ntlb-entries": 0, "cache.hierarchy": false };
  const run = (mmu: string, cpu: string, levels?: number) =>
    replayInput(oneTouch(levels), { cpu, mmu, platform: "opteron-barcelona", options: opts });
  const cases: [number | undefined, number, number][] = [[2, 2, 14], [3, 3, 19], [
    undefined,
    4,
    24,
  ]];
  for (const [levels, d1, d2] of cases) {
    const nested = run("nested", "hw", levels);
    assert.equal(nested.events["walk.refs"], d2, `nested, ${levels}`);
    assert.equal(nested.breakdown["mmu.walk"], d2 * ref);
    assert.equal((nested.nativeBreakdown as Record<string, number>)["mmu.walk"], d1 * ref);
    for (const [mmu, cpu] of [["native", "hw"], ["shadow", "hw"], ["pv-direct", "pv"]]) {
      assert.equal(run(mmu, cpu, levels).events["walk.refs"], d1, `${mmu}, ${levels}`);
    }
  }
});

Deno.test("PAE roots are 32-byte tables: two processes' roots in one page are two shadow roots", () => {
  const { h, s } = shadow(3);
  s.switchRoot(0x5020); // parent's page-directory-pointer table
  s.access(0x40000000, 0, 4, 0);
  s.switchRoot(0x5040); // child's, in the same page (Linux's pgd_cache)
  s.access(0x40000000, 0, 4, 0); // a root of its own: its own hidden fault
  assert.equal(h.eventOf("mmu.shadow-builds"), 2);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
  s.ptWrite(ptWrite(0x5020 + 1 * 8)); // the parent's PDPTE 1: drops the parent's entry only
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 1);
  s.switchRoot(0x5020);
  s.access(0x40000000, 0, 4, 0); // refilled
  s.switchRoot(0x5040);
  s.access(0x40000000, 0, 4, 0); // still shadowed: a walk, no hidden fault
  assert.equal(h.eventOf("mmu.shadow-cache-hits"), 2);
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
});

Deno.test("PAE 2-D walk translates the root table's own address, not its page", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ levels: 3, twoD: true, ntlbEntries: 16 }), COSTS);
  t.setRoot(0x5020);
  t.translate(0x08048000, 0x123000);
  t.setRoot(0x5040); // same page: the nested TLB already maps it
  const before = h.eventOf("mmu.ntlb-hits");
  t.translate(0x08048000, 0x123000);
  assert.ok(h.eventOf("mmu.ntlb-hits") > before);
  assert.notEqual(t.rootIdOf(0x5020 / 32), t.rootIdOf(0x5040 / 32));
});
