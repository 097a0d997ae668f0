/**
 * The `share` memory model: content-based page sharing (sharing.ts) driven by the trace's
 * `PageHash` snapshots, with copy-on-write breaks when the replayed VM (`memory.vm`,
 * default 0) stores to a shared page: the store faults into the VMM, which copies the
 * frame (`mem.share.cow-break`). Hashing a page costs the VMM `mem.share.scan`.
 *
 * In a trace with a page-access summary, PageHash records outside the instruction window
 * (before its Begin marker or after its End marker: the summary's content samples) are
 * history: they update the sharing state, uncharged and not counted in `mem.pages-hashed`,
 * as PageRun history is replayed uncharged; the VMM's scanning during the window is what
 * the window's replay pays for.
 *
 * Results: `mem.pages-hashed`, `mem.pages-shared`, `mem.pages-saved` (pages − frames),
 * `mem.pages-zero` (with `memory.zero-hash`), `mem.cow-breaks`.
 *
 * @module
 */

import type { MemoryModel, ModelContext } from "../../engine/model.ts";
import { registerModel, Transition } from "../../engine/model.ts";
import { declareOptions, parseOption, readOptions } from "../../engine/options.ts";
import { MarkerOp, MEM_IO, MEM_WRITE, type TraceRecord } from "../../trace/record.ts";
import { contextHost, type MmuHost } from "../mmu/host.ts";
import { COMMON_OPTIONS, type SamplingDriver, samplingDriver, vmPages } from "./options.ts";
import { PageSharing, type SharingStats } from "./sharing.ts";
import { PAGE_SIZE } from "../../trace/page.ts";

