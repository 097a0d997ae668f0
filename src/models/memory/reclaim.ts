/**
 * Reclaiming memory from a VM, the two ways Waldspurger (OSDI 2002, sections 3.2 and 3.3)
 * contrasts:
 *
 * - **Ballooning**: a driver in the guest allocates `balloonPages` pages and hands them to
 *   the VMM, so the *guest* decides what to give up, by its own policy: free memory first,
 *   then the least recently used of its pages (paging dirty ones out to its own swap).
 *   Modelled as the guest's LRU over the pages it touches, with room for
 *   `vmPages − balloonPages`; a page the guest paged out and touches again is paged in.
 * - **Host swapping**: the VMM takes `swapPages` pages *blind* — uniformly at random among
 *   the VM's pages (seeded), since it cannot know which the guest values — and writes them
 *   to its swap file. A guest access to a swapped page faults into the VMM, which reads it
 *   back and swaps out another random page to stay at its target. **Double paging**: when
 *   the guest itself pages out a dirty page (it is under its own pressure, `guestPages`)
 *   that the VMM has swapped, the VMM must first read it back in so the guest can write it.
 *
 * The guest can never use all of its configured memory: it sizes some of its own
 * structures by the memory it booted with — Linux keeps a `struct page` for every page
 * frame, ballooned or not — so `reservedPages` (computed from the configured size) are
 * unavailable to its LRU. This is the mechanism Waldspurger gives for Figure 2's overhead
 * (section 3.2): a 256 MB VM ballooned to 128 MB has less usable memory than a VM
 * configured with 128 MB, which matters once the working set no longer fits.
 *
 * The guest's LRU is always kept, balloon or not, so a VM whose working set exceeds its
 * usable memory pages by itself (as a VM configured small does).
 *
 * Page identity is the guest-physical page of each access. A trace recorded on a larger
 * guest may name pages at or beyond `vmPages`: they are counted (`mem.refs-out-of-range`)
 * and take part in the guest's own paging like any page, but the VMM never swaps them.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";
import type { Pcg32 } from "../../util/pcg32.ts";
import type { MmuHost } from "../mmu/host.ts";
import { Transition } from "../../engine/model.ts";
import { PageLru } from "./page_lru.ts";

/** Cycle costs of reclamation, read from the platform by the model. */
export interface ReclaimCosts {
  /** The balloon driver allocating and pinning one page, and the VMM freeing its frame. */
  balloonPage: number;
  /** The guest reading one page back from its own swap device. */
  guestSwapIn: number;
  /** The guest writing one dirty page to its own swap device. */
  guestSwapOut: number;
  /** The VMM handling a fault on a page it swapped (besides the read). */
  vmmFault: number;
  /** The VMM reading one page back from its swap file. */
  vmmSwapIn: number;
  /** The VMM writing one page to its swap file. */
  vmmSwapOut: number;
}

/** Sizes, in 4 KB pages. */
export interface ReclaimConfig {
  /** Pages the VM is configured with. */
  vmPages: number;
  /** Pages the balloon takes from the guest (0 = no balloon). */
  balloonPages: number;
  /** Balloon pages handed over per hypercall. */
  balloonBatch: number;
  /** Pages the VMM swaps out blind (0 = no host swapping). */
  swapPages: number;
  /**
   * Pages the guest OS keeps for structures sized by its configured memory (its page-frame
   * array), never available to its LRU (default 0).
   */
  reservedPages?: number;
  /** Pages the guest itself can hold before paging (default vmPages − reservedPages − balloonPages). */
  guestPages?: number;
}

