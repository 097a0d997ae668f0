/**
 * Page-sharing statistics of a snapshot trace: for each guest, how many of its pages
 * duplicate another page of the same guest, and over all guests how many pages a
 * content-based sharer could reclaim (every page minus one copy per distinct content).
 *
 * @module
 */

import { RecordKind } from "../trace/record.ts";
import type { TraceReader } from "../trace/reader.ts";

/** Sharing figures of one snapshot set. */
export interface SnapshotStats {
  /** Pages hashed per guest. */
  pagesPerVm: number[];
  /** Distinct page contents per guest. */
  distinctPerVm: number[];
  /** Pages whose content is all zeros, per guest (hash of a zero page, as the trace shows). */
  zeroPerVm: number[];
  /** Pages over all guests. */
  pages: number;
  /** Distinct contents over all guests. */
  distinct: number;
  /** Share of all pages a perfect content-based sharer reclaims: 1 - distinct/pages. */
  reclaimable: number;
}

/** Computes the statistics of the PageHash records of a trace. */
export function snapshotStats(trace: TraceReader, zeroHash?: [number, number]): SnapshotStats {
  const c = trace.cursor();
  const perVm = new Map<number, Set<string>>();
  const pagesPerVm = new Map<number, number>();
  const zero = new Map<number, number>();
  const all = new Set<string>();
  let pages = 0;
  while (c.next()) {
    const r = c.record;
    if (r.kind !== RecordKind.PageHash) continue;
    const key = `${r.hashHi}:${r.hashLo}`;
    const vm = r.device;
    if (!perVm.has(vm)) perVm.set(vm, new Set());
    perVm.get(vm)!.add(key);
    pagesPerVm.set(vm, (pagesPerVm.get(vm) ?? 0) + 1);
    if (zeroHash && r.hashHi === zeroHash[0] && r.hashLo === zeroHash[1]) {
      zero.set(vm, (zero.get(vm) ?? 0) + 1);
    }
    all.add(key);
    pages++;
  }
  const vms = [...perVm.keys()].sort((a, b) => a - b);
  return {
    pagesPerVm: vms.map((v) => pagesPerVm.get(v) ?? 0),
    distinctPerVm: vms.map((v) => perVm.get(v)!.size),
    zeroPerVm: vms.map((v) => zero.get(v) ?? 0),
    pages,
    distinct: all.size,
    reclaimable: pages > 0 ? 1 - all.size / pages : 0,
  };
}
