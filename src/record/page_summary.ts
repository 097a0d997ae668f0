/**
 * The recorder's page-access summary: the plugin's page file (which guest-physical pages
 * each interval of the whole run touched and dirtied, and where the markers fell in it)
 * read and checked, and written into a trace as `PageRun` records around the recorded
 * instruction window, together with the content snapshots the guest asked for outside
 * the window (as `PageHash` records of the pages whose content changed since the previous
 * snapshot). See docs/trace-format.md, "Page-access summaries".
 *
 * @module
 */

import { InputError } from "../util/errors.ts";
import { MarkerOp, PAGE_DIRTY, PAGE_IN_WINDOW, PAGE_RUN_MAX_PAGES } from "../trace/record.ts";
import type { TraceWriter } from "../trace/writer.ts";
import type { PageSnapshot } from "./page_hash.ts";

/** One summary interval: its end and its runs of pages with equal flags. */
export interface SummaryInterval {
  /** Guest instructions from the summary's begin to the interval's end. */
  end: number;
  /** First page of each run. */
  first: Uint32Array;
  /** Pages in each run. */
  pages: Uint32Array;
  /** Flags of each run: 1 touched, 2 dirtied. */
  flags: Uint8Array;
}

/** A marker the plugin saw while summarising. */
export interface SummaryMark {
  /** Marker op (MarkerOp, plus 8/9 for the summary's own begin and end). */
  op: number;
  /** The marker's argument. */
  arg: number;
  /** Guest instructions from the summary's begin. */
  at: number;
}

/**
 * A content sample the plugin took (recipes with `contentEvery`): the pages whose hash
 * changed since its previous sample (every RAM page in the first).
 */
export interface ContentSample {
  /** Guest instructions from the summary's begin when the sample was taken. */
  at: number;
  /** Guest-physical page numbers, ascending. */
  pages: Uint32Array;
  /** High and low 32 bits of each page's hash, interleaved (page i at 2i, 2i+1). */
  hashes: Uint32Array;
}

/** The whole page file. */
export interface PageSummary {
  /** Intervals in order. */
  intervals: SummaryInterval[];
  /** Markers in order. */
  marks: SummaryMark[];
  /** Content samples in order (empty unless the recipe asked for them). */
  samples: ContentSample[];
}

/** Largest page file read (bytes): a run of 10^4 intervals of 10^5 runs, far above any recipe's. */
export const MAX_PAGE_FILE = 1 << 30;

