/**
 * The configurations of Adams & Agesen (ASPLOS 2006): their Pentium 4 and the software and
 * hardware VMM, shared by the forkwait/compile experiment and the breakdown experiment.
 *
 * @module
 */
import type { RunConfig } from "./experiment.ts";

/** Platform of the paper's measurements (Adams & Agesen's 3.8 GHz Pentium 4). */
export const PLATFORM = "p4-prescott";

/** Seed of every run (the CPU, MMU and I/O models used here draw no random numbers). */
export const SEED = 1;
/** The paper's guest kernels (Linux 2.6, 2006): src/models/cpu/era.ts. */
export const ERA = "2006";

/** The two VMMs of the paper; the native column comes from each run's baseline. */
export const VMMS: readonly { column: string; label: string; config: RunConfig }[] = [
  {
    column: "software_vmm",
    label: "software VMM",
    config: {
      cpu: "bt",
      mmu: "shadow",
      io: "emulated",
      memory: "none",
      platform: PLATFORM,
      seed: SEED,
      options: { "cpu.era": ERA },
    },
  },
  {
    column: "hardware_vmm",
    label: "hardware VMM",
    config: {
      cpu: "hw",
      mmu: "shadow",
      io: "emulated",
      memory: "none",
      platform: PLATFORM,
      seed: SEED,
      options: { "cpu.era": ERA },
    },
  },
];
