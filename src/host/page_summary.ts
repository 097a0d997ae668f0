/**
 * A trace's page-access summary (`PageRun` records, docs/trace-format.md) as the host
 * follows it: which guest-physical pages each summary interval touched, over the whole
 * recorded run, so that a VM's demand and its sampled working set follow the workload's
 * real memory use rather than only the pages its replayed window touches.
 *
 * **Time mapping.** A VM's summary clock is the guest instructions it has executed since
 * time 0 (replayed and credited by sampled simulation alike; warm-up left out), plus a
 * start offset (`stagger`: VM i of n starts i/n of the way into the summary, as into its
 * trace). Interval k covers summary instructions `[k·I, (k+1)·I)` (`I` =
 * `extra.pageSummaryInterval`, every interval but the last has that length) and the summary
 * loops after its last interval, as the trace loops after its last iteration. An
 * interval's pages are applied (touched, and offered to the working-set sampler) when the
 * clock passes the interval's end, as the `balloon` and `swap` models do with the same
 * records (the pages count in the sampling period holding the interval's last
 * instruction). The clock moves with the VM's own instructions, so a VM that runs slower
 * (less CPU, more faults) moves through its workload's memory phases more slowly.
 *
 * **A smaller VM.** Pages at or above the VM's configured size (the recorded guest had
 * more memory) are renumbered, in ascending order, onto the pages below it that the
 * summary never touches, so that the working set keeps its size as a smaller guest would
 * hold the same data in other frames; pages left over when none are free are dropped.
 *
 * Loading reads only the chunks before the window's Begin marker and from its End marker
 * on (where the format places the runs), unless those do not hold every run the summary
 * counts, in which case it reads the whole trace once.
 *
 * @module
 */

import type { TraceReader } from "../trace/reader.ts";
import { Field, MarkerOp, RecordKind } from "../trace/record.ts";
import { guestMemoryBytes } from "../trace/header.ts";
import { PAGE_SIZE } from "../trace/page.ts";
import { TraceFormatError } from "../trace/errors.ts";

/** Most PageRun records a host follows per trace (the largest committed trace has 168 325). */
export const MAX_SUMMARY_RUNS = 1 << 24;
/** Most summary intervals (the largest committed trace has 113). */
export const MAX_SUMMARY_INTERVALS = 1 << 20;

/** One trace's page-access summary, grouped by interval. */
export class PageSummary {
  /** Number of intervals (the highest interval number plus one). */
  readonly intervals: number;
  /** Guest instructions per interval (`I`). */
  readonly intervalInstructions: number;
  /** Guest instructions of the whole summary (the loop length). */
  readonly length: number;
  /** Runs of interval k are `[offsets[k], offsets[k+1])`. */
  readonly offsets: Int32Array;
  /** First page of each run. */
  readonly first: Float64Array;
  /** Pages of each run. */
  readonly pages: Float64Array;
  /** 1 for every page some interval touches (indexed by recorded page number). */
  readonly touchedMap: Uint8Array;

  /** Wraps already grouped runs (see {@link loadPageSummary}). */
  constructor(
    intervals: number,
    intervalInstructions: number,
    length: number,
    offsets: Int32Array,
    first: Float64Array,
    pages: Float64Array,
    guestPages: number,
  ) {
    this.intervals = intervals;
    this.intervalInstructions = intervalInstructions;
    this.length = length;
    this.offsets = offsets;
    this.first = first;
    this.pages = pages;
    this.touchedMap = new Uint8Array(guestPages);
    for (let r = 0; r < first.length; r++) {
      const end = Math.min(guestPages, first[r] + pages[r]);
      for (let p = first[r]; p < end; p++) this.touchedMap[p] = 1;
    }
  }

  /** Summary instructions at the end of interval `k`. */
  intervalEnd(k: number): number {
    return k === this.intervals - 1 ? this.length : (k + 1) * this.intervalInstructions;
  }

  /**
   * Page renumbering for a VM of `vmPages` pages: `map[p - vmPages]` is the page that
   * recorded page `p ≥ vmPages` becomes (-1: dropped). Null when every touched page fits.
   */
  relocation(vmPages: number): Int32Array | null {
    const touched = this.touchedMap;
    if (touched.length <= vmPages) return null;
    let high = false;
    for (let p = vmPages; p < touched.length && !high; p++) high = touched[p] === 1;
    if (!high) return null;
    const map = new Int32Array(touched.length - vmPages).fill(-1);
    let free = 0;
    for (let p = vmPages; p < touched.length; p++) {
      if (touched[p] === 0) continue;
      while (free < vmPages && touched[free] === 1) free++;
      if (free >= vmPages) break;
      map[p - vmPages] = free++;
    }
    return map;
  }
}

function bad(trace: TraceReader, what: string): never {
  throw new TraceFormatError(trace.name, `page-access summary: ${what}`);
}

/** The chunk holding record index `rec`. */
function chunkOf(trace: TraceReader, rec: number): number {
  const chunks = trace.chunks;
  let c = 0;
  while (c + 1 < chunks.length && chunks[c + 1].firstRecord <= rec) c++;
  return c;
}

/**
 * The page-access summary of `trace`, or null when it has none (then the host watches the
 * replayed records, as before summaries existed). Bad summaries throw one-line errors.
 */
