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

import type { MemoryModel, ModelContext, ModelDescription } from "../../engine/model.ts";
import { optionNumber, registerModel } from "../../engine/model.ts";
import { MEM_IO, MEM_WRITE, type TraceRecord } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { contextHost, type MmuHost } from "../mmu/host.ts";
import { optionBool } from "../mmu/options.ts";
import { allocateWithTax, type TaxVm } from "./idle_tax.ts";
import {
  childRng,
  COMMON_OPTIONS,
  PAGES_PER_MB,
  pagesOption,
  type SamplingDriver,
  samplingDriver,
  vmPages,
} from "./options.ts";
import { MemoryPressure, type ReclaimCosts } from "./reclaim.ts";

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

  /** Wraps `pressure`; with a `plan`, re-plans the reclaim target every sampling period. */
  constructor(
    host: MmuHost,
    kind: "balloon" | "swap",
    pressure: MemoryPressure,
    sampling: SamplingDriver | null,
    plan: TaxPlan | null,
    chargeSetup = false,
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
    const page = Math.floor(paddr / 4096);
    if (this.#sampling !== null && page < this.#pages && this.#sampling.touch(page) && this.#plan) {
      this.#replan();
    }
    this.pressure.access(page, (flags & MEM_WRITE) !== 0);
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

  /** Documentation. */
  describe(): ModelDescription {
    return describeReclaim(this.#kind);
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

function describeReclaim(kind: "balloon" | "swap"): ModelDescription {
  return {
    summary: kind === "balloon"
      ? "Ballooning: the guest gives up pages by its own LRU policy, paging when squeezed."
      : "Host swapping: the VMM swaps out random pages blind; faults read them back; double paging.",
    options: {
      ...COMMON_OPTIONS,
      "memory.balloon-mb": "balloon size, MB (balloon; default half the VM)",
      "memory.balloon-batch": "balloon pages per hypercall (default 1)",
      "memory.charge-setup":
        "charge the initial inflation / blind swap-out, which precede the window (default false)",
      "memory.swap-mb": "pages the VMM keeps swapped, MB (swap; default half the VM)",
      "memory.guest-mb":
        "memory the guest can use before paging itself, MB (default: VM − page-frame structures − balloon)",
      "memory.guest-page-struct":
        "bytes of guest page-frame structure per page of configured memory, never usable by the guest (default 64: Linux's struct page on x86-64)",
      "memory.host-mb": "host memory shared with memory.peers; enables idle-memory-tax targets",
      "memory.tax": "idle memory tax rate in [0, 1) (default 0.75, Waldspurger 2002)",
      "memory.shares": "this VM's shares (default 1000)",
      "memory.min-mb": "this VM's reservation, MB (default 0)",
      "memory.peers": "other VMs as shares/mb/active-fraction, comma-separated",
      "memory.tax-step": "allocation granularity, pages (default 256)",
    },
    costs: [...RECLAIM_COST_KEYS],
  };
}

/** Parses `memory.peers` ("shares/mb/active,..."). */
export function parsePeers(text: string): TaxVm[] {
  if (text.trim() === "") return [];
  return text.split(",").map((item, i) => {
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
  const taxed = ctx.options["memory.host-mb"] !== undefined;
  const half = Math.floor(n / 2);
  const balloon = kind === "balloon" && !taxed ? pagesOption(ctx, "memory.balloon-mb", half) : 0;
  const swap = kind === "swap" && !taxed ? pagesOption(ctx, "memory.swap-mb", half) : 0;
  const structBytes = optionNumber(ctx, "memory.guest-page-struct", 64, 0, 4095);
  const reservedPages = Math.ceil(n * structBytes / 4096);
  const guestPages = ctx.options["memory.guest-mb"] !== undefined
    ? pagesOption(ctx, "memory.guest-mb", n)
    : undefined;
  const pressure = new MemoryPressure(
    host,
    {
      vmPages: n,
      balloonPages: balloon,
      balloonBatch: optionNumber(ctx, "memory.balloon-batch", 1, 1),
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
      hostPages: pagesOption(ctx, "memory.host-mb", 0),
      tax: optionNumber(ctx, "memory.tax", 0.75, 0, 0.999999),
      shares: optionNumber(ctx, "memory.shares", 1000, 1e-9),
      minPages: pagesOption(ctx, "memory.min-mb", 0),
      peers: parsePeers(String(ctx.options["memory.peers"] ?? "")),
      step: optionNumber(ctx, "memory.tax-step", 256, 1),
    }
    : null;
  return new ReclaimMemory(
    host,
    kind,
    pressure,
    sampling,
    plan,
    optionBool(ctx, "memory.charge-setup", false),
  );
}

registerModel("memory", "balloon", (ctx) => createReclaimMemory(ctx, "balloon"));
registerModel("memory", "swap", (ctx) => createReclaimMemory(ctx, "swap"));
