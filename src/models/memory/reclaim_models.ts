/**
 * The `balloon` and `swap` memory models: a VM whose memory is reclaimed by ballooning
 * (the guest chooses what to give up) or by host swapping (the VMM chooses blind), see
 * reclaim.ts. The amount reclaimed is either fixed (`memory.balloon-mb`,
 * `memory.swap-mb`) or, when `memory.host-mb` is given, re-planned at the end of every
 * sampling period by share-based allocation with the idle memory tax (idle_tax.ts)
 * between this VM — whose active fraction is the sampled estimate — and the peers listed
 * in `memory.peers`.
 *
 * Both need the guest's memory references: the engine calls {@link ReclaimMemory.access}
 * for each `Mem` record when the configured memory model has an `access` method.
 *
 * @module
 */

import type { MemoryModel, ModelContext } from "../../engine/model.ts";
import { registerModel } from "../../engine/model.ts";
import { declareOptions, readOptions } from "../../engine/options.ts";
import {
  MEM_IO,
  MEM_WRITE,
  PAGE_DIRTY,
  PAGE_IN_WINDOW,
  type TraceRecord,
} from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { contextHost, type MmuHost } from "../mmu/host.ts";
import { allocateWithTax, type TaxVm } from "./idle_tax.ts";
import {
  childRng,
  COMMON_OPTIONS,
  MAX_VM_MB,
  mbToPages,
  PAGES_PER_MB,
  type SamplingDriver,
  samplingDriver,
  vmPages,
} from "./options.ts";
import { MemoryPressure, type ReclaimCosts } from "./reclaim.ts";
import { PAGE_SIZE } from "../../trace/page.ts";

/** How this VM competes for host memory under the idle memory tax. */
export interface TaxPlan {
  /** Host pages available to all VMs. */
  hostPages: number;
  /** Tax rate τ in [0, 1). */
  tax: number;
  /** This VM's shares. */
  shares: number;
  /** This VM's reservation in pages. */
  minPages: number;
  /** The other VMs (their active fractions are fixed). */
  peers: TaxVm[];
  /** Allocation granularity in pages. */
  step: number;
}

/** Ballooning or host swapping of the replayed VM. */
export class ReclaimMemory implements MemoryModel {
  /** The paging state. */
  readonly pressure: MemoryPressure;
  readonly #kind: "balloon" | "swap";
  readonly #sampling: SamplingDriver | null;
  readonly #plan: TaxPlan | null;
  readonly #pages: number;
  readonly #host: MmuHost;
  readonly #evPlans: number;
  readonly #evBalloon: number;
  readonly #evAllocated: number;
  readonly #chargeSetup: boolean;
  readonly #summaries: boolean;
  readonly #evWarmed: number;

  /** Wraps `pressure`; with a `plan`, re-plans the reclaim target every sampling period. */
  constructor(
    host: MmuHost,
    kind: "balloon" | "swap",
    pressure: MemoryPressure,
    sampling: SamplingDriver | null,
    plan: TaxPlan | null,
    chargeSetup = false,
    summaries = true,
  ) {
    if (plan !== null && sampling === null) {
      throw new ConfigError(
        "--memory",
        "the idle memory tax needs the working-set sampler",
        "memory.sample",
      );
    }
    this.#host = host;
    this.#kind = kind;
    this.pressure = pressure;
    this.#sampling = sampling;
    this.#plan = plan;
    this.#pages = pressure.config.vmPages;
    this.#evPlans = host.counter("mem.tax-replans");
    this.#evBalloon = host.counter("mem.balloon-pages");
    this.#evAllocated = host.counter("mem.allocated-pages");
    this.#chargeSetup = chargeSetup;
    this.#summaries = summaries;
    this.#evWarmed = host.counter("mem.summary-pages");
  }