export function loadPageSummary(trace: TraceReader): PageSummary | null {
  const expected = trace.summary.kinds["page-run"] ?? 0;
  if (!(expected > 0)) return null;
  if (expected > MAX_SUMMARY_RUNS) {
    bad(trace, `${expected} PageRun records exceed the host's ${MAX_SUMMARY_RUNS}`);
  }
  const guestPages = Math.floor(guestMemoryBytes(trace.header) / PAGE_SIZE);
  const interval = new Float64Array(expected), first = new Float64Array(expected);
  const pages = new Float64Array(expected), ends = new Float64Array(expected);
  const markers = trace.summary.markers;
  const begin = markers.find((m) => m.op === MarkerOp.Begin);
  const end = markers.find((m) => m.op === MarkerOp.End);
  const n = trace.chunks.length;
  const ranges: [number, number][] = begin !== undefined && end !== undefined
    ? [[0, chunkOf(trace, begin.record) + 1], [chunkOf(trace, end.record), n]]
    : [[0, n]];
  if (ranges.length === 2 && ranges[1][0] < ranges[0][1]) ranges[1][0] = ranges[0][1];
  const read = (rs: [number, number][]): number => {
    let runs = 0;
    for (const [from, to] of rs) {
      if (from >= to) continue;
      const c = trace.cursor(from, to);
      const r = c.record, f = r.f;
      while (c.next()) {
        if (r.kind !== RecordKind.PageRun) continue;
        if (runs >= expected) return expected + 1;
        interval[runs] = f[Field.Op];
        ends[runs] = f[Field.Value];
        first[runs] = f[Field.Paddr] / PAGE_SIZE;
        pages[runs] = f[Field.Count];
        runs++;
      }
    }
    return runs;
  };
  let runs = read(ranges);
  if (runs !== expected && ranges.length === 2) runs = read([[0, n]]);
  if (runs !== expected) {
    bad(trace, `found ${runs} PageRun records, the summary counts ${expected}`);
  }
  let intervals = 0, length = 0;
  for (let i = 0; i < runs; i++) {
    if (interval[i] + 1 > intervals) intervals = interval[i] + 1;
    if (ends[i] > length) length = ends[i];
    if (first[i] + pages[i] > guestPages) {
      bad(trace, `PageRun ${i} reaches past the guest's ${guestPages} pages`);
    }
  }
  if (intervals > MAX_SUMMARY_INTERVALS) {
    bad(trace, `${intervals} intervals exceed the host's ${MAX_SUMMARY_INTERVALS}`);
  }
  const declared = trace.header.extra?.pageSummaryInterval;
  let per = typeof declared === "number" && declared > 0 ? declared : 0;
  if (per === 0) {
    // Every interval but the last has the same length: take it from the earliest run of
    // an interval that is not the last.
    for (let i = 0; i < runs; i++) {
      if (interval[i] < intervals - 1 && ends[i] > 0) {
        per = ends[i] / (interval[i] + 1);
        break;
      }
    }
    if (per === 0) per = length;
  }
  if (!(length > 0) || !(per > 0)) bad(trace, "its intervals span no instructions");
  if ((intervals - 1) * per >= length) length = intervals * per;
  // Group by interval (counting sort keeps record order within an interval).
  const offsets = new Int32Array(intervals + 1);
  for (let i = 0; i < runs; i++) offsets[interval[i] + 1]++;
  for (let k = 0; k < intervals; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, intervals);
  const gFirst = new Float64Array(runs), gPages = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const at = fill[interval[i]]++;
    gFirst[at] = first[i];
    gPages[at] = pages[i];
  }
  return new PageSummary(intervals, per, length, offsets, gFirst, gPages, guestPages);
}

/**
 * One VM's position in a {@link PageSummary}: applies each interval's pages, renumbered
 * for the VM's size, as the VM's instructions pass the interval's end.
 */
export class SummaryClock {
  /** The summary followed. */
  readonly summary: PageSummary;
  readonly #vmPages: number;
  readonly #relocate: Int32Array | null;
  /** Summary instructions at time 0 (the stagger offset), within one loop. */
  readonly #offset: number;
  /** Next interval to apply and its end on the VM's instruction axis. */
  #next: number;
  #nextEnd: number;
  /** Intervals applied. */
  applied = 0;

  /** A clock for a VM of `vmPages` pages starting `startFraction` of the way in. */
  constructor(summary: PageSummary, vmPages: number, startFraction = 0) {
    this.summary = summary;
    this.#vmPages = vmPages;
    this.#relocate = summary.relocation(vmPages);
    this.#offset = Math.max(0, Math.min(1, startFraction)) * summary.length;
    let k = 0;
    while (k < summary.intervals - 1 && summary.intervalEnd(k) <= this.#offset) k++;
    this.#next = k;
    this.#nextEnd = summary.intervalEnd(k) - this.#offset;
  }

  /** The page VM page that recorded page `p` becomes, or -1 (outside the VM). */
  vmPage(p: number): number {
    if (p < this.#vmPages) return p;
    const map = this.#relocate;
    return map === null || p - this.#vmPages >= map.length ? -1 : map[p - this.#vmPages];
  }

  /**
   * Applies every interval whose end the VM's `instructions` have passed, calling `touch`
   * for each of its pages (renumbered; pages outside the VM are skipped).
   */
  advance(instructions: number, touch: (page: number) => void): void {
    const s = this.summary;
    while (instructions >= this.#nextEnd) {
      const k = this.#next;
      for (let r = s.offsets[k]; r < s.offsets[k + 1]; r++) {
        const end = s.first[r] + s.pages[r];
        for (let p = s.first[r]; p < end; p++) {
          const v = this.vmPage(p);
          if (v >= 0) touch(v);
        }
      }
      this.applied++;
      const prevEnd = s.intervalEnd(k);
      this.#next = k + 1 === s.intervals ? 0 : k + 1;
      const span = this.#next === 0 ? s.intervalEnd(0) : s.intervalEnd(this.#next) - prevEnd;
      this.#nextEnd += span;
    }
  }
}