/** Parses the plugin's page file; a malformed file is one InputError naming the offset. */
export function parsePageSummary(bytes: Uint8Array, file: string): PageSummary {
  if (bytes.length > MAX_PAGE_FILE) {
    throw new InputError(`${file}: page summary of ${bytes.length} bytes exceeds ${MAX_PAGE_FILE}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (at: number) => dv.getUint32(at + 4, true) * 4294967296 + dv.getUint32(at, true);
  const intervals: SummaryInterval[] = [];
  const marks: SummaryMark[] = [];
  const samples: ContentSample[] = [];
  let lastSample = 0;
  let pos = 0;
  let last = 0;
  const bad = (what: string): never => {
    throw new InputError(`${file}: offset ${pos}: ${what}`);
  };
  while (pos < bytes.length) {
    const t = bytes[pos];
    if (t === 0x49 /* 'I' */) {
      if (pos + 13 > bytes.length) bad("truncated interval header");
      const end = u64(pos + 1);
      const n = dv.getUint32(pos + 9, true);
      if (n * 9 > bytes.length - pos - 13) bad(`interval of ${n} runs runs past the file`);
      if (end < last) bad("interval ends before the previous one");
      const first = new Uint32Array(n), pages = new Uint32Array(n), flags = new Uint8Array(n);
      let at = pos + 13;
      let next = 0;
      for (let i = 0; i < n; i++, at += 9) {
        first[i] = dv.getUint32(at, true);
        pages[i] = dv.getUint32(at + 4, true);
        flags[i] = bytes[at + 8];
        if (pages[i] < 1 || pages[i] > PAGE_RUN_MAX_PAGES || first[i] < next) {
          bad(`run ${i} is empty, too long or out of order`);
        }
        if (flags[i] < 1 || flags[i] > 3) bad(`run ${i} has flags ${flags[i]}`);
        next = first[i] + pages[i];
      }
      intervals.push({ end, first, pages, flags });
      last = end;
      pos = at;
    } else if (t === 0x48 /* 'H' */) {
      if (pos + 13 > bytes.length) bad("truncated content sample header");
      const at = u64(pos + 1);
      const n = dv.getUint32(pos + 9, true);
      if (n * 12 > bytes.length - pos - 13) bad(`content sample of ${n} pages runs past the file`);
      if (at < lastSample) bad("content sample taken before the previous one");
      const pages = new Uint32Array(n), hashes = new Uint32Array(2 * n);
      let p = pos + 13;
      for (let i = 0; i < n; i++, p += 12) {
        pages[i] = dv.getUint32(p, true);
        if (i > 0 && pages[i] <= pages[i - 1]) bad(`content sample page ${i} out of order`);
        hashes[2 * i] = dv.getUint32(p + 4, true);
        hashes[2 * i + 1] = dv.getUint32(p + 8, true);
      }
      samples.push({ at, pages, hashes });
      lastSample = at;
      pos = p;
    } else if (t === 0x4d /* 'M' */) {
      if (pos + 11 > bytes.length) bad("truncated marker");
      marks.push({ op: bytes[pos + 1], arg: bytes[pos + 2], at: u64(pos + 3) });
      pos += 11;
    } else {
      bad(`unknown record type ${t}`);
    }
  }
  return { intervals, marks, samples };
}

/** Where the recorded window lies in summary time: from the first iteration after begin to end. */
export function windowSpan(s: PageSummary): { start: number; end: number } | null {
  const b = s.marks.findIndex((m) => m.op === MarkerOp.Begin);
  if (b < 0) return null;
  const first = s.marks.find((m, i) => i > b && m.op === MarkerOp.Iteration);
  const end = s.marks.find((m, i) => i > b && m.op === MarkerOp.End);
  if (first === undefined) return null;
  return { start: first.at, end: end?.at ?? Infinity };
}

/** Counts of what {@link SummaryWriter} wrote. */
export interface SummaryCounts {
  /** Intervals written. */
  intervals: number;
  /** PageRun records written. */
  runs: number;
  /** Snapshots written outside the window. */
  snapshots: number;
  /** PageHash records written. */
  hashes: number;
}

/** What one {@link SummaryWriter} event writes. */
const enum Ev {
  Interval,
  GuestSnapshot,
  Sample,
}

/**
 * Writes a page summary into a trace in two parts: {@link before} (intervals that ended by
 * the window's start, and snapshots and content samples taken by then) goes ahead of the
 * window's records, {@link after} (the rest: intervals overlapping the window, flagged
 * PAGE_IN_WINDOW, the content samples taken inside it, then those after it and the later
 * snapshots) after them. Guest snapshots inside the window belong to the converter, which
 * writes them at their markers. A content sample taken at an interval's end follows that
 * interval's runs; one taken inside an interval precedes them.
 */
export class SummaryWriter {
  readonly #s: PageSummary;
  /** The guest's snapshots in the order it asked for them (the k-th Snapshot marker's). */
  readonly #snaps: readonly PageSnapshot[];
  /** Snapshot markers before each mark (mark index → order among snapshot markers). */
  readonly #snapOrder: Map<number, number> = new Map();
  readonly #span: { start: number; end: number };
  /** Events in time order: their kind and index (interval, mark or sample). */
  readonly #kinds: Ev[] = [];
  readonly #indexes: number[] = [];
  #next = 0;
  /** The previous guest snapshot's hashes (pages not listed keep their hash). */
  #prev: Uint32Array | null = null;
  /** What was written. */
  readonly counts: SummaryCounts = { intervals: 0, runs: 0, snapshots: 0, hashes: 0 };

  /**
   * Prepares to write `summary` with the guest's `snapshots`, in the order it asked for
   * them: the k-th Snapshot marker of the summary is the k-th snapshot.
   */
  constructor(summary: PageSummary, snapshots: readonly PageSnapshot[]) {
    this.#s = summary;
    this.#snaps = snapshots;
    let k = 0;
    summary.marks.forEach((m, i) => {
      if (m.op === MarkerOp.Snapshot) this.#snapOrder.set(i, k++);
    });
    this.#span = windowSpan(summary) ?? { start: Infinity, end: Infinity };
    const { intervals, marks, samples } = summary;
    let m = 0, c = 0;
    for (let i = 0; i <= intervals.length; i++) {
      const end = i === intervals.length ? Infinity : intervals[i].end;
      // Snapshots taken by an interval's end and samples taken before it precede its runs.
      for (;;) {
        const mOk = m < marks.length && marks[m].at <= end;
        const cOk = c < samples.length && samples[c].at < end;
        if (!mOk && !cOk) break;
        if (mOk && (!cOk || marks[m].at <= samples[c].at)) {
          if (marks[m].op === MarkerOp.Snapshot && !this.#inWindow(marks[m].at)) {
            this.#push(Ev.GuestSnapshot, m);
          }
          m++;
        } else {
          this.#push(Ev.Sample, c++);
        }
      }
      if (i < intervals.length) this.#push(Ev.Interval, i);
    }
  }

  #push(kind: Ev, index: number): void {
    this.#kinds.push(kind);
    this.#indexes.push(index);
  }

  #inWindow(at: number): boolean {
    return at >= this.#span.start && at < this.#span.end;
  }

  /** The snapshots the converter writes at their markers (taken inside the window). */
  windowSnapshots(): PageSnapshot[] {
    const inside: PageSnapshot[] = [];
    this.#s.marks.forEach((m, i) => {
      const snap = this.#snaps[this.#snapOrder.get(i) ?? -1];
      if (m.op === MarkerOp.Snapshot && this.#inWindow(m.at) && snap) inside.push(snap);
    });
    return inside;
  }

  /** Writes what precedes the window: intervals ended by its start, snapshots before it. */
  before(w: TraceWriter): void {
    while (this.#next < this.#kinds.length) {
      const kind = this.#kinds[this.#next], index = this.#indexes[this.#next];
      const start = this.#span.start;
      if (kind === Ev.Interval && this.#s.intervals[index].end > start) return;
      if (kind === Ev.GuestSnapshot && this.#s.marks[index].at >= start) return;
      if (kind === Ev.Sample && this.#s.samples[index].at > start) return;
      this.#write(w, kind, index);
      this.#next++;
    }
  }

  /** Writes everything not yet written. */
  after(w: TraceWriter): void {
    while (this.#next < this.#kinds.length) {
      this.#write(w, this.#kinds[this.#next], this.#indexes[this.#next]);
      this.#next++;
    }
  }

  #write(w: TraceWriter, kind: Ev, index: number): void {
    if (kind === Ev.Interval) this.#intervalRuns(w, index);
    else if (kind === Ev.GuestSnapshot) this.#snapshot(w, this.#snapOrder.get(index) ?? -1);
    else this.#sample(w, index);
  }

  #intervalRuns(w: TraceWriter, index: number): void {
    const iv = this.#s.intervals[index];
    const start = index === 0 ? 0 : this.#s.intervals[index - 1].end;
    const inWindow = iv.end > this.#span.start && start < this.#span.end;
    for (let i = 0; i < iv.first.length; i++) {
      const flags = (iv.flags[i] & 2 ? PAGE_DIRTY : 0) | (inWindow ? PAGE_IN_WINDOW : 0);
      w.pageRun(index, iv.end, iv.first[i] * 4096, iv.pages[i], flags);
    }
    this.counts.intervals++;
    this.counts.runs += iv.first.length;
  }

  /** A content sample: a Snapshot marker and the PageHash records of its changed pages. */
  #sample(w: TraceWriter, index: number): void {
    const c = this.#s.samples[index];
    w.marker(MarkerOp.Snapshot, 0);
    for (let i = 0; i < c.pages.length; i++) {
      w.pageHash(c.pages[i] * 4096, c.hashes[2 * i], c.hashes[2 * i + 1], 0);
    }
    this.counts.snapshots++;
    this.counts.hashes += c.pages.length;
  }

  #snapshot(w: TraceWriter, order: number): void {
    const snap = this.#snaps[order];
    if (snap === undefined) return;
    w.marker(MarkerOp.Snapshot, 0);
    const h = snap.hashes, prev = this.#prev;
    for (let p = 0; p < h.length / 2; p++) {
      const same = prev !== null && 2 * p + 1 < prev.length && prev[2 * p] === h[2 * p] &&
        prev[2 * p + 1] === h[2 * p + 1];
      if (same) continue;
      w.pageHash(p * 4096, h[2 * p], h[2 * p + 1], 0);
      this.counts.hashes++;
    }
    this.#prev = h;
    this.counts.snapshots++;
  }
}
