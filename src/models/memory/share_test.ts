import assert from "node:assert/strict";
import { Field, MarkerOp, MEM_WRITE, RecordKind, TraceRecord } from "../../trace/record.ts";
import { RecordingHost } from "../mmu/host.ts";
import { parseZeroHash, ShareMemory } from "./share.ts";
import { PageSharing } from "./sharing.ts";

function hashRecord(vm: number, page: number, hi: number, lo: number): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.PageHash;
  r.f[Field.Paddr] = page * 4096;
  r.f[Field.HashHi] = hi;
  r.f[Field.HashLo] = lo;
  r.f[Field.Device] = vm;
  return r;
}

Deno.test("share: snapshots of two VMs, one COW break on the replayed VM's store", () => {
  const h = new RecordingHost();
  const m = new ShareMemory(h, new PageSharing([0, 0]), 0, { scan: 3, cowBreak: 400 }, null, 1024);
  for (const vm of [0, 1]) {
    m.pageHash(hashRecord(vm, 1, 0, 0)); // zero page
    m.pageHash(hashRecord(vm, 2, 0, 0)); // zero page
    m.pageHash(hashRecord(vm, 3, 7, 7)); // same code page
    m.pageHash(hashRecord(vm, 4, vm, 9)); // private data
  }
  assert.equal(h.cyclesOf("mem.share.scan"), 8 * 3);
  h.guest.pc = 0x42;
  m.access(0, 3 * 4096 + 8, 8, MEM_WRITE); // store to the shared code page: COW break
  m.access(0, 3 * 4096 + 16, 8, MEM_WRITE); // now private: nothing
  m.access(0, 1 * 4096, 8, 0); // a load never breaks sharing
  assert.deepEqual(h.transitions, ["hidden-fault@66"]);
  assert.equal(h.cyclesOf("mem.share.cow"), 400);
  m.finish();
  // Zero group: 4 pages; code page: VM 1's alone now; 2 private data + 1 private copy.
  assert.equal(h.eventOf("mem.pages-shared"), 4);
  assert.equal(h.eventOf("mem.frames"), 5);
  assert.equal(h.eventOf("mem.pages-saved"), 3);
  assert.equal(h.eventOf("mem.pages-zero"), 4);
  assert.equal(h.eventOf("mem.cow-breaks"), 1);
});

Deno.test("zero hash option parses hi:lo hex and rejects anything else", () => {
  assert.deepEqual(parseZeroHash("0x1f:ABCDEF01"), [0x1f, 0xabcdef01]);
  assert.equal(parseZeroHash(undefined), null);
  assert.throws(() => parseZeroHash("zero"), /hi:lo/);
});

Deno.test("share: in a summarised trace, hashes outside the window are uncharged history", () => {
  const marker = (op: number) => {
    const r = new TraceRecord();
    r.kind = RecordKind.Marker;
    r.f[Field.Op] = op;
    return r;
  };
  for (const summarised of [true, false]) {
    const h = new RecordingHost();
    const m = new ShareMemory(
      h,
      new PageSharing(null),
      0,
      { scan: 3, cowBreak: 400 },
      null,
      1024,
      summarised,
    );
    m.pageHash(hashRecord(0, 1, 5, 5)); // a content sample before the window
    m.pageHash(hashRecord(0, 2, 5, 5));
    m.marker(marker(MarkerOp.Begin));
    m.pageHash(hashRecord(0, 3, 5, 5)); // inside the window: charged
    m.marker(marker(MarkerOp.End));
    m.pageHash(hashRecord(0, 4, 6, 6)); // after it
    m.finish();
    const charged = summarised ? 1 : 4;
    assert.equal(h.cyclesOf("mem.share.scan"), charged * 3);
    assert.equal(h.eventOf("mem.pages-hashed"), charged);
    // The sharing state follows every hash either way: pages 1-3 share one content.
    assert.equal(h.eventOf("mem.pages-shared"), 3);
    assert.equal(h.eventOf("mem.frames"), 2);
  }
});
