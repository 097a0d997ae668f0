import assert from "node:assert/strict";
import { Field, RecordKind, TraceRecord } from "../../trace/record.ts";
import { RecordingHost } from "./host.ts";
import { type ShadowConfig, ShadowMmu, UNSHADOW_POLICIES } from "./shadow.ts";
import { Translator, type TranslatorConfig } from "./translator.ts";

const COSTS = {
  "mmu.tlb.l2-hit": 7,
  "mmu.walk.ref": 11,
  "mmu.pwc.hit": 2,
};
const SHADOW = {
  hiddenFault: 1000,
  tracedWrite: 300,
  trueFault: 500,
  switchRoot: 50,
  build: 4000,
  invlpg: 80,
};

function translatorConfig(): TranslatorConfig {
  return {
    levels: 4,
    l1Entries: 64,
    l1Ways: 0,
    l2Entries: 0,
    l2Ways: 0,
    asid: false,
    asidCount: 1,
    globalKernel: true,
    largePages: "none",
    pwc: "none",
    pwcEntries: 24,
    twoD: false,
    nestedLevels: 4,
    nestedPageSize: 4096,
    ntlbEntries: 0,
    guestPages: 1 << 20,
    cacheLines: 0,
    cacheWays: 0,
  };
}

function make(config: Partial<ShadowConfig> = {}): { h: RecordingHost; s: ShadowMmu } {
  const h = new RecordingHost(COSTS);
  const t = new Translator(h, translatorConfig(), {
    l2Hit: 7,
    ref: 11,
    pwcHit: 2,
    ntlbHit: 0,
    refMiss: 0,
  });
  const s = new ShadowMmu(h, t, SHADOW, { roots: 2, learn: "eager", ...config });
  return { h, s };
}

function ptWrite(paddr: number, pc = 0x1234): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.PtWrite;
  r.f[Field.Paddr] = paddr;
  r.f[Field.Level] = 1;
  r.f[Field.Pc] = pc;
  return r;
}

Deno.test("a PTE write to a protected page is exactly one traced write", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x5008, 0x4242)); // the root page is protected at the switch
  assert.deepEqual(h.transitions, ["traced-write@16962"]);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 300);
});

Deno.test("eager learning: first write to an unknown table page is untraced, the next traced", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  assert.equal(h.transitions.length, 0);
  assert.equal(s.isProtected(0x9ff8), true);
  s.ptWrite(ptWrite(0x9ff8));
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.untraced-pt-writes"), 1);
});

Deno.test("lazy learning protects a new table page only when the VMM next runs", () => {
  const { h, s } = make({ learn: "lazy" });
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.ptWrite(ptWrite(0x9008));
  assert.equal(h.eventOf("mmu.traced-writes"), 0);
  s.access(0x400000, 0x123000, 8, 0); // hidden fault: the VMM walks and protects
  s.ptWrite(ptWrite(0x9010));
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
});

Deno.test("hidden fault on first touch only; a TLB hit costs nothing extra", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  h.guest.pc = 0x777;
  s.access(0x400000, 0x123000, 8, 0);
  assert.deepEqual(h.transitions, ["hidden-fault@1911"]);
  assert.equal(h.cyclesOf("mmu.shadow.hidden-fault"), 1000);
  assert.equal(h.cyclesOf("mmu.walk"), 44);
  s.access(0x400010, 0x123010, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 1);
  assert.equal(h.cyclesOf("mmu.walk"), 44);
  assert.equal(h.cyclesOf("mmu.shadow.hidden-fault"), 1000);
});

Deno.test("switching back to a cached root is a shadow-cache hit: no rebuild, no hidden fault", () => {
  const { h, s } = make({ roots: 2 });
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0);
  s.switchRoot(0x6000);
  s.access(0x400000, 0, 8, 0); // new root: hidden fault
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0); // TLB was flushed: walk, but the shadow entry is there
  assert.equal(h.eventOf("mmu.root-switches"), 3);
  assert.equal(h.eventOf("mmu.shadow-cache-hits"), 1);
  assert.equal(h.eventOf("mmu.shadow-builds"), 2);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
  assert.equal(h.cyclesOf("mmu.shadow.switch"), 3 * 50 + 2 * 4000);
  assert.equal(h.eventOf("tlb.misses"), 3);
});

Deno.test("a one-root shadow cache rebuilds on every switch back (LRU eviction)", () => {
  const { h, s } = make({ roots: 1 });
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0);
  s.switchRoot(0x6000);
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.shadow-cache-hits"), 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
});

