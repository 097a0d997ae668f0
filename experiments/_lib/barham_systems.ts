/**
 * The systems Barham et al. 2003 compare, as model configurations: one definition for every
 * experiment that reproduces the paper's tables (Figure 3, the lmbench tables, Table 6), so a
 * change to how vmmlab models Xen or VMware Workstation reaches all of them at once.
 *
 * @module
 */
import type { RunConfig } from "./experiment.ts";

/** Xen: paravirtualized CPU, direct (validated) guest page tables, split-driver I/O. */
export const BARHAM_XEN: RunConfig = { cpu: "pv", mmu: "pv-direct", io: "pv", memory: "none" };

/** VMware Workstation: binary translation, shadow paging, I/O through the host OS. */
export const BARHAM_VMWARE: RunConfig = {
  cpu: "bt",
  mmu: "shadow",
  io: "hosted",
  memory: "none",
};

/**
 * UML-like: the paper's optional fourth system, approximated by trap-and-emulate (the guest
 * kernel deprivileged, every privileged operation and system call trapping to the host) with
 * shadow paging and hosted I/O.
 */
export const BARHAM_UML: RunConfig = { cpu: "trap", mmu: "shadow", io: "hosted", memory: "none" };
