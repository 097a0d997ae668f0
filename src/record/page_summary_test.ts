import assert from "node:assert/strict";
import { join } from "node:path";
import type { TraceHeaderInit } from "../trace/header.ts";
import { TraceReader } from "../trace/reader.ts";
import { Field, MarkerOp, PAGE_DIRTY, PAGE_IN_WINDOW, RecordKind } from "../trace/record.ts";
import { TraceWriter } from "../trace/writer.ts";
import { InputError } from "../util/errors.ts";
import { parsePageSummary, SummaryWriter, windowSpan } from "./page_summary.ts";

/** One page-file item: an interval, a marker or a content sample. */
type Item =
  | ["I", number, [number, number, number][]]
  | ["M", number, number, number]
  | ["H", number, [number, number, number][]];

/**
 * Builds a page file: ["I", end, [[first, pages, flags], ..]], ["M", op, arg, at] and
 * ["H", at, [[page, hashHi, hashLo], ..]].
 */
function pageFile(items: Item[]) {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
  const u64 = (v: number) => {
    u32(v % 4294967296);
    u32(Math.floor(v / 4294967296));
  };
  for (const it of items) {
    if (it[0] === "I") {
      parts.push(0x49);
      u64(it[1]);
      u32(it[2].length);
      for (const [first, pages, flags] of it[2]) {
        u32(first);
        u32(pages);
        parts.push(flags);
      }
    } else if (it[0] === "H") {
      parts.push(0x48);
      u64(it[1]);
      u32(it[2].length);
      for (const [page, hi, lo] of it[2]) {
        u32(page);
        u32(hi);
        u32(lo);
      }
    } else {
      parts.push(0x4d, it[1], it[2]);
      u64(it[3]);
    }
  }
  return new Uint8Array(parts);
}

const TEST_HEADER: TraceHeaderInit = {
  workload: "summary",
  source: { kind: "synthetic", method: "page summary test", recorder: "test" },
  pageSizes: [4096],
  devices: [],
  inferred: [],
};

const FILE = pageFile([
  ["M", 8, 0, 0],
  ["I", 100, [[0, 4, 1], [4, 2, 3], [10, 1, 1]]],
  ["M", 7, 0, 150],
  ["I", 200, [[0, 1, 3]]],
  ["M", 1, 0, 220],
  ["M", 3, 0, 250],
  ["I", 300, [[5, 5, 1]]],
  ["M", 3, 0, 320],
  ["M", 2, 0, 320],
  ["I", 400, [[7, 1, 3]]],
  ["M", 7, 0, 410],
  ["I", 500, [[8, 1, 1]]],
]);

Deno.test("page file: intervals, runs and markers parse; the window is first iteration to end", () => {
  const s = parsePageSummary(FILE, "pages.bin");
  assert.equal(s.intervals.length, 5);
  assert.deepEqual([...s.intervals[0].first], [0, 4, 10]);
  assert.deepEqual([...s.intervals[0].pages], [4, 2, 1]);
  assert.deepEqual([...s.intervals[0].flags], [1, 3, 1]);
  assert.equal(s.intervals[4].end, 500);
  assert.deepEqual(s.marks.map((m) => m.op), [8, 7, 1, 3, 3, 2, 7]);
  assert.deepEqual(windowSpan(s), { start: 250, end: 320 });
});

Deno.test("page file: malformed input is one InputError naming the offset", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([0x58]), /offset 0: unknown record type 88/],
    [FILE.subarray(0, 20), /offset 11: truncated interval header|runs past the file/],
    [pageFile([["I", 10, [[4, 1, 1], [2, 1, 1]]]]), /run 1 is empty, too long or out of order/],
    [pageFile([["I", 10, [[4, 0, 1]]]]), /run 0 is empty/],
    [pageFile([["I", 10, [[4, 1, 9]]]]), /run 0 has flags 9/],
    [pageFile([["I", 10, []], ["I", 5, []]]), /ends before the previous one/],
    [pageFile([["M", 1, 0, 0]]).subarray(0, 5), /offset 0: truncated marker/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(() => parsePageSummary(bytes, "pages.bin"), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^pages\.bin: /);
      assert.match(e.message, re);
      return true;
    });
  }
  // A count that promises more runs than the file holds is refused before allocating.
  const huge = pageFile([["I", 10, []]]);
  huge.set([0xff, 0xff, 0xff, 0x7f], 9);
  assert.throws(() => parsePageSummary(huge, "p"), /runs past the file/);
});