Deno.test("a true fault is intercepted and classified, the transition is the CPU model's", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  const r = new TraceRecord();
  r.kind = RecordKind.Exception;
  r.f[Field.Vector] = 14;
  assert.equal(s.pageFault(r), true);
  assert.equal(h.transitions.length, 0);
  assert.equal(h.eventOf("mmu.true-faults"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.true-fault"), 500);
});

Deno.test("a flush drops the current shadow root's entries; INVLPG keeps them", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0);
  s.invlpg(0x400000);
  s.access(0x400000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.invlpg"), 80);
  s.flush();
  assert.equal(s.filled, 0);
  s.access(0x400000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
});

Deno.test("a traced write to a top-level entry drops the shadow entries under it", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0);
  s.access(-0x100000000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
  s.ptWrite(ptWrite(0x5000)); // PML4 entry 0: user addresses below 512 GB
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 1);
  s.access(0x400000, 0, 8, 0); // refilled through a hidden fault
  s.access(-0x100000000, 0, 8, 0); // kernel entry untouched (and still in the TLB)
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
  s.ptWrite(ptWrite(0x5000 + 511 * 8)); // PML4 entry 511: the top 512 GB (kernel)
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 2);
  s.access(-0x100000000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 4);
  // A write to a lower-level table page updates in place: nothing dropped.
  s.ptWrite(ptWrite(0x9000));
  s.ptWrite(ptWrite(0x9000));
  assert.equal(h.eventOf("mmu.shadow-entries-dropped"), 2);
});

Deno.test("a reused root (a new process on a recycled page) refills after its teardown", () => {
  const { h, s } = make({ roots: 4 });
  s.switchRoot(0x5000); // parent
  s.switchRoot(0x6000); // child
  s.access(0x400000, 0, 8, 0);
  s.ptWrite(ptWrite(0x6000)); // exit: PML4 entry cleared (traced)
  s.switchRoot(0x5000);
  s.switchRoot(0x6000); // the next child reuses the page: cache hit, but emptied
  s.access(0x400000, 0, 8, 0);
  assert.equal(h.eventOf("mmu.shadow-cache-hits"), 2);
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
});

Deno.test("dirty-bit emulation: the first store through a read-filled entry is one more hidden fault", () => {
  const { h, s } = make({ dirty: true });
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 0); // read: filled read-only
  s.access(0x400008, 0, 8, 1); // first store: hidden fault (dirty bit)
  s.access(0x400010, 0, 8, 1); // writable now
  assert.equal(h.eventOf("mmu.hidden-faults"), 2);
  s.access(0x500000, 0, 8, 1); // a store that fills: writable at once
  s.access(0x500000, 0, 8, 1);
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
  s.switchRoot(0x6000); // another root, then back: the writable state is per root
  s.switchRoot(0x5000);
  s.access(0x400000, 0, 8, 1);
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
  const plain = make();
  plain.s.switchRoot(0x5000);
  plain.s.access(0x400000, 0, 8, 0);
  plain.s.access(0x400000, 0, 8, 1);
  assert.equal(plain.h.eventOf("mmu.hidden-faults"), 1);
});

function fault(addr: number, code = 0): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.Exception;
  r.f[Field.Vector] = 14;
  r.f[Field.Code] = code;
  r.f[Field.Addr] = addr;
  return r;
}

Deno.test("a true fault's traced leaf write fills the shadow entry: the retried access takes no hidden fault", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000)); // learns table page 0x9000 (untraced)
  s.pageFault(fault(0x400123));
  s.ptWrite(ptWrite(0x9008)); // the handler's PTE write: traced, propagated to the shadow
  s.access(0x400123, 0x123123, 8, 0); // the retry walks (44 cycles) but finds the entry
  assert.equal(h.eventOf("mmu.true-faults"), 1);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.hidden-faults"), 0);
  assert.equal(h.cyclesOf("mmu.walk"), 44);
  // Only the faulting page: a neighbour whose PTE the guest also wrote fills on first touch.
  s.ptWrite(ptWrite(0x9010));
  s.access(0x401000, 0x124000, 8, 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 1);
});

Deno.test("without a leaf write after the fault (untraced table page) the retry is a hidden fault", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.pageFault(fault(0x400123));
  s.ptWrite(ptWrite(0x9008)); // first write to an unknown page: untraced, the VMM never sees it
  s.access(0x400123, 0x123123, 8, 0);
  assert.equal(h.eventOf("mmu.traced-writes"), 0);
  assert.equal(h.eventOf("mmu.hidden-faults"), 1);
});

