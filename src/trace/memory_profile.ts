/**
 * The memory figures of a trace that memory studies need, read in one pass: the working
 * set over time (from the page-access summary's `PageRun` records, grouped into at most a
 * given number of spans), the pages the instruction window itself touches (its `Mem`
 * records), and the pages shared by content (from `PageHash` snapshots, each page at its
 * latest hash, per VM and across VMs).
 *
 * @module
 */

import { Field, isMemKind, MEM_IO, PAGE_DIRTY, PAGE_IN_WINDOW, RecordKind } from "./record.ts";
import type { TraceReader } from "./reader.ts";

/** One span of the working set over time. */
export interface WorkingSetSpan {
  /** First and last summary interval of the span. */
  intervals: [number, number];
  /** Guest instructions since the summary began at the span's end. */
  end: number;
  /** Distinct pages the span's intervals touched. */
  touchedPages: number;
  /** Distinct pages they dirtied. */
  dirtiedPages: number;
  /** Whether a span interval overlaps the instruction window. */
  window: boolean;
}

/** Content sharing of one VM's pages (each at its latest hash). */
export interface VmSharing {
  /** VM index (the PageHash `vm`). */
  vm: number;
  /** Pages with a known hash. */
  pages: number;
  /** Distinct contents among them. */
  distinct: number;
  /** Pages whose content another page of the same VM also holds. */
  sharedPages: number;
}

/** Content sharing over all VMs right after one content sample (or a group of them). */
export interface ContentPoint {
  /** Content samples (Snapshot markers) up to and including this point. */
  samples: number;
  /** Guest instructions since the summary began: the end of the last interval before it. */
  at: number;
  /** Pages with a known hash. */
  pages: number;
  /** Distinct contents among them. */
  distinct: number;
  /** Pages whose content another page (of any VM) also holds. */
  sharedPages: number;
}

/** What {@link memoryProfile} finds. */
export interface MemoryProfile {
  /** Summary intervals in the trace (0 when it has no page-access summary). */
  intervals: number;
  /** Distinct pages the whole summary touched. */
  summaryPages: number;
  /** The working set over time, at most `maxSpans` spans. */
  spans: WorkingSetSpan[];
  /** Distinct RAM pages the window's memory references touched. */
  windowPages: number;
  /** Snapshot markers. */
  snapshots: number;
  /** Per-VM sharing, by VM index. */
  sharing: VmSharing[];
  /** Over all VMs: pages, distinct contents, pages whose content occurs at least twice. */
  sharingAll: { pages: number; distinct: number; sharedPages: number };
  /**
   * Sharing over time, over all VMs, each page at its hash as of that point: after every
   * content sample, grouped into at most `maxSpans` points (the last sample of each group).
   */
  contentOverTime: ContentPoint[];
}

/** Sharing counts kept up to date hash by hash (a page's new hash moves it between groups). */
class ContentGroups {
  readonly #pageHash = new Map<number, number>();
  readonly #groups = new Map<number, number>();
  pages = 0;
  distinct = 0;
  shared = 0;