  /** Inflates the balloon / takes the blind swap pick, or the first tax-based target. */
  start(): void {
    this.pressure.start(this.#chargeSetup);
    if (this.#plan) {
      // The first allocation is part of the set-up, too.
      this.pressure.charging = this.#chargeSetup;
      this.#replan();
      this.pressure.charging = true;
    }
  }

  /** This VM's allocation under the tax plan, given its current active estimate. */
  allocation(): number {
    const plan = this.#plan!;
    const self: TaxVm = {
      shares: plan.shares,
      minPages: plan.minPages,
      maxPages: this.#pages,
      active: this.#sampling!.sampler.estimate,
    };
    return allocateWithTax([self, ...plan.peers], plan.hostPages, plan.tax, plan.step)[0];
  }

  #replan(): void {
    const reclaim = this.#pages - this.allocation();
    this.#host.events[this.#evPlans]++;
    if (this.#kind === "balloon") this.pressure.setBalloon(reclaim);
    else this.pressure.setSwapTarget(reclaim);
  }

  /**
   * The host memory manager's reclaim of this VM (host simulation, src/host): keeps
   * `balloonPages` in the guest's balloon (the balloon model only: a guest without the
   * driver cannot be ballooned, so the manager pages it instead) and `swapPages` on host
   * swap. The guest then pays as for any balloon or swap target: inflating evicts its
   * least recently used pages, and a touch of a page the host swapped faults it back in.
   */
  hostReclaim(balloonPages: number, swapPages: number): void {
    if (this.#kind === "balloon") this.pressure.setBalloon(balloonPages);
    this.pressure.setSwapTarget(swapPages);
  }

  /** A guest memory reference (MMIO is not memory). */
  access(_vaddr: number, paddr: number, _size: number, flags: number): void {
    if ((flags & MEM_IO) !== 0) return;
    const page = Math.floor(paddr / PAGE_SIZE);
    if (this.#sampling !== null && page < this.#pages && this.#sampling.touch(page) && this.#plan) {
      this.#replan();
    }
    this.pressure.access(page, (flags & MEM_WRITE) !== 0);
  }

  /**
   * A run of pages the trace's page-access summary says one interval outside the window
   * touched: replayed, page by page in address order, as uncharged history (the guest's
   * LRU, paged-out set, VMM swap and the working-set sample move, nothing is charged),
   * so the window starts from the state the run before it left and the allocation after
   * it reflects the run after it. Intervals overlapping the window are skipped: its
   * `Mem` records carry those accesses. Off with `memory.summaries=false`.
   */
  pageRun(rec: TraceRecord): void {
    if (!this.#summaries || (rec.flags & PAGE_IN_WINDOW) !== 0) return;
    const first = rec.paddr / 4096, end = first + rec.count;
    const dirty = (rec.flags & PAGE_DIRTY) !== 0;
    const sampling = this.#sampling;
    // The interval's pages count in the sampling period holding its last instruction.
    sampling?.syncClock(Math.max(0, rec.value - 1));
    this.#host.events[this.#evWarmed] += rec.count;
    const charging = this.pressure.charging;
    this.pressure.charging = false;
    for (let page = first; page < end; page++) {
      if (sampling !== null && page < this.#pages && sampling.warmTouch(page) && this.#plan) {
        this.#replan();
      }
      this.pressure.warm(page, dirty);
    }
    this.pressure.charging = charging;
  }

  /** Ignored. */
  marker(_rec: TraceRecord): void {}
  /** Ignored (page contents matter only to sharing). */
  pageHash(_rec: TraceRecord): void {}

  /**
   * Reports the end state: pages swapped (`mem.pages-swapped`), the balloon's final size
   * (`mem.balloon-pages`) and, under the tax, the final allocation (`mem.allocated-pages`).
   */
  finish(): void {
    this.pressure.finish();
    this.#sampling?.finish();
    const host = this.#host;
    if (this.#kind === "balloon") host.events[this.#evBalloon] = this.pressure.balloon;
    if (this.#plan) host.events[this.#evAllocated] = this.allocation();
  }
}

/** Platform keys of reclamation. */
export const RECLAIM_COST_KEYS: readonly string[] = [
  "mem.balloon.page",
  "mem.guest.swap-in",
  "mem.guest.swap-out",
  "mem.swap.fault",
  "mem.swap.in",
  "mem.swap.out",
  "mem.sample.fault",
];

/** The options of `balloon` and `swap` (besides {@link COMMON_OPTIONS}). */
export const RECLAIM_OPTIONS = declareOptions({
  "memory.balloon-mb": {
    type: "number",
    min: 0,
    max: MAX_VM_MB,
    unit: "MB",
    defaultDoc: "half the VM",
    doc: "balloon size (balloon)",
  },
  "memory.balloon-batch": {
    type: "integer",
    default: 1,
    min: 1,
    max: MAX_VM_MB * PAGES_PER_MB,
    unit: "pages",
    doc: "balloon pages per hypercall",
  },
  "memory.charge-setup": {
    type: "boolean",
    default: false,
    doc: "charge the initial inflation / blind swap-out, which precede the window",
  },
  "memory.swap-mb": {
    type: "number",
    min: 0,
    max: MAX_VM_MB,
    unit: "MB",
    defaultDoc: "half the VM",
    doc: "memory the VMM keeps swapped out (swap)",
  },
  "memory.guest-mb": {
    type: "number",
    min: 0,
    max: MAX_VM_MB,
    unit: "MB",
    defaultDoc: "the VM less page-frame structures and balloon",
    doc: "memory the guest can use before paging itself",
  },
  "memory.guest-page-struct": {
    type: "integer",
    default: 64,
    min: 0,
    max: 4095,
    unit: "bytes",
    doc: "guest page-frame structure per page of configured memory, never usable by the " +
      "guest (64: Linux's struct page on x86-64)",
  },
  "memory.host-mb": {
    type: "number",
    min: 0,
    max: 1 << 24,
    unit: "MB",
    defaultDoc: "none (no idle memory tax)",
    doc: "host memory shared with memory.peers; enables idle-memory-tax targets",
  },
  "memory.tax": {
    type: "number",
    default: 0.75,
    min: 0,
    max: 0.999999,
    doc: "idle memory tax rate (Waldspurger 2002)",
  },
  "memory.shares": { type: "number", default: 1000, min: 1e-9, max: 1e12, doc: "this VM's shares" },
  "memory.min-mb": {
    type: "number",
    default: 0,
    min: 0,
    max: 1 << 24,
    unit: "MB",
    doc: "this VM's reservation",
  },
  "memory.peers": {
    type: "list",
    default: [],
    items: "shares/mb/active-fraction",
    doc: "the other VMs sharing memory.host-mb",
  },
  "memory.tax-step": {
    type: "number",
    default: 256,
    min: 1,
    max: MAX_VM_MB * PAGES_PER_MB,
    unit: "pages",
    doc: "allocation granularity",
  },
  "memory.summaries": {
    type: "boolean",
    default: true,
    doc: "replay the trace's page-access summary (PageRun records) outside the window as " +
      "uncharged history",
  },
});

/** Platform keys `balloon` and `swap` read. */
const RECLAIM_INFO_COSTS = [...RECLAIM_COST_KEYS];

/** Parses `memory.peers` ("shares/mb/active,..."). */
export function parsePeers(items: readonly string[]): TaxVm[] {
  return items.map((item, i) => {
    const parts = item.trim().split("/").map(Number);
    if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) {
      throw new ConfigError(
        "--option",
        `peer ${i + 1} must be shares/mb/active, got "${item.trim()}"`,
        "memory.peers",
      );
    }
    const [shares, mb, active] = parts;
    if (!(shares > 0) || !(mb > 0) || !(active >= 0 && active <= 1)) {
      throw new ConfigError(
        "--option",
        `peer ${i + 1} needs shares > 0, MB > 0 and an active fraction in [0, 1]`,
        "memory.peers",
      );
    }
    return { shares, minPages: 0, maxPages: Math.round(mb * PAGES_PER_MB), active };
  });
}

/** Reads the reclaim costs from the platform. */
export function reclaimCosts(host: MmuHost): ReclaimCosts {
  return {
    balloonPage: host.cost("mem.balloon.page"),
    guestSwapIn: host.cost("mem.guest.swap-in"),
    guestSwapOut: host.cost("mem.guest.swap-out"),
    vmmFault: host.cost("mem.swap.fault"),
    vmmSwapIn: host.cost("mem.swap.in"),
    vmmSwapOut: host.cost("mem.swap.out"),
  };
}

/** Builds a balloon or swap model for a context. */
export function createReclaimMemory(ctx: ModelContext, kind: "balloon" | "swap"): ReclaimMemory {
  const host = contextHost(ctx);
  const n = vmPages(ctx);
  const o = readOptions(ctx.options, RECLAIM_OPTIONS);
  const hostMb = o["memory.host-mb"];
  const taxed = hostMb !== undefined;
  const half = Math.floor(n / 2);
  const balloon = kind === "balloon" && !taxed ? mbToPages(o["memory.balloon-mb"], half) : 0;
  const swap = kind === "swap" && !taxed ? mbToPages(o["memory.swap-mb"], half) : 0;
  const structBytes = o["memory.guest-page-struct"];
  const reservedPages = Math.ceil(n * structBytes / PAGE_SIZE);
  const guestMb = o["memory.guest-mb"];
  const guestPages = guestMb !== undefined ? mbToPages(guestMb, n) : undefined;
  const pressure = new MemoryPressure(
    host,
    {
      vmPages: n,
      balloonPages: balloon,
      balloonBatch: o["memory.balloon-batch"],
      swapPages: swap,
      reservedPages,
      guestPages,
    },
    reclaimCosts(host),
    childRng(ctx, 2),
  );
  const sampling = samplingDriver(ctx, host, n);
  const plan: TaxPlan | null = taxed
    ? {
      hostPages: mbToPages(hostMb, 0),
      tax: o["memory.tax"],
      shares: o["memory.shares"],
      minPages: mbToPages(o["memory.min-mb"], 0),
      peers: parsePeers(o["memory.peers"]),
      step: o["memory.tax-step"],
    }
    : null;
  return new ReclaimMemory(
    host,
    kind,
    pressure,
    sampling,
    plan,
    o["memory.charge-setup"],
    o["memory.summaries"],
  );
}

registerModel("memory", "balloon", (ctx) => createReclaimMemory(ctx, "balloon"), {
  summary: "Ballooning: the guest gives up pages by its own LRU policy, paging when squeezed.",
  options: { ...COMMON_OPTIONS, ...RECLAIM_OPTIONS },
  costs: RECLAIM_INFO_COSTS,
});
registerModel("memory", "swap", (ctx) => createReclaimMemory(ctx, "swap"), {
  summary:
    "Host swapping: the VMM swaps out random pages blind; faults read them back; double paging.",
  options: { ...COMMON_OPTIONS, ...RECLAIM_OPTIONS },
  costs: RECLAIM_INFO_COSTS,
});
