import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { TraceWriter } from "../trace/writer.ts";
import { TraceReader } from "../trace/reader.ts";
import { CPL_USER } from "../trace/code_table.ts";
import { MarkerOp, PAGE_DIRTY, PAGE_IN_WINDOW } from "../trace/record.ts";
import type { TraceHeaderInit } from "../trace/header.ts";
import { loadPageSummary, SummaryClock } from "./page_summary.ts";
import { parseHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";
import { allocateWithTax } from "../models/memory/idle_tax.ts";

/** A 2 MiB guest (512 pages) whose summary intervals are 1000 instructions long. */
function header(summary: boolean): TraceHeaderInit {
  return {
    workload: summary ? "summary" : "no-summary",
    source: { kind: "synthetic", method: "hand-built page-access summary", recorder: "test" },
    pageSizes: [4096],
    devices: [],
    inferred: [],
    guest: { memoryMiB: 2 },
    ...(summary ? { extra: { pageSummaryInterval: 1000 } } : {}),
  };
}

/**
 * A guest that runs a 10-instruction block in a loop of iterations. With `summary`, its
 * page-access summary says: interval 0 touched pages 0-99, interval 1 pages 100-149 (both
 * before the window), interval 2 (the window) pages 0-9, interval 3 pages 400-449 (above a
 * 1 MB VM) and ended at instruction 4000.
 */
function writeTrace(path: string, summary: boolean): void {
  const w = TraceWriter.create(path, header(summary));
  const block = w.defineBlock(
    0x400000,
    CPL_USER,
    Array.from({ length: 10 }, () => ({ length: 2, sensitive: 0, flow: 0 })),
  );
  if (summary) {
    w.pageRun(0, 1000, 0, 100, PAGE_DIRTY);
    w.pageRun(1, 2000, 100 * 4096, 50, 0);
  }
  w.marker(MarkerOp.Begin, 0);
  for (let it = 0; it <= 4; it++) {
    w.marker(MarkerOp.Iteration, it);
    if (it < 4) { for (let i = 0; i < 100; i++) w.exec(block); }
  }
  w.marker(MarkerOp.End, 0);
  if (summary) {
    w.pageRun(2, 3000, 0, 10, PAGE_IN_WINDOW);
    w.pageRun(3, 4000, 400 * 4096, 50, PAGE_DIRTY);
  }
  w.close();
}

const dir = Deno.makeTempDirSync({ prefix: "vmmlab-summary-" });
const WITH = join(dir, "with.vmt"), WITHOUT = join(dir, "without.vmt");
writeTrace(WITH, true);
writeTrace(WITHOUT, false);

Deno.test("page summary: runs grouped by interval, loop length from the last interval's end", () => {
  const r = TraceReader.open(WITH);
  try {
    const s = loadPageSummary(r)!;
    assertEquals([s.intervals, s.intervalInstructions, s.length], [4, 1000, 4000]);
    assertEquals(Array.from(s.offsets), [0, 1, 2, 3, 4]);
    assertEquals(Array.from(s.first), [0, 100, 0, 400]);
    assertEquals(Array.from(s.pages), [100, 50, 10, 50]);
  } finally {
    r.close();
  }
  const none = TraceReader.open(WITHOUT);
  try {
    assertEquals(loadPageSummary(none), null);
  } finally {
    none.close();
  }
});

Deno.test("summary clock: intervals applied as the VM's instructions pass their ends, looping", () => {
  const r = TraceReader.open(WITH);
  const s = loadPageSummary(r)!;
  r.close();
  // A 1 MB VM (256 pages): pages 400-449 move onto the first pages the summary never
  // touches below 256, i.e. 150-199.
  const clock = new SummaryClock(s, 256);
  assertEquals([clock.vmPage(400), clock.vmPage(449), clock.vmPage(450)], [150, 199, -1]);
  const seen: number[] = [];
  const touch = (p: number) => seen.push(p);
  clock.advance(999, touch);
  assertEquals(seen.length, 0);
  clock.advance(1000, touch);
  assertEquals([seen.length, seen[0], seen[99]], [100, 0, 99]);
  clock.advance(3999, touch);
  assertEquals(seen.length, 160); // intervals 1 and 2
  clock.advance(4000, touch);
  assertEquals([seen.length, seen[160], seen[209]], [210, 150, 199]);
  // The summary loops: interval 0 again ends at 4000 + 1000.
  clock.advance(4999, touch);
  assertEquals(seen.length, 210);
  clock.advance(8999, touch); // the second loop, whole
  assertEquals([seen.length, clock.applied], [420, 8]);
  // Staggered halfway: time 0 is summary instruction 2000, so interval 2 ends first, at 1000.
  const half = new SummaryClock(s, 256, 0.5);
  const late: number[] = [];
  half.advance(1000, (p) => late.push(p));
  assertEquals([late.length, late[0]], [10, 0]);
});

function twoVmHost(tax: number) {
  return parseHost(
    {
      schema: "vmmlab.host/1",
      platform: "p4-prescott",
      pcpus: 2,
      memoryMB: 1,
      durationMs: 2,
      sampleMs: 1,
      memory: { taxRate: tax, samplePeriodMs: 1, sampleSize: 256 },
      // Summaries are applied at the end of each slice: slices well inside a period.
      scheduler: { name: "round-robin", sliceMs: 0.1 },
      vms: [
        { name: "active", trace: WITH, memory: { sizeMB: 1, shares: 1000 } },
        { name: "idle", trace: WITHOUT, memory: { sizeMB: 1, shares: 1000, touchedMB: 1 } },
      ],
    },
    "summary-host",
    dir,
  );
}

Deno.test("host: the sampler follows the summary; the tax divides memory by it", () => {
  // Each 1 ms sampling period (ten 0.1 ms slices) spans many loops of the 4000-instruction summary, so the
  // active VM touches all of its 200 pages (0-149 and 400-449 moved to 150-199) every
  // period, and a sample of all 256 pages measures f = 200/256 exactly. The idle VM's
  // replayed records touch no memory (f = 0) but it touched all 256 pages before time 0.
  const r = simulateHost(twoVmHost(0.75), { skipAlone: true });
  const [active, idle] = r.vms;
  assertEquals([active.memory.activeFraction, idle.memory.activeFraction], [0.78125, 0]);
  assertEquals([active.memory.touchedMB, idle.memory.touchedMB], [0.781, 1]); // 200 pages, 256
  ok(active.memory.summaryIntervals! > 100, `${active.memory.summaryIntervals} intervals`);
  assertEquals(idle.memory.summaryIntervals, undefined);
  // Tax 0.75 (idle pages cost k = 4): shares per page are equal when
  // P_a (0.78125 + 4 * 0.21875) = 4 P_i, i.e. P_i = 1.65625 P_a / 4; with
  // P_a + P_i = floor(256 * 0.94) = 240, P_a = 240 / (1 + 1.65625 / 4) = 169.7 pages.
  const pages = [active, idle].map((v) => Math.round(v.memory.targetMB * 256));
  assertEquals(pages[0] + pages[1], 240);
  ok(Math.abs(pages[0] - 169.7) < 1, `active VM target ${pages[0]} pages`);
  assertEquals(
    pages,
    allocateWithTax(
      [
        { shares: 1000, minPages: 0, maxPages: 256, active: 0.78125 },
        { shares: 1000, minPages: 0, maxPages: 256, active: 0 },
      ],
      240,
      0.75,
    ),
  );
  // Both are paged down to their targets (memory model none: the host swaps).
  assertEquals(
    [active, idle].map((v) => Math.round(v.memory.heldMB * 256)),
    pages,
  );
  assertEquals(Math.round(active.memory.swappedMB * 256), 200 - pages[0]);
  assertEquals(Math.round(idle.memory.swappedMB * 256), 256 - pages[1]);
  // The series carry targets and active memory once a VM follows a summary.
  assertEquals(r.series.activeMB![0].at(-1), 0.781); // 200/256 of 1 MB
  // Tax 0: an even split, 120 pages each.
  const even = simulateHost(twoVmHost(0), { skipAlone: true });
  assertEquals(even.vms.map((v) => Math.round(v.memory.targetMB * 256)), [120, 120]);
});

Deno.test("host: a summary-driven run is deterministic", () => {
  const a = simulateHost(twoVmHost(0.75), { skipAlone: true });
  const b = simulateHost(twoVmHost(0.75), { skipAlone: true });
  assertEquals(JSON.stringify({ ...a, wall: 0 }), JSON.stringify({ ...b, wall: 0 }));
});

Deno.test("host: without a summary the replayed records drive demand and no series are added", () => {
  const d = twoVmHost(0.75);
  const r = simulateHost({ ...d, vms: [d.vms[1]] }, { skipAlone: true });
  assertEquals(r.series.targetMB, undefined);
  assertEquals(r.vms[0].memory.summaryIntervals, undefined);
});