  set(vm: number, page: number, hi: number, lo: number): void {
    const key = vm * 2 ** 40 + page;
    const content = (hi & 0x1fffff) * 4294967296 + (lo >>> 0);
    const old = this.#pageHash.get(key);
    if (old === content) return;
    if (old === undefined) this.pages++;
    else {
      const n = this.#groups.get(old)! - 1;
      if (n === 0) {
        this.#groups.delete(old);
        this.distinct--;
      } else this.#groups.set(old, n);
      this.shared -= n === 1 ? 2 : n >= 2 ? 1 : 0;
    }
    this.#pageHash.set(key, content);
    const n = (this.#groups.get(content) ?? 0) + 1;
    this.#groups.set(content, n);
    if (n === 1) this.distinct++;
    this.shared += n === 2 ? 2 : n > 2 ? 1 : 0;
  }
}

/** Reads the memory figures of `trace`, grouping its summary intervals into ≤ `maxSpans` spans. */
export function memoryProfile(trace: TraceReader, maxSpans = 20): MemoryProfile {
  // The PageRun count is known from the summary, so the runs fit in arrays sized once.
  const nRuns = trace.summary.kinds["page-run"] ?? 0;
  const runInterval = new Float64Array(nRuns), runFirst = new Float64Array(nRuns);
  const runPages = new Float64Array(nRuns), runFlags = new Uint8Array(nRuns);
  const runEnd = new Float64Array(nRuns);
  let runs = 0;
  const windowPages = new Set<number>();
  const latest = new Map<number, Map<number, string>>();
  let snapshots = 0;
  const groups = new ContentGroups();
  const points: ContentPoint[] = [];
  let lastEnd = 0, sampleAt = 0;
  const point = () => {
    if (snapshots > 0) {
      points.push({
        samples: snapshots,
        at: sampleAt,
        pages: groups.pages,
        distinct: groups.distinct,
        sharedPages: groups.shared,
      });
    }
  };
  const c = trace.cursor();
  const r = c.record, f = r.f;
  while (c.next()) {
    const k = r.kind;
    if (isMemKind(k)) {
      if ((f[Field.Flags] & MEM_IO) === 0) windowPages.add(Math.floor(f[Field.Paddr] / 4096));
    } else if (k === RecordKind.PageRun && runs < nRuns) {
      runInterval[runs] = f[Field.Op];
      runFirst[runs] = f[Field.Paddr] / 4096;
      runPages[runs] = f[Field.Count];
      runFlags[runs] = f[Field.Flags];
      runEnd[runs] = f[Field.Value];
      runs++;
      lastEnd = Math.max(lastEnd, f[Field.Value]);
    } else if (k === RecordKind.PageHash) {
      const vm = f[Field.Device];
      let pages = latest.get(vm);
      if (pages === undefined) latest.set(vm, pages = new Map());
      pages.set(Math.floor(f[Field.Paddr] / 4096), `${f[Field.HashHi]}:${f[Field.HashLo]}`);
      groups.set(vm, Math.floor(f[Field.Paddr] / 4096), f[Field.HashHi], f[Field.HashLo]);
    } else if (k === RecordKind.Marker && f[Field.Op] === 7) {
      point();
      snapshots++;
      sampleAt = lastEnd;
    }
  }
  point();
  // At most maxSpans points: the last sample of each group of consecutive samples.
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, maxSpans)));
  const contentOverTime = points.filter((_, i) => (i + 1) % every === 0 || i === points.length - 1);
  let intervals = 0;
  for (let i = 0; i < runs; i++) intervals = Math.max(intervals, runInterval[i] + 1);
  const per = Math.max(1, Math.ceil(intervals / Math.max(1, maxSpans)));
  const spans: WorkingSetSpan[] = [];
  const touched: Set<number>[] = [], dirtied: Set<number>[] = [];
  const all = new Set<number>();
  for (let i = 0; i < runs; i++) {
    const s = Math.floor(runInterval[i] / per);
    while (spans.length <= s) {
      const first = spans.length * per;
      spans.push({
        intervals: [first, Math.min(intervals, first + per) - 1],
        end: 0,
        touchedPages: 0,
        dirtiedPages: 0,
        window: false,
      });
      touched.push(new Set());
      dirtied.push(new Set());
    }
    spans[s].end = Math.max(spans[s].end, runEnd[i]);
    if ((runFlags[i] & PAGE_IN_WINDOW) !== 0) spans[s].window = true;
    for (let p = runFirst[i]; p < runFirst[i] + runPages[i]; p++) {
      touched[s].add(p);
      all.add(p);
      if ((runFlags[i] & PAGE_DIRTY) !== 0) dirtied[s].add(p);
    }
  }
  spans.forEach((span, i) => {
    span.touchedPages = touched[i].size;
    span.dirtiedPages = dirtied[i].size;
  });
  const counts = new Map<string, number>();
  const sharing: VmSharing[] = [];
  for (const vm of [...latest.keys()].sort((a, b) => a - b)) {
    const own = new Map<string, number>();
    for (const key of latest.get(vm)!.values()) {
      own.set(key, (own.get(key) ?? 0) + 1);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let shared = 0;
    for (const n of own.values()) if (n > 1) shared += n;
    sharing.push({ vm, pages: latest.get(vm)!.size, distinct: own.size, sharedPages: shared });
  }
  let pages = 0, sharedPages = 0;
  for (const n of counts.values()) {
    pages += n;
    if (n > 1) sharedPages += n;
  }
  return {
    intervals,
    summaryPages: all.size,
    spans,
    windowPages: windowPages.size,
    snapshots,
    sharing,
    sharingAll: { pages, distinct: counts.size, sharedPages },
    contentOverTime,
  };
}