/** Guest- and VMM-level paging of one VM under memory pressure. */
export class MemoryPressure {
  /** The configuration. */
  readonly config: ReclaimConfig;
  readonly #host: MmuHost;
  readonly #costs: ReclaimCosts;
  readonly #rng: Pcg32;
  /** The guest's resident pages. */
  readonly #guest: PageLru;
  readonly #reserved: number;
  /** Pages the guest paged out to its own swap (or dropped, if clean). */
  readonly #guestOut = new Set<number>();
  /** 1 = the VMM swapped this page out. */
  readonly #vmmOut: Uint8Array;
  #swapped = 0;
  /**
   * Whether reclamation work is charged now; false while setting up the state that held
   * before the measured window (see {@link start}).
   */
  charging = true;
  /** True while replaying page-access history (see {@link warm}): state only, no costs or counts. */
  #quiet = false;
  #balloon = 0;
  #swapTarget = 0;
  /**
   * Host pages backing the VM, when a host tracks them (src/host): 1 for a guest page the
   * VM has touched. A page never touched has no host page, so there is nothing to swap;
   * the blind policy then picks among backed pages only. Null: every page is backed.
   */
  backed: Uint8Array | null = null;
  /** How many entries of {@link backed} are 1 (kept by its owner). */
  backedCount: () => number = () => 0;
  #lastPage = -1;
  #lastWrite = false;
  readonly #cat: { balloon: number; guestPaging: number; vmmSwap: number };
  readonly #ev: {
    ballooned: number;
    guestIn: number;
    guestOut: number;
    swapped: number;
    swapIn: number;
    swapOut: number;
    doublePaging: number;
    outOfRange: number;
  };

  /** Creates the state; nothing is charged until {@link start}. */
  constructor(host: MmuHost, config: ReclaimConfig, costs: ReclaimCosts, rng: Pcg32) {
    const where = "--memory";
    const n = config.vmPages;
    if (!Number.isInteger(n) || n < 1) {
      throw new ConfigError(where, `VM size must be at least one page`, "memory.vm-mb");
    }
    if (
      !Number.isInteger(config.balloonPages) || config.balloonPages < 0 || config.balloonPages >= n
    ) {
      throw new ConfigError(where, `balloon must be smaller than the VM`, "memory.balloon-mb");
    }
    if (!Number.isInteger(config.swapPages) || config.swapPages < 0 || config.swapPages >= n) {
      throw new ConfigError(where, `host swap must be smaller than the VM`, "memory.swap-mb");
    }
    if (!Number.isInteger(config.balloonBatch) || config.balloonBatch < 1) {
      throw new ConfigError(where, `balloon batch must be positive`, "memory.balloon-batch");
    }
    const reserved = config.reservedPages ?? 0;
    if (!Number.isInteger(reserved) || reserved < 0 || reserved >= n) {
      throw new ConfigError(
        where,
        `the guest's page-frame structures must be smaller than the VM`,
        "memory.guest-page-struct",
      );
    }
    const guestPages = config.guestPages ?? Math.max(0, n - reserved - config.balloonPages);
    if (!Number.isInteger(guestPages) || guestPages < 0 || guestPages > n) {
      throw new ConfigError(where, `guest memory must be 0 to the VM size`, "memory.guest-mb");
    }
    this.config = config;
    this.#host = host;
    this.#costs = costs;
    this.#rng = rng;
    this.#reserved = reserved;
    this.#guest = new PageLru(n, where);
    this.#guest.setLimit(guestPages);
    this.#balloon = config.balloonPages;
    this.#vmmOut = new Uint8Array(n);
    this.#cat = {
      balloon: host.category("mem.balloon"),
      guestPaging: host.category("mem.guest-paging"),
      vmmSwap: host.category("mem.swap"),
    };
    this.#ev = {
      ballooned: host.counter("mem.pages-ballooned"),
      guestIn: host.counter("mem.guest-page-ins"),
      guestOut: host.counter("mem.guest-page-outs"),
      swapped: host.counter("mem.pages-swapped"),
      swapIn: host.counter("mem.swap-ins"),
      swapOut: host.counter("mem.swap-outs"),
      doublePaging: host.counter("mem.double-paging"),
      outOfRange: host.counter("mem.refs-out-of-range"),
    };
  }

  /**
   * Inflates the balloon (hypercalls of `balloonBatch` pages) and lets the VMM take its
   * blind pick of `swapPages` pages. Called once before the first access. That set-up
   * happened before the measured window, so it is charged only with `chargeSetup`
   * (`mem.pages-ballooned` counts the balloon either way).
   */
  start(chargeSetup = false): void {
    this.charging = chargeSetup;
    this.#chargeBalloon(this.config.balloonPages);
    this.setSwapTarget(this.config.swapPages);
    this.charging = true;
  }

  /** Charges the driver and hypercalls for `pages` pages moved into or out of the balloon. */
  #chargeBalloon(pages: number): void {
    if (pages <= 0) return;
    const host = this.#host;
    host.events[this.#ev.ballooned] += pages;
    if (!this.charging) return;
    host.cycles[this.#cat.balloon] += pages * this.#costs.balloonPage;
    const calls = Math.ceil(pages / this.config.balloonBatch);
    for (let i = 0; i < calls; i++) host.transition(Transition.Hypercall, host.guest.pc);
  }

  /** Pages in the balloon now. */
  get balloon(): number {
    return this.#balloon;
  }

  /**
   * Inflates or deflates the balloon to `pages` (a new allocation target). Inflating makes
   * the guest give up its least recently used pages, paging dirty ones out.
   */
  setBalloon(pages: number): void {
    const guest = this.#guest;
    const n = this.config.vmPages;
    const b = Math.max(0, Math.min(n - 1, Math.round(pages)));
    this.#chargeBalloon(Math.abs(b - this.#balloon));
    this.#balloon = b;
    guest.setLimit(Math.max(0, n - this.#reserved - b));
    while (guest.size > guest.limit && guest.evictLru()) this.#guestEvicted();
  }

  /** Sets how many pages the VMM keeps swapped; raising it swaps out random pages now. */
  setSwapTarget(pages: number): void {
    let most = this.config.vmPages - 1;
    if (this.backed !== null) most = Math.min(most, this.backedCount());
    this.#swapTarget = Math.max(0, Math.min(most, Math.round(pages)));
    while (this.#swapped < this.#swapTarget) this.#swapOutRandom(-1);
  }

  /** Swaps out one random page that is not swapped and is not `except`. */
  #swapOutRandom(except: number): void {
    const n = this.config.vmPages;
    let p: number;
    const backed = this.backed;
    if (backed !== null) {
      // Bounded: at least one backed page is neither swapped nor `except`, else stop.
      if (this.backedCount() - this.#swapped - (except >= 0 ? 1 : 0) <= 0) return;
      do p = this.#rng.nextBelow(n); while (
        backed[p] !== 1 || this.#vmmOut[p] === 1 || p === except
      );
    } else {
      do p = this.#rng.nextBelow(n); while (this.#vmmOut[p] === 1 || p === except);
    }
    this.vmmSwapOut(p);
  }

  /**
   * The VMM writes `page` to its swap file (the blind policy calls it with random pages;
   * exposed so other policies and tests can choose).
   */
  vmmSwapOut(page: number): void {
    if (this.#vmmOut[page] === 1) return;
    this.#vmmOut[page] = 1;
    this.#swapped++;
    if (!this.charging || this.#quiet) return;
    const host = this.#host;
    host.events[this.#ev.swapOut]++;
    host.cycles[this.#cat.vmmSwap] += this.#costs.vmmSwapOut;
  }

  /** The VMM reads `page` back from its swap file (and keeps its target). */
  #swapIn(page: number, fault: boolean): void {
    const host = this.#host;
    this.#vmmOut[page] = 0;
    this.#swapped--;
    if (this.#quiet) {
      if (this.#swapped < this.#swapTarget) this.#swapOutRandom(page);
      return;
    }
    host.events[this.#ev.swapIn]++;
    let c = this.#costs.vmmSwapIn;
    if (fault) {
      host.transition(Transition.HiddenFault, host.guest.pc);
      c += this.#costs.vmmFault;
    }
    host.cycles[this.#cat.vmmSwap] += c;
    if (this.#swapped < this.#swapTarget) this.#swapOutRandom(page);
  }

  /** The guest gave up the page its LRU just evicted. */
  #guestEvicted(): void {
    const guest = this.#guest;
    const host = this.#host;
    const victim = guest.evictedPage;
    if (guest.evictedDirty) {
      // The guest writes its victim to its swap; if the VMM had swapped that page, it must
      // read it back first: double paging.
      if (victim < this.config.vmPages && this.#vmmOut[victim] === 1) {
        if (!this.#quiet) host.events[this.#ev.doublePaging]++;
        this.#swapIn(victim, true);
      }
      if (!this.#quiet) {
        host.events[this.#ev.guestOut]++;
        host.cycles[this.#cat.guestPaging] += this.#costs.guestSwapOut;
      }
    }
    // Clean or dirty, the victim's contents must be read back when next touched.
    this.#guestOut.add(victim);
  }

  /** Whether the VMM currently has `page` swapped out. */
  isSwapped(page: number): boolean {
    return this.#vmmOut[page] === 1;
  }

  /** Whether the guest currently has `page` paged out. */
  isPagedOut(page: number): boolean {
    return this.#guestOut.has(page);
  }

  /** A guest access to guest-physical page `page` (a store when `write`). */
  access(page: number, write: boolean): void {
    if (page === this.#lastPage && (write === this.#lastWrite || !write)) return;
    this.#lastPage = page;
    this.#lastWrite = write;
    const host = this.#host;
    const inRange = page < this.config.vmPages;
    if (!inRange && !this.#quiet) host.events[this.#ev.outOfRange]++;
    const guest = this.#guest;
    if (!guest.touch(page, write)) {
      if (guest.insert(page, write)) this.#guestEvicted();
      if (this.#guestOut.delete(page) && !this.#quiet) {
        host.events[this.#ev.guestIn]++;
        host.cycles[this.#cat.guestPaging] += this.#costs.guestSwapIn;
      }
    }
    if (inRange && this.#vmmOut[page] === 1) this.#swapIn(page, true);
  }

  /**
   * An access from the run's page-access history outside the replayed window (a trace's
   * `PageRun` summary): it moves the same state as {@link access} — the guest's LRU, its
   * paged-out set, the VMM's swapped pages — but charges and counts nothing, because that
   * work happened outside the measured window. This is functional warming: the window
   * starts from the memory state the whole run before it left.
   */
  warm(page: number, write: boolean): void {
    this.#quiet = true;
    this.access(page, write);
    this.#quiet = false;
  }

  /** Pages the VMM holds swapped out at the end (reported as `mem.pages-swapped`). */
  finish(): void {
    this.#host.events[this.#ev.swapped] = this.#swapped;
  }

  /** Pages the VMM holds swapped out now. */
  get swapped(): number {
    return this.#swapped;
  }
}