Deno.test("summary writer: history before the window, the rest after, snapshots as changed pages", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "t.vmt");
    const w = TraceWriter.create(path, TEST_HEADER);
    // Two snapshots of 3 pages: the second changes page 1 only.
    const a = new Uint32Array([1, 1, 2, 2, 3, 3]);
    const b = new Uint32Array([1, 1, 9, 9, 3, 3]);
    const sw = new SummaryWriter(parsePageSummary(FILE, "p"), [
      { index: 0, hashes: a },
      { index: 1, hashes: b },
    ]);
    assert.deepEqual(sw.windowSnapshots(), []);
    sw.before(w);
    w.marker(MarkerOp.Begin, 0); // stands for the window the converter writes
    sw.after(w);
    w.close();
    assert.deepEqual(sw.counts, { intervals: 5, runs: 7, snapshots: 2, hashes: 4 });
    const seen: string[] = [];
    const c = TraceReader.open(path).cursor();
    while (c.next()) {
      const r = c.record, f = r.f;
      if (r.kind === RecordKind.PageRun) {
        seen.push(
          `run ${f[Field.Op]}@${f[Field.Value]} ${f[Field.Paddr] / 4096}+${f[Field.Count]}` +
            `${f[Field.Flags] & PAGE_DIRTY ? " dirty" : ""}` +
            `${f[Field.Flags] & PAGE_IN_WINDOW ? " window" : ""}`,
        );
      } else if (r.kind === RecordKind.PageHash) {
        seen.push(`hash ${f[Field.Paddr] / 4096}=${f[Field.HashHi]}`);
      } else if (r.kind === RecordKind.Marker) seen.push(`marker ${f[Field.Op]}`);
    }
    assert.deepEqual(seen, [
      "run 0@100 0+4",
      "run 0@100 4+2 dirty",
      "run 0@100 10+1",
      "marker 7",
      "hash 0=1",
      "hash 1=2",
      "hash 2=3",
      "run 1@200 0+1 dirty",
      "marker 1",
      // Interval 2 (200-300) and 3 (300-400) overlap the window 250-320.
      "run 2@300 5+5 window",
      "run 3@400 7+1 dirty window",
      "marker 7",
      "hash 1=9",
      "run 4@500 8+1",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("summary writer: content samples at interval ends follow the interval's runs", () => {
  const file = pageFile([
    ["M", 8, 0, 0],
    ["H", 0, [[0, 1, 10], [1, 2, 20], [2, 3, 30]]],
    ["I", 100, [[0, 2, 3]]],
    ["H", 100, [[1, 5, 50]]],
    ["M", 7, 0, 150],
    ["H", 150, [[0, 6, 60]]],
    ["M", 1, 0, 180],
    ["M", 3, 0, 190],
    ["I", 200, [[2, 1, 3]]],
    ["H", 200, [[2, 7, 70]]],
    ["M", 2, 0, 230],
    ["I", 300, [[2, 1, 1]]],
    ["H", 300, []],
  ]);
  const s = parsePageSummary(file, "pages.bin");
  assert.equal(s.samples.length, 5);
  assert.deepEqual([...s.samples[1].pages], [1]);
  assert.deepEqual([...s.samples[1].hashes], [5, 50]);
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "t.vmt");
    const w = TraceWriter.create(path, TEST_HEADER);
    // The guest's snapshot request at 150 has no pmemsave snapshot (the plugin sampled).
    const sw = new SummaryWriter(s, []);
    sw.before(w);
    w.marker(MarkerOp.Begin, 0);
    sw.after(w);
    w.close();
    assert.deepEqual(sw.counts, { intervals: 3, runs: 3, snapshots: 5, hashes: 6 });
    const seen: string[] = [];
    const c = TraceReader.open(path).cursor();
    while (c.next()) {
      const r = c.record, f = r.f;
      if (r.kind === RecordKind.PageRun) seen.push(`run ${f[Field.Op]}`);
      else if (r.kind === RecordKind.PageHash) {
        seen.push(`hash ${f[Field.Paddr] / 4096}=${f[Field.HashHi]}:${f[Field.HashLo]}`);
      } else if (r.kind === RecordKind.Marker) seen.push(`marker ${f[Field.Op]}`);
    }
    assert.deepEqual(seen, [
      "marker 7",
      "hash 0=1:10",
      "hash 1=2:20",
      "hash 2=3:30",
      "run 0",
      "marker 7",
      "hash 1=5:50",
      "marker 7",
      "hash 0=6:60",
      "marker 1", // the window (190-230) begins
      "run 1", // overlaps the window: after it, then the sample at its end
      "marker 7",
      "hash 2=7:70",
      "run 2",
      "marker 7",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("page file: malformed content samples are one clear error", () => {
  const cases: [Item[], RegExp][] = [
    [[["H", 5, [[3, 0, 0], [3, 0, 0]]]], /offset 0: content sample page 1 out of order/],
    [[["H", 5, []], ["H", 4, []]], /offset 13: content sample taken before the previous one/],
  ];
  for (const [items, re] of cases) {
    assert.throws(() => parsePageSummary(pageFile(items), "pages.bin"), re);
  }
  const truncated = pageFile([["H", 5, [[1, 2, 3]]]]).subarray(0, 20);
  assert.throws(
    () => parsePageSummary(truncated, "p"),
    /offset 0: content sample of 1 pages runs past the file/,
  );
});
