/**
 * A flush of the hardware TLBs that the guest did not ask for. On a processor without
 * tagged TLB entries for guests (Intel VT-x before VPID, i.e. before Nehalem), every VM
 * exit and VM entry invalidates all linear and combined mappings, global ones included
 * (Intel SDM vol. 3, "VPID and TLB" / "Operations that invalidate cached mappings"): after
 * each exit the guest refills its TLB through page walks. The CPU model that causes the
 * exit asks the MMU model for this flush; the VMM's own structures (shadow page tables,
 * the nested TLB keyed by the nested root) survive it.
 *
 * @module
 */

import type { MmuModel } from "../../engine/model.ts";

/** An MMU model whose hardware TLB a VM transition can flush. */
export interface HardwareTlbFlush {
  /** Drops every hardware TLB and page-walk-cache entry (global ones too); VMM state stays. */
  flushHardwareTlb(): void;
}

/** The MMU model as a {@link HardwareTlbFlush}, or null when it has no hardware TLB. */
export function hardwareTlbOf(mmu: MmuModel): HardwareTlbFlush | null {
  const m = mmu as Partial<HardwareTlbFlush>;
  return typeof m.flushHardwareTlb === "function" ? m as HardwareTlbFlush : null;
}