Deno.test("recycle on: a whole-page string store to a protected table page is one trace fault, then the page is no longer shadowed", () => {
  const { h, s } = make({ recycle: true });
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000)); // learned (untraced)
  h.guest.pc = 0x4321;
  s.access(-0x100000000, 0x9000, 4096, 1); // clear_page of the freed table page
  // The kernel page's first walk under this root is a hidden fault; then the store traps.
  assert.deepEqual(h.transitions, ["hidden-fault@17185", "traced-write@17185"]);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.shadow-unprotected"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 300);
  assert.equal(s.isProtected(0x9000), false);
  s.access(-0x100000000, 0x9000, 4096, 1); // zeroed again: no longer traced
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  s.ptWrite(ptWrite(0x9008)); // used as a table again: eager learning starts over
  assert.equal(h.eventOf("mmu.untraced-pt-writes"), 2);
});

Deno.test("recycling a cached root's page discards that shadow root: the next load rebuilds it", () => {
  const { h, s } = make({ roots: 2 });
  s.switchRoot(0x5000);
  s.access(0x400000, 0x123000, 8, 0); // hidden fault 1
  s.switchRoot(0x6000);
  s.access(-0x100000000, 0x5000, 4096, 1); // the old root's page is zeroed for reuse
  s.switchRoot(0x5000); // a new address space at the same page: build, not a cache hit
  s.access(0x400000, 0x123000, 8, 0); // hidden fault 3 (2 was the kernel page of the store)
  assert.equal(h.eventOf("mmu.shadow-builds"), 3);
  assert.equal(h.eventOf("mmu.shadow-cache-hits"), 0);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
});

Deno.test("kernel shadow entries are shared by every root: a new root links them with one hidden fault", () => {
  const { h, s } = make({ roots: 2 });
  const k1 = -0x100000000, k2 = -0x100000000 + 0x5000; // same top-level (512 GB) region
  s.switchRoot(0x5000);
  s.access(k1, 0x1000, 8, 0); // hidden fault 1: fill
  s.access(k2, 0x6000, 8, 0); // hidden fault 2: fill
  s.access(0x400000, 0x123000, 8, 0); // hidden fault 3: user page of this root
  s.switchRoot(0x6000); // new root: built empty
  s.flushHardwareTlb(); // make the global kernel entries walk again
  s.access(k1, 0x1000, 8, 0); // hidden fault 4: link the shared kernel subtree
  s.access(k2, 0x6000, 8, 0); // linked and filled: a walk, no fault
  s.access(0x400000, 0x123000, 8, 0); // hidden fault 5: user pages are per root
  assert.equal(h.eventOf("mmu.hidden-faults"), 5);
  assert.equal(s.filled, 3);
});

// Every store to a page the VMM write-protects faults, whether or not the trace marks it
// as a page-table write. MEM_WRITE is bit 0 of a Mem record's flags.
const STORE = 1;
/** Kernel direct-map address of guest-physical `pa` (any fixed mapping will do). */
const dm = (pa: number) => -0x780000000000 + pa;

Deno.test("an ordinary store to a shadowed page is exactly one traced write; elsewhere nothing", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000)); // learned: 0x9000 is now write-protected
  s.access(dm(0x9100), 0x9100, 8, 0); // load: fills the shadow entry (one hidden fault)
  s.access(dm(0xa100), 0xa100, 8, 0); // the same for an ordinary data page
  const before = h.transitions.length;
  h.guest.pc = 0x55;
  s.access(dm(0x9100), 0x9100, 8, STORE); // e.g. an mmu_gather batch in a reused table page
  assert.deepEqual(h.transitions.slice(before), ["traced-write@85"]);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.traced-other-stores"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 300);
  s.access(dm(0xa100), 0xa100, 8, STORE); // unprotected page: a plain store
  assert.equal(h.transitions.length, before + 1);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 300);
});

