import assert from "node:assert/strict";
import { RecordingHost } from "./host.ts";
import { Translated, Translator } from "./translator.ts";
import { TEST_COSTS, testTranslatorConfig, walkRefs } from "./test_support.ts";

const COSTS = TEST_COSTS;
const config = testTranslatorConfig;
const refs = walkRefs;

Deno.test("native cold walk is 4 references, a TLB hit costs nothing", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config(), COSTS);
  t.setRoot(0x1000);
  assert.equal(t.translate(0x400000, 0x5000), Translated.Walked);
  assert.deepEqual(refs(h, "l"), [1, 1, 1, 1]);
  assert.equal(h.cyclesOf("mmu.walk"), 44);
  assert.equal(t.translate(0x400ff8, 0x5ff8), Translated.L1Hit);
  assert.equal(h.cyclesOf("mmu.walk"), 44);
  assert.equal(h.cyclesOf("mmu.tlb"), 0);
  assert.equal(h.eventOf("tlb.misses"), 1);
});

Deno.test("native PWC serves the three upper levels of a neighbouring page's walk", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ pwc: "1d" }), COSTS);
  t.setRoot(0x1000);
  t.translate(0x400000, 0);
  t.translate(0x401000, 0);
  assert.deepEqual(refs(h, "l"), [2, 1, 1, 1]);
  assert.equal(h.eventOf("mmu.pwc-hits"), 3);
  assert.equal(h.cyclesOf("mmu.walk"), 44 + 3 * 2 + 11);
});

Deno.test("L2 TLB hit charges the L2 cost only", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ l1Entries: 1, l2Entries: 16, l2Ways: 4 }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0);
  t.translate(0x2000, 0); // evicts 0x1000 from the 1-entry L1
  assert.equal(t.translate(0x1000, 0), Translated.L2Hit);
  assert.equal(h.cyclesOf("mmu.tlb"), 7);
  assert.equal(h.eventOf("tlb.misses"), 2);
});

Deno.test("untagged CR3 switch flushes user entries but keeps global kernel ones", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config(), COSTS);
  t.setRoot(0x1000);
  t.translate(0x1000, 0);
  t.translate(-0x100000000, 0);
  t.setRoot(0x2000);
  assert.equal(t.translate(-0x100000000, 0), Translated.L1Hit);
  assert.equal(t.translate(0x1000, 0), Translated.Walked);
});

Deno.test("ASID-tagged TLB survives a CR3 switch and back", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ asid: true, asidCount: 2 }), COSTS);
  t.setRoot(0x1000);
  t.translate(0x1000, 0);
  t.setRoot(0x2000);
  t.translate(0x1000, 0); // other address space: miss
  t.setRoot(0x1000);
  assert.equal(t.translate(0x1000, 0), Translated.L1Hit);
  // A third root recycles the least recently used ASID (0x2000's) and flushes it.
  t.setRoot(0x3000);
  t.setRoot(0x2000); // recycles 0x1000's ASID
  assert.equal(t.translate(0x1000, 0), Translated.Walked);
});

Deno.test("cold 2-D walk is exactly 24 references (4 guest, 20 nested)", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, guestPages: 1 << 20 }), COSTS);
  t.setRoot(0x1000);
  t.translate(0x7fff12345000, 0x9000);
  assert.deepEqual(refs(h, "l"), [1, 1, 1, 1]);
  assert.deepEqual(refs(h, "n"), [5, 5, 5, 5]);
  assert.equal(h.eventOf("walk.refs"), 24);
  assert.equal(h.cyclesOf("mmu.walk"), 24 * 11);
});

Deno.test("2 MB nested pages: 4x3+4+3 = 19 references; 2 MB guest pages: 3x4+3+4 = 19", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, nestedPageSize: 2097152 }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0x9000);
  assert.equal(h.eventOf("walk.refs"), 19);
  assert.equal(h.eventOf("walk.refs.n1"), 0);
  const h2 = new RecordingHost();
  const t2 = new Translator(h2, config({ twoD: true, largePages: "all" }), COSTS);
  t2.setRoot(0);
  t2.translate(0x1000, 0x9000);
  assert.equal(h2.eventOf("walk.refs"), 19);
  assert.equal(h2.eventOf("walk.refs.l1"), 0);
});

Deno.test("2-D PWC: nested upper entries repeat within one walk (hand count 12 refs + 12 hits)", () => {
  // guestPages = 1 puts every guest table on guest-physical page 0, root 0 too: each of the
  // five nested walks shares nL4..nL2 entries, so only the first walk misses them.
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, pwc: "2d" }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0x5000);
  assert.equal(h.eventOf("walk.refs"), 12);
  assert.equal(h.eventOf("mmu.pwc-hits"), 12);
  assert.deepEqual(refs(h, "n"), [5, 1, 1, 1]);
  assert.equal(h.cyclesOf("mmu.walk"), 12 * 11 + 12 * 2);
});

