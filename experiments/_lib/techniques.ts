/**
 * The four classic ways of virtualizing x86 as model configurations, and the two platforms
 * the overview compares them on; shared by the overview and the exit-latency sweep.
 *
 * @module
 */
import type { RunConfig } from "./experiment.ts";

/** A virtualization technique: its models. */
export interface Technique {
  /** Run id part. */
  readonly id: string;
  /** Column label. */
  readonly label: string;
  /** CPU, MMU and I/O models. */
  readonly models: Pick<RunConfig, "cpu" | "mmu" | "io">;
}

/** The four techniques, in historical order. */
export const TECHNIQUES: readonly Technique[] = [
  { id: "bt", label: "BT", models: { cpu: "bt", mmu: "shadow", io: "emulated" } },
  { id: "pv", label: "PV", models: { cpu: "pv", mmu: "pv-direct", io: "pv" } },
  { id: "hw", label: "HW", models: { cpu: "hw", mmu: "shadow", io: "emulated" } },
  { id: "hw-nested", label: "HW+NPT", models: { cpu: "hw", mmu: "nested", io: "emulated" } },
];

/** The two platforms: the 2006 Pentium 4 and a current server. */
export const PLATFORMS: readonly { id: string; label: string }[] = [
  { id: "p4-prescott", label: "Pentium 4" },
  { id: "modern", label: "modern" },
];

/** The full configuration of a technique on a platform (same shape as adams_vmms.ts's). */
export function techniqueConfig(technique: Technique, platform: string): RunConfig {
  return { ...technique.models, memory: "none", platform, seed: 1 };
}

/** Run id of a workload under a technique on a platform. */
export function overviewId(workload: string, technique: Technique, platform: string): string {
  return `${workload}/${technique.id}/${platform}`;
}