Deno.test("a Mem store followed by its PtWrite record is charged once, at the store", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.access(dm(0x9008), 0x9008, 8, 0);
  const before = h.transitions.length;
  s.access(dm(0x9008), 0x9008, 8, STORE);
  s.ptWrite(ptWrite(0x9008));
  assert.equal(h.transitions.length, before + 1);
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.traced-other-stores"), 0);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 300);
  // A PtWrite with no Mem record before it (synthetic traces) is still traced by itself.
  s.ptWrite(ptWrite(0x9010));
  assert.equal(h.eventOf("mmu.traced-writes"), 2);
  // Another store in between: the PtWrite is a different store and is charged.
  s.access(dm(0x9018), 0x9018, 8, STORE);
  s.access(dm(0xa000), 0xa000, 8, STORE);
  s.ptWrite(ptWrite(0x9018));
  assert.equal(h.eventOf("mmu.traced-writes"), 4);
});

Deno.test("a traced Mem store is named by its block's address for adaptive translation", () => {
  const guest = { block: 1, instructions: 10, pc: 0x99 };
  const { h, s } = make({ sites: { blockAddr: new Float64Array([0x1000, 0x2000]), guest } });
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.access(dm(0x9000), 0x9000, 8, 0);
  const before = h.transitions.length;
  s.access(dm(0x9000), 0x9000, 8, STORE);
  s.access(dm(0x9008), 0x9008, 8, STORE); // the block's second traced store
  guest.instructions = 15; // the block runs again: its first store has the first key again
  s.access(dm(0x9000), 0x9000, 8, STORE);
  assert.deepEqual(h.transitions.slice(before), [
    `traced-write@${0x2000 + 1 / 16}`,
    `traced-write@${0x2000 + 2 / 16}`,
    `traced-write@${0x2000 + 1 / 16}`,
  ]);
});

Deno.test("unshadow-after 2: the second consecutive traced write unshadows the page", () => {
  const { h, s } = make({ unshadowAfter: 2 });
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.access(dm(0x9000), 0x9000, 8, 0);
  s.access(dm(0x9000), 0x9000, 8, STORE); // 1
  s.access(dm(0x9008), 0x9008, 8, STORE); // 2: flooded, unshadowed
  assert.equal(h.eventOf("mmu.shadow-unshadowed-flood"), 1);
  assert.equal(s.isProtected(0x9000), false);
  s.access(dm(0x9010), 0x9010, 8, STORE); // no longer traced
  assert.equal(h.eventOf("mmu.traced-writes"), 2);
  assert.equal(h.cyclesOf("mmu.shadow.traced-write"), 600);
  // A PTE write to it now is untraced and re-protects it only when the VMM next walks.
  s.ptWrite(ptWrite(0x9020));
  assert.equal(s.isProtected(0x9000), false);
  s.access(0x400000, 0x123000, 8, 0); // hidden fault
  assert.equal(s.isProtected(0x9000), true);
});

Deno.test("unshadow-after 2: a fault or a write to another page between the writes resets the run", () => {
  const { h, s } = make({ unshadowAfter: 2 });
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.ptWrite(ptWrite(0xb000));
  s.access(dm(0x9000), 0x9000, 8, 0);
  s.access(dm(0xb000), 0xb000, 8, 0);
  s.access(dm(0x9000), 0x9000, 8, STORE);
  s.access(dm(0xb000), 0xb000, 8, STORE); // another page: the run starts over
  s.access(dm(0x9000), 0x9000, 8, STORE);
  s.pageFault(fault(0x400123)); // the VMM's fault path (Xen and KVM reset here)
  s.access(dm(0x9000), 0x9000, 8, STORE);
  assert.equal(h.eventOf("mmu.shadow-unshadowed-flood"), 0);
  assert.equal(h.eventOf("mmu.traced-writes"), 4);
  assert.equal(s.isProtected(0x9000), true);
  // The default (0) never unshadows.
  const d = make();
  d.s.switchRoot(0x5000);
  d.s.ptWrite(ptWrite(0x9000));
  for (let i = 0; i < 20; i++) d.s.access(dm(0x9000 + 8 * i), 0x9000 + 8 * i, 8, STORE);
  assert.equal(d.h.eventOf("mmu.traced-writes"), 20);
  assert.equal(d.s.isProtected(0x9000), true);
});