/** Page sharing across the VMs whose snapshots the trace holds. */
export class ShareMemory implements MemoryModel {
  /** The sharing state. */
  readonly sharing: PageSharing;
  readonly #host: MmuHost;
  readonly #vm: number;
  readonly #scan: number;
  readonly #cowCost: number;
  readonly #sampling: SamplingDriver | null;
  readonly #pages: number;
  readonly #cat: { scan: number; cow: number };
  readonly #evHashed: number;
  readonly #evEnd: {
    shared: number;
    saved: number;
    zero: number;
    cow: number;
    frames: number;
  };
  #lastWritePage = -1;
  /** Whether PageHash records outside the window are history (a summarised trace). */
  readonly #summarised: boolean;
  /** Between the window's Begin and End markers. */
  #inWindow = false;

  /**
   * Creates the model for VM index `vm` of the snapshots; `summarised` when the trace has
   * a page-access summary, whose content samples outside the window are history.
   */
  constructor(
    host: MmuHost,
    sharing: PageSharing,
    vm: number,
    costs: { scan: number; cowBreak: number },
    sampling: SamplingDriver | null,
    pages: number,
    summarised = false,
  ) {
    this.#summarised = summarised;
    this.#host = host;
    this.sharing = sharing;
    this.#vm = vm;
    this.#scan = costs.scan;
    this.#cowCost = costs.cowBreak;
    this.#sampling = sampling;
    this.#pages = pages;
    this.#cat = { scan: host.category("mem.share.scan"), cow: host.category("mem.share.cow") };
    this.#evHashed = host.counter("mem.pages-hashed");
    this.#evEnd = {
      shared: host.counter("mem.pages-shared"),
      saved: host.counter("mem.pages-saved"),
      zero: host.counter("mem.pages-zero"),
      cow: host.counter("mem.cow-breaks"),
      frames: host.counter("mem.frames"),
    };
  }

  /** A guest memory reference: a store to a shared page breaks copy-on-write. */
  access(_vaddr: number, paddr: number, _size: number, flags: number): void {
    if ((flags & MEM_IO) !== 0) return;
    const page = Math.floor(paddr / PAGE_SIZE);
    if (this.#sampling !== null && page < this.#pages) this.#sampling.touch(page);
    if ((flags & MEM_WRITE) === 0 || page === this.#lastWritePage) return;
    this.#lastWritePage = page;
    if (this.sharing.write(this.#vm, page)) {
      const host = this.#host;
      host.transition(Transition.HiddenFault, host.guest.pc);
      host.cycles[this.#cat.cow] += this.#cowCost;
    }
  }

  /** Follows the window's Begin and End (snapshots are processed hash by hash). */
  marker(rec: TraceRecord): void {
    if (rec.op === MarkerOp.Begin) this.#inWindow = true;
    else if (rec.op === MarkerOp.End) this.#inWindow = false;
  }

  /** Hashes one page into the sharing table (charged unless it is summary history). */
  pageHash(rec: TraceRecord): void {
    const page = Math.floor(rec.paddr / PAGE_SIZE);
    if (rec.device === this.#vm && page === this.#lastWritePage) this.#lastWritePage = -1;
    this.sharing.hash(rec.device, page, rec.hashHi, rec.hashLo);
    if (this.#summarised && !this.#inWindow) return;
    this.#host.events[this.#evHashed]++;
    this.#host.cycles[this.#cat.scan] += this.#scan;
  }

  /** Current sharing totals. */
  stats(): SharingStats {
    return this.sharing.stats();
  }

  /** Writes the end-state totals as events. */
  finish(): void {
    const s = this.sharing.stats();
    const host = this.#host;
    const ev = this.#evEnd;
    host.events[ev.shared] = s.sharedPages;
    host.events[ev.saved] = s.savedPages;
    host.events[ev.zero] = s.zeroPages;
    host.events[ev.cow] = s.cowBreaks;
    host.events[ev.frames] = s.frames;
    this.#sampling?.finish();
  }
}

/** The form of `memory.zero-hash`: "hi:lo" in hex. */
const ZERO_HASH = /^(?:0x)?([0-9a-f]{1,8}):(?:0x)?([0-9a-f]{1,8})$/i;

/** The options of `share` (besides {@link COMMON_OPTIONS}). */
export const SHARE_OPTIONS = declareOptions({
  "memory.vm": {
    type: "integer",
    default: 0,
    min: 0,
    max: 4095,
    doc: "VM index (PageHash vm) of the replayed guest's stores",
  },
  "memory.zero-hash": {
    type: "text",
    pattern: ZERO_HASH,
    form: "hi:lo in hex",
    defaultDoc: "none (zero pages not counted)",
    doc: "hash of the all-zero page, to count zero pages",
  },
});

/** Parses `memory.zero-hash` ("hi:lo" in hex; checked against its declaration). */
export function parseZeroHash(v: unknown): [number, number] | null {
  if (v === undefined) return null;
  const text = parseOption("memory.zero-hash", SHARE_OPTIONS["memory.zero-hash"], v) as string;
  const m = ZERO_HASH.exec(text)!;
  return [parseInt(m[1], 16), parseInt(m[2], 16)];
}

/** Builds the sharing model for a context. */
export function createShareMemory(ctx: ModelContext): ShareMemory {
  const host = contextHost(ctx);
  const n = vmPages(ctx);
  const o = readOptions(ctx.options, SHARE_OPTIONS);
  return new ShareMemory(
    host,
    new PageSharing(parseZeroHash(o["memory.zero-hash"])),
    o["memory.vm"],
    { scan: host.cost("mem.share.scan"), cowBreak: host.cost("mem.share.cow-break") },
    samplingDriver(ctx, host, n),
    n,
    typeof ctx.header.extra?.pageSummaryInterval === "number",
  );
}

registerModel("memory", "share", createShareMemory, {
  summary: "Content-based page sharing from PageHash snapshots, copy-on-write breaks on stores " +
    "to shared pages.",
  options: { ...COMMON_OPTIONS, ...SHARE_OPTIONS },
  costs: ["mem.share.scan", "mem.share.cow-break", "mem.sample.fault"],
});
