import assert from "node:assert/strict";
import { Field, FLAG_VALUE_KNOWN, RecordKind, TraceRecord } from "../../trace/record.ts";
import { RecordingHost } from "./host.ts";
import { PvDirectMmu } from "./pv_direct.ts";
import { Translator } from "./translator.ts";

const PV = { validate: 100, pinTable: 5000, switchRoot: 40, fault: 300 };

function make(batch: number): { h: RecordingHost; m: PvDirectMmu } {
  const h = new RecordingHost();
  const t = new Translator(h, {
    levels: 4,
    l1Entries: 16,
    l1Ways: 0,
    l2Entries: 0,
    l2Ways: 0,
    asid: false,
    asidCount: 1,
    globalKernel: true,
    largePages: "none",
    pwc: "none",
    pwcEntries: 1,
    twoD: false,
    nestedLevels: 4,
    nestedPageSize: 4096,
    ntlbEntries: 0,
    guestPages: 1,
    cacheLines: 0,
    cacheWays: 0,
  }, { l2Hit: 0, ref: 11, pwcHit: 2, ntlbHit: 0, refMiss: 0 });
  return { h, m: new PvDirectMmu(h, t, PV, batch) };
}

function ptWrite(paddr: number, level = 1, value?: number): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.PtWrite;
  r.f[Field.Paddr] = paddr;
  r.f[Field.Level] = level;
  r.f[Field.Pc] = 0x99;
  if (value !== undefined) {
    r.f[Field.Value] = value;
    r.f[Field.Flags] = FLAG_VALUE_KNOWN;
  }
  return r;
}

Deno.test("updates are batched: 3 writes with batch 2 are two hypercalls, 3 validations", () => {
  const { h, m } = make(2);
  m.switchRoot(0x1000);
  m.ptWrite(ptWrite(0x2000));
  m.ptWrite(ptWrite(0x2008));
  assert.deepEqual(h.transitions, ["hypercall@153"]);
  m.ptWrite(ptWrite(0x2010));
  assert.equal(m.pending, 1);
  h.guest.cpl = 3;
  m.access(0x1000, 0, 4, 0); // back in user mode: the queued update must be applied
  assert.equal(h.transitions.length, 2);
  assert.equal(h.eventOf("mmu.pv.batches"), 2);
  assert.equal(h.cyclesOf("mmu.pv.update"), 3 * 100);
  assert.equal(h.eventOf("mmu.hidden-faults"), 0);
});

Deno.test("a new root is pinned once; switching back only loads it", () => {
  const { h, m } = make(16);
  m.switchRoot(0x1000);
  m.switchRoot(0x2000);
  m.switchRoot(0x1000);
  assert.equal(h.eventOf("mmu.pv.pinned-tables"), 2);
  assert.equal(h.cyclesOf("mmu.pv.switch"), 3 * 40 + 2 * 5000);
  assert.equal(h.transitions.length, 0); // the hypercall for CR3 is the CPU model's
});

Deno.test("an upper-level write pointing to a new table validates that table once", () => {
  const { h, m } = make(16);
  m.switchRoot(0x1000);
  m.ptWrite(ptWrite(0x1008, 2, 0x7000 + 0x67));
  m.ptWrite(ptWrite(0x1010, 2, 0x7000 + 0x67));
  assert.equal(h.eventOf("mmu.pv.pinned-tables"), 2);
  m.finish();
  assert.equal(h.cyclesOf("mmu.pv.update"), 5000 + 2 * 100);
  assert.equal(h.eventOf("mmu.pv.batches"), 1);
});

Deno.test("a page fault sends queued updates and is bounced through the VMM", () => {
  const { h, m } = make(16);
  m.switchRoot(0x1000);
  m.ptWrite(ptWrite(0x2000));
  assert.equal(m.pageFault(new TraceRecord()), true);
  assert.equal(h.eventOf("mmu.pv.batches"), 1);
  assert.equal(h.cyclesOf("mmu.pv.fault"), 300);
});

Deno.test("a zero batch is a configuration error", () => {
  assert.throws(() => make(0), /batch must be a positive integer/);
});
