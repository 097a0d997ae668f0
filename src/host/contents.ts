/**
 * Content-based page sharing across the VMs of a host (Waldspurger 2002, section 4), from
 * recorded page contents: each VM's pages are given the contents of a `PageHash` snapshot
 * (the latest hash of every page of one VM index in a trace, docs/trace-format.md), every
 * page the snapshot lists is backed from time 0, and pages with the same content, in one
 * VM or in several, are backed by one host page. The saving is split into what sharing
 * within each VM alone would reclaim (pages less each VM's distinct contents) and what
 * sharing across VMs adds (the sum of each VM's distinct contents less the host's).
 *
 * The sharing is that of time 0: copy-on-write breaks by the replayed guests' stores and
 * pages that reclaim takes from a VM are not followed (a stated limit; the contents are a
 * snapshot, not a stream).
 *
 * @module
 */

import type { TraceReader } from "../trace/reader.ts";
import { Field, RecordKind } from "../trace/record.ts";
import { contentKey } from "../models/memory/sharing.ts";
import { PAGE_SIZE } from "../trace/page.ts";
import { TraceFormatError } from "../trace/errors.ts";

/** One VM's page contents: content key per page (NaN: not listed). */
export interface VmContents {
  /** Content key (53 bits of the 64-bit hash) per guest page; NaN where none is known. */
  keys: Float64Array;
  /** Pages with a known content. */
  pages: number;
}

/**
 * The contents of VM index `vm` in `trace` for a VM of `vmPages` pages: the latest hash
 * of every page below `vmPages` (later snapshots list only the pages that changed).
 */
export function loadContents(trace: TraceReader, vm: number, vmPages: number): VmContents {
  if ((trace.summary.kinds["page-hash"] ?? 0) === 0) {
    throw new TraceFormatError(trace.name, "has no PageHash records to take page contents from");
  }
  const keys = new Float64Array(vmPages).fill(NaN);
  const c = trace.cursor();
  const r = c.record, f = r.f;
  while (c.next()) {
    if (r.kind !== RecordKind.PageHash || f[Field.Device] !== vm) continue;
    const page = Math.floor(f[Field.Paddr] / PAGE_SIZE);
    if (page < vmPages) keys[page] = contentKey(f[Field.HashHi], f[Field.HashLo]);
  }
  let pages = 0;
  for (let p = 0; p < vmPages; p++) if (!Number.isNaN(keys[p])) pages++;
  if (pages === 0) {
    throw new TraceFormatError(trace.name, `has no PageHash records of VM index ${vm}`);
  }
  return { keys, pages };
}

/** What sharing saves on a host, in pages. */
export interface SharingFigures {
  /** Per VM: pages with known contents. */
  pages: number[];
  /** Per VM: distinct contents among its own pages. */
  distinct: number[];
  /** Per VM: pages whose content another page (of any VM) also holds. */
  shared: number[];
  /** Host pages that back all of them (distinct contents over all VMs). */
  frames: number;
  /** Pages saved by sharing within each VM alone. */
  savedWithin: number;
  /** Pages saved beyond that by sharing across VMs. */
  savedAcross: number;
}

/** Sharing among the VMs' contents (null entries: VMs without contents). */
export function shareContents(vms: readonly (VmContents | null)[]): SharingFigures {
  const all = new Map<number, number>();
  const distinct: number[] = [];
  for (const v of vms) {
    if (v === null) {
      distinct.push(0);
      continue;
    }
    const own = new Set<number>();
    for (const k of v.keys) {
      if (Number.isNaN(k)) continue;
      own.add(k);
      all.set(k, (all.get(k) ?? 0) + 1);
    }
    distinct.push(own.size);
  }
  const shared = vms.map((v) => {
    if (v === null) return 0;
    let n = 0;
    for (const k of v.keys) if (!Number.isNaN(k) && all.get(k)! > 1) n++;
    return n;
  });
  const pages = vms.map((v) => v?.pages ?? 0);
  const total = pages.reduce((a, b) => a + b, 0);
  const within = distinct.reduce((a, b) => a + b, 0);
  return {
    pages,
    distinct,
    shared,
    frames: all.size,
    savedWithin: total - within,
    savedAcross: within - all.size,
  };
}
