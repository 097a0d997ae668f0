/**
 * Share-based memory allocation with an idle memory tax (Waldspurger, OSDI 2002, section
 * 5): when memory is overcommitted, pages are reclaimed from the VM with the fewest
 * shares per page, where idle pages are charged more than active ones. With shares `S`,
 * allocated pages `P`, active fraction `f` and tax rate `τ` (idle cost `k = 1/(1-τ)`):
 *
 *   ρ = S / (P · (f + k·(1 − f)))
 *
 * The VM with the smallest ρ loses a page first (min-funding revocation). τ = 0 is pure
 * proportional sharing; the paper's default is τ = 0.75.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** One VM competing for memory. */
export interface TaxVm {
  /** Memory shares (relative entitlement). */
  shares: number;
  /** Pages the VM is guaranteed (its reservation). */
  minPages: number;
  /** Pages the VM is configured with (it never gets more). */
  maxPages: number;
  /** Estimated fraction of its memory actively used, in [0, 1]. */
  active: number;
}

/** Shares per page of a VM holding `pages` pages, under tax rate `tax`. */
export function sharesPerPage(vm: TaxVm, pages: number, tax: number): number {
  const k = 1 / (1 - tax);
  return vm.shares / (pages * (vm.active + k * (1 - vm.active)));
}

/**
 * Allocates `available` pages among `vms`: each starts at its configured size and, while
 * the total exceeds `available`, the VM with the smallest shares-per-page above its
 * minimum gives up `step` pages (ties: the lowest index). Returns pages per VM.
 */
export function allocateWithTax(
  vms: readonly TaxVm[],
  available: number,
  tax: number,
  step = 1,
): number[] {
  if (!(tax >= 0 && tax < 1)) {
    throw new ConfigError("idle memory tax", `tax rate must be in [0, 1), got ${tax}`);
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new ConfigError("idle memory tax", `step must be a positive integer, got ${step}`);
  }
  for (const [i, vm] of vms.entries()) {
    if (!(vm.shares > 0) || !(vm.minPages >= 0) || !(vm.maxPages >= vm.minPages)) {
      throw new ConfigError("idle memory tax", `VM ${i} needs shares > 0 and min <= max pages`);
    }
    if (!(vm.active >= 0 && vm.active <= 1)) {
      throw new ConfigError("idle memory tax", `VM ${i} active fraction must be in [0, 1]`);
    }
  }
  const pages = vms.map((vm) => vm.maxPages);
  let total = pages.reduce((a, b) => a + b, 0);
  while (total > available) {
    let victim = -1;
    let best = Infinity;
    for (let i = 0; i < vms.length; i++) {
      if (pages[i] <= vms[i].minPages) continue;
      const rho = sharesPerPage(vms[i], pages[i], tax);
      if (rho < best) {
        best = rho;
        victim = i;
      }
    }
    if (victim < 0) break; // every VM at its reservation: overcommitted beyond the minimums
    const take = Math.min(step, pages[victim] - vms[victim].minPages, total - available);
    pages[victim] -= take;
    total -= take;
  }
  return pages;
}
