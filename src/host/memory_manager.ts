/**
 * The host's memory manager (Waldspurger, "Memory Resource Management in VMware ESX
 * Server", OSDI 2002, sections 5 and 6):
 *
 * - **Demand**: a VM holds a host page for every guest-physical page it has touched
 *   (memory is allocated on first touch), less what was ballooned or swapped away.
 * - **Targets**: every sampling period each VM's active fraction is estimated by
 *   sampling (section 5.3: `sampleSize` random pages per period, the max of a slow and a
 *   fast moving average), and host memory less the 6% the host keeps free (so that VMs at
 *   their targets leave the host in the high state) is divided by shares with the idle
 *   memory tax
 *   (section 5.2, `allocateWithTax`: min-funding revocation with idle pages charged
 *   `1/(1−τ)`), between each VM's min and max.
 * - **Reclaim by free memory state** (section 6.2): with free host memory at or above 6%
 *   (*high*) nothing is reclaimed and balloons deflate into the free memory above the
 *   threshold; below 6% (*soft*) VMs above their target are ballooned down to it (VMs
 *   whose VMM has no balloon, `memory` model other than `balloon`, are paged instead);
 *   below 4% (*hard*) and 2% (*low*) the host pages VMs down to their targets (the paper
 *   also blocks VMs above target in the low state; not modelled). Ballooning and paging
 *   take effect within the period.
 * - **Host swapping** pages out whatever demand exceeds host memory even when every VM is
 *   at its target (the sum of demand above the host's pages).
 *
 * Each VM's memory model pays for it (HostVm.setReclaim): a `balloon` or `swap` model
 * gets the ballooned and swapped pages as its targets when the VM next runs, so inflating
 * evicts guest pages and a touch of a host-swapped page faults it back in at the costs
 * src/models/memory/ charges. A VM with memory model `none` has no model of reclaim.
 *
 * @module
 */

import { allocateWithTax, type TaxVm } from "../models/memory/idle_tax.ts";

/** Free-memory thresholds of ESX, fractions of host memory (Waldspurger 2002, section 6.2). */
export const FREE_THRESHOLDS = { high: 0.06, soft: 0.04, hard: 0.02, low: 0.01 } as const;

/** Free memory states, in order of pressure. */
export const MemoryState = { High: 0, Soft: 1, Hard: 2, Low: 3 } as const;

/** One VM as the manager sees it. */
export interface ManagedVm {
  /** Memory shares. */
  shares: number;
  /** Reserved pages. */
  minPages: number;
  /** Most pages the host grants. */
  maxPages: number;
  /** Whether the guest runs a balloon driver. */
  balloon: boolean;
}

/** Per-VM state after a period. */
export interface VmMemory {
  /** Pages touched so far (demand). */
  touched: number;
  /** Host pages backing the VM. */
  held: number;
  /** Allocation target. */
  target: number;
  /** Pages in the balloon. */
  ballooned: number;
  /** Pages on host swap. */
  swapped: number;
  /** Estimated active fraction. */
  active: number;
}

/** Allocates host memory among VMs by shares with the idle memory tax. */
export class MemoryManager {
  /** Host memory, pages. */
  readonly hostPages: number;
  /** Idle memory tax rate. */
  readonly taxRate: number;
  /** The VMs. */
  readonly vms: readonly ManagedVm[];
  /** State of every VM after the last period. */
  readonly state: VmMemory[];
  /** Free memory state after the last period ({@link MemoryState}). */
  freeState: number = MemoryState.High;

  /** Pages divided among the VMs: host memory less the high free-memory threshold. */
  readonly available: number;

  /**
   * Guest pages that content-based sharing backs with other VMs' or the same VM's pages
   * (src/host/contents.ts): they count in each VM's held pages but take no host page of
   * their own. 0 without sharing.
   */
  sharedSaved = 0;

  /** A manager for `vms` on `hostPages` pages with tax rate `taxRate`. */
  constructor(hostPages: number, taxRate: number, vms: readonly ManagedVm[]) {
    this.hostPages = hostPages;
    this.available = Math.floor(hostPages * (1 - FREE_THRESHOLDS.high));
    this.taxRate = taxRate;
    this.vms = vms;
    this.state = vms.map(() => ({
      touched: 0,
      held: 0,
      target: 0,
      ballooned: 0,
      swapped: 0,
      active: 1,
    }));
  }

  #free(): number {
    let held = 0;
    for (const s of this.state) held += s.held;
    return this.hostPages - held + this.sharedSaved;
  }

  #stateOf(free: number): number {
    const f = free / this.hostPages;
    if (f >= FREE_THRESHOLDS.high) return MemoryState.High;
    if (f >= FREE_THRESHOLDS.soft) return MemoryState.Soft;
    if (f >= FREE_THRESHOLDS.hard) return MemoryState.Hard;
    return MemoryState.Low;
  }

  /**
   * Ends a sampling period: `touched[i]` pages demanded by VM i so far and `active[i]`
   * its estimated active fraction. Recomputes targets and reclaims by the free state.
   */
  period(touched: readonly number[], active: readonly number[]): void {
    const n = this.vms.length;
    for (let i = 0; i < n; i++) {
      const s = this.state[i];
      const grown = Math.max(0, Math.min(touched[i], this.vms[i].maxPages) - s.touched);
      s.touched += grown;
      s.held += grown;
      s.active = active[i];
    }
    const taxVms: TaxVm[] = this.vms.map((v, i) => ({
      shares: v.shares,
      minPages: Math.min(v.minPages, v.maxPages),
      maxPages: v.maxPages,
      active: Math.min(1, Math.max(0, active[i])),
    }));
    const targets = allocateWithTax(taxVms, this.available, this.taxRate);
    for (let i = 0; i < n; i++) this.state[i].target = targets[i];
    const free = this.#free();
    this.freeState = this.#stateOf(free);
    if (this.freeState === MemoryState.High) {
      // Deflate balloons into the free memory above the high threshold, in VM order.
      let spare = Math.floor(free - FREE_THRESHOLDS.high * this.hostPages);
      for (let i = 0; i < n && spare > 0; i++) {
        const s = this.state[i];
        const back = Math.min(s.ballooned, spare, Math.max(0, s.target - s.held));
        s.ballooned -= back;
        s.held += back;
        spare -= back;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const s = this.state[i];
        const excess = s.held - s.target;
        if (excess <= 0) continue;
        if (this.freeState === MemoryState.Soft && this.vms[i].balloon) s.ballooned += excess;
        else s.swapped += excess;
        s.held -= excess;
      }
    }
    // Whatever still does not fit is paged out, from the VMs furthest above target first.
    let over = -this.#free();
    while (over > 0) {
      let victim = -1, most = 0;
      for (let i = 0; i < n; i++) {
        const above = this.state[i].held - Math.min(this.state[i].target, this.state[i].held);
        const room = above > 0 ? above : this.state[i].held - this.vms[i].minPages;
        if (room > most) {
          most = room;
          victim = i;
        }
      }
      if (victim < 0) break;
      const take = Math.min(most, over);
      this.state[victim].held -= take;
      this.state[victim].swapped += take;
      over -= take;
    }
  }
}