Deno.test("recycle off (the default): a whole-page string store is one traced write and the page stays shadowed", () => {
  const { h, s } = make();
  s.switchRoot(0x5000);
  s.ptWrite(ptWrite(0x9000));
  s.access(dm(0x9000), 0x9000, 8, 0);
  s.access(dm(0x9000), 0x9000, 4096, STORE); // clear_page
  assert.equal(h.eventOf("mmu.traced-writes"), 1);
  assert.equal(h.eventOf("mmu.shadow-unprotected"), 0);
  assert.equal(s.isProtected(0x9000), true);
  s.access(dm(0x9100), 0x9100, 8, STORE); // later stores to it are still traced
  assert.equal(h.eventOf("mmu.traced-writes"), 2);
  // With write-flood detection on, the same overwrite unshadows the page.
  const f = make({ recycle: false, unshadowAfter: 4 });
  f.s.switchRoot(0x5000);
  f.s.ptWrite(ptWrite(0x9000));
  f.s.access(dm(0x9000), 0x9000, 4096, STORE);
  assert.equal(f.h.eventOf("mmu.traced-writes"), 1);
  assert.equal(f.h.eventOf("mmu.shadow-unshadowed-flood"), 1);
  assert.equal(f.s.isProtected(0x9000), false);
  // Recycling on (an option; the default is off): one trace fault, then unprotected.
  const r = make({ recycle: true });
  r.s.switchRoot(0x5000);
  r.s.ptWrite(ptWrite(0x9000));
  r.s.access(dm(0x9000), 0x9000, 4096, STORE);
  assert.equal(r.h.eventOf("mmu.shadow-unprotected"), 1);
  assert.equal(r.s.isProtected(0x9000), false);
});

Deno.test("mmu.shadow-policy picks the write-flood count: vmware never, xen on the 2nd, kvm on the 3rd", () => {
  assert.deepEqual(UNSHADOW_POLICIES, { vmware: 0, xen: 2, kvm: 3 });
  for (const [policy, n] of Object.entries(UNSHADOW_POLICIES)) {
    const { h, s } = make({ unshadowAfter: n });
    s.switchRoot(0x5000);
    s.ptWrite(ptWrite(0x9000));
    s.access(dm(0x9000), 0x9000, 8, 0);
    for (let i = 0; i < 5; i++) s.access(dm(0x9000 + 8 * i), 0x9000 + 8 * i, 8, STORE);
    assert.equal(h.eventOf("mmu.traced-writes"), n === 0 ? 5 : n, policy);
    assert.equal(s.isProtected(0x9000), n === 0, policy);
  }
});

Deno.test("shadow pages: a root and each 2 MB region's leaf table are allocated and zeroed, entries reverse-mapped, evicted roots torn down", () => {
  const h = new RecordingHost(COSTS);
  const t = new Translator(h, translatorConfig(), {
    l2Hit: 7,
    ref: 11,
    pwcHit: 2,
    ntlbHit: 0,
    refMiss: 0,
  });
  const costs = { ...SHADOW, alloc: 5, zero: 100, teardown: 30, rmap: 3, reprotect: 70 };
  const s = new ShadowMmu(h, t, costs, { roots: 1, learn: "eager" });
  s.switchRoot(0x5000); // root page: alloc + zero; the root is re-protected
  assert.equal(h.eventOf("mmu.shadow-pages-allocated"), 1);
  assert.equal(h.cyclesOf("mmu.shadow.pages"), 105);
  assert.equal(h.cyclesOf("mmu.shadow.reprotect"), 70);
  s.access(0x400000, 0x123000, 8, 0); // hidden fault: new leaf table + one rmap entry
  s.access(0x401000, 0x124000, 8, 0); // same 2 MB region: one more rmap entry only
  s.access(0x600000, 0x125000, 8, 0); // another region: another leaf table
  assert.equal(h.eventOf("mmu.hidden-faults"), 3);
  assert.equal(h.eventOf("mmu.shadow-pages-allocated"), 3);
  assert.equal(h.cyclesOf("mmu.shadow.pages"), 3 * 105);
  assert.equal(h.cyclesOf("mmu.shadow.rmap"), 3 * 3);
  s.switchRoot(0x6000); // one slot: the old root's 3 pages are torn down, 3 rmaps removed
  assert.equal(h.eventOf("mmu.shadow-pages-freed"), 3);
  assert.equal(h.cyclesOf("mmu.shadow.pages"), 4 * 105 + 3 * 30);
  assert.equal(h.cyclesOf("mmu.shadow.rmap"), 6 * 3);
  assert.equal(h.cyclesOf("mmu.shadow.reprotect"), 2 * 70);
  s.switchRoot(0x6000); // cache hit: nothing allocated, nothing re-protected
  assert.equal(h.eventOf("mmu.shadow-pages-allocated"), 4);
  assert.equal(h.cyclesOf("mmu.shadow.reprotect"), 2 * 70);
});