Deno.test("1-D PWC under nested paging caches guest entries only", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, pwc: "1d" }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0x5000);
  assert.equal(h.eventOf("walk.refs"), 24);
  t.translate(0x2000, 0x6000); // gL4..gL2 hit, nested walks all miss
  assert.equal(h.eventOf("walk.refs"), 24 + 21);
  assert.equal(h.eventOf("mmu.pwc-hits"), 3);
});

Deno.test("2-D PWC plus nested TLB: hand-counted cold and warm walks", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, pwc: "2d", ntlbEntries: 16 }), COSTS);
  t.setRoot(0);
  // Cold: nested(0) walks 4 refs; three more table translations hit the NTLB; the data
  // page 0x5000 misses the NTLB and walks nL4..nL2 from the PWC + 1 ref; 4 guest refs.
  t.translate(0x1000, 0x5000);
  assert.equal(h.eventOf("walk.refs"), 4 + 4 + 1);
  assert.equal(h.eventOf("mmu.ntlb-hits"), 3);
  assert.equal(h.eventOf("mmu.pwc-hits"), 3);
  assert.equal(h.cyclesOf("mmu.walk"), 9 * 11 + 3 * 2 + 3 * 2);
  // Warm neighbour: 4 NTLB hits, gL4..gL2 PWC hits, gL1 ref, data nested walk 3 hits + 1 ref.
  const before = h.cyclesOf("mmu.walk");
  t.translate(0x2000, 0x6000);
  assert.equal(h.cyclesOf("mmu.walk") - before, 4 * 2 + 3 * 2 + 11 + 3 * 2 + 11);
  assert.equal(h.eventOf("walk.refs"), 11);
});

Deno.test("nested TLB survives a guest CR3 switch, the PWC does not", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, pwc: "2d", ntlbEntries: 16 }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0x5000);
  t.setRoot(0);
  assert.equal(t.pwc!.size, 0);
  assert.ok(t.ntlb!.size > 0);
});

Deno.test("walk references in a modelled cache: misses cost refMiss, data lines compete", () => {
  const costs = { ...COSTS, refMiss: 100 };
  const h = new RecordingHost();
  const t = new Translator(h, config({ cacheLines: 16, cacheWays: 0 }), costs);
  t.setRoot(0x1000);
  t.translate(0x400000, 0x9000);
  assert.equal(h.cyclesOf("mmu.walk"), 4 * 100);
  assert.equal(h.eventOf("walk.refs.cache-misses"), 4);
  // The neighbour's entries sit in the same four lines (8 entries per line): all hit.
  t.translate(0x401000, 0xa000);
  assert.equal(h.cyclesOf("mmu.walk"), 4 * 100 + 4 * 11);
  // A 4-line cache: the walk's lines and the data line evict each other.
  const h2 = new RecordingHost();
  const t2 = new Translator(h2, config({ cacheLines: 4, cacheWays: 0, l1Entries: 1 }), costs);
  t2.setRoot(0x1000);
  t2.translate(0x400000, 0x9000); // data line, then 4 walk lines: the data line is evicted
  for (let i = 0; i < 4; i++) t2.translate(0x400000 + 64 * i, 0x20000 + 4096 * i); // TLB hits
  t2.translate(0x401000, 0xa000); // every walk line was evicted by data
  assert.equal(h2.cyclesOf("mmu.walk"), 8 * 100);
});

Deno.test("CR3 flag bits (PCID, no-flush) do not name a different root", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ asid: true, asidCount: 4 }), COSTS);
  t.setRoot(0x5000 + 3); // PCID 3
  const id = t.rootId;
  t.setRoot(2 ** 63 + 0x5000); // no-flush bit
  assert.equal(t.rootId, id);
  assert.equal(t.rootPage, 5);
});

Deno.test("5-level guest on 5-level nested tables: cold walk is 5x5+5+5 = 35 references", () => {
  const h = new RecordingHost();
  const t = new Translator(h, config({ twoD: true, levels: 5, nestedLevels: 5 }), COSTS);
  t.setRoot(0);
  t.translate(0x1000, 0x9000);
  assert.equal(h.eventOf("walk.refs"), 35);
  assert.equal(h.eventOf("walk.refs.l5"), 1);
  assert.equal(h.eventOf("walk.refs.n5"), 6);
});
