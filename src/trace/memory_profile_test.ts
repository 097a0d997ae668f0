import assert from "node:assert/strict";
import { join } from "node:path";
import { CPL_USER } from "./code_table.ts";
import type { TraceHeaderInit } from "./header.ts";
import { memoryProfile } from "./memory_profile.ts";
import { TraceReader } from "./reader.ts";
import { MarkerOp, MEM_IO, MEM_WRITE, PAGE_DIRTY, PAGE_IN_WINDOW } from "./record.ts";
import { TraceWriter } from "./writer.ts";

const HEADER: TraceHeaderInit = {
  workload: "profile",
  source: { kind: "synthetic", method: "memory profile test", recorder: "test" },
  pageSizes: [4096],
  devices: [],
  inferred: [],
};

Deno.test("memory profile: working set per span, window pages, sharing at each page's latest hash", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "t.vmt");
    const w = TraceWriter.create(path, HEADER);
    const block = w.defineBlock(0x400000, CPL_USER, [{ length: 4, sensitive: 0, flow: 0 }]);
    // Four intervals: 0 touches pages 0-9 (2-3 dirty), 1 pages 5-14, 2 (in the window)
    // pages 20-21, 3 page 0 again.
    w.pageRun(0, 100, 0, 2, 0);
    w.pageRun(0, 100, 2 * 4096, 2, PAGE_DIRTY);
    w.pageRun(0, 100, 4 * 4096, 6, 0);
    w.pageRun(1, 200, 5 * 4096, 10, 0);
    // Snapshot: pages 0-3 of VM 0 hold A, A, B, C; VM 1's page 0 holds A.
    w.marker(MarkerOp.Snapshot, 0);
    for (const [p, h] of [[0, 1], [1, 1], [2, 2], [3, 3]]) w.pageHash(p * 4096, 0, h, 0);
    w.pageHash(0, 0, 1, 1);
    w.exec(block);
    w.mem(0x400000, 30 * 4096 + 8, 8, MEM_WRITE);
    w.mem(0x400008, 30 * 4096 + 16, 8, 0);
    w.mem(0x400010, 31 * 4096, 8, 0);
    w.mem(0x400018, 0xfee00000, 4, MEM_IO); // the local APIC is not RAM
    w.pageRun(2, 300, 20 * 4096, 2, PAGE_IN_WINDOW);
    w.pageRun(3, 400, 0, 1, 0);
    // A later snapshot changes VM 0's page 1 to C: A, C, B, C.
    w.marker(MarkerOp.Snapshot, 0);
    w.pageHash(4096, 0, 3, 0);
    w.close();
    const t = TraceReader.open(path);
    const m = memoryProfile(t, 2);
    t.close();
    assert.equal(m.intervals, 4);
    assert.equal(m.summaryPages, 17); // 0-14, 20, 21
    assert.deepEqual(m.spans, [
      { intervals: [0, 1], end: 200, touchedPages: 15, dirtiedPages: 2, window: false },
      { intervals: [2, 3], end: 400, touchedPages: 3, dirtiedPages: 0, window: true },
    ]);
    assert.equal(m.windowPages, 2);
    assert.equal(m.snapshots, 2);
    assert.deepEqual(m.sharing, [
      { vm: 0, pages: 4, distinct: 3, sharedPages: 2 },
      { vm: 1, pages: 1, distinct: 1, sharedPages: 0 },
    ]);
    // Across VMs: A twice (vm 0 page 0, vm 1 page 0), C twice, B once.
    assert.deepEqual(m.sharingAll, { pages: 5, distinct: 3, sharedPages: 4 });
    // Over time: after the first snapshot (at interval 1's end) A, A, B, C and A: 3 A
    // pages shared; after the second A, C, B, C and A: A twice, C twice.
    assert.deepEqual(m.contentOverTime, [
      { samples: 1, at: 200, pages: 5, distinct: 3, sharedPages: 3 },
      { samples: 2, at: 400, pages: 5, distinct: 3, sharedPages: 4 },
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("memory profile: sharing over time groups samples and follows content changes", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "t.vmt");
    const w = TraceWriter.create(path, HEADER);
    // Five samples of pages 0-3 (one interval each); in sample k, pages 0..k-1 hold X
    // and the others their own content: shared pages 0, 2, 3, 4 (page 3 last).
    for (let k = 0; k < 5; k++) {
      w.pageRun(k, 100 * (k + 1), 0, 4, PAGE_DIRTY);
      w.marker(MarkerOp.Snapshot, 0);
      for (let p = 0; p < 4; p++) w.pageHash(p * 4096, 0, p < k ? 99 : 10 * k + p, 0);
    }
    w.close();
    const t = TraceReader.open(path);
    const m = memoryProfile(t, 2);
    t.close();
    // Five points in groups of three: the 3rd and the last (5th).
    assert.deepEqual(m.contentOverTime, [
      { samples: 3, at: 300, pages: 4, distinct: 3, sharedPages: 2 },
      { samples: 5, at: 500, pages: 4, distinct: 1, sharedPages: 4 },
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
