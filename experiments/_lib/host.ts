/**
 * Building host runs for experiments: the JSON of a `vmmlab.host/1` description (docs/host.md)
 * from a few parameters, and reading per-VM figures back out of a host result. Host
 * experiments share these so each module states only what its figure varies.
 *
 * @module
 */

import type { HostResult } from "../../src/host/result.ts";
import type { JsonValue } from "./experiment.ts";

/** A VMM technique as a model set (`vmm` of a host VM). */
export interface Technique {
  /** Short label used in run ids and legends, e.g. `pv`. */
  readonly label: string;
  /** CPU model. */
  readonly cpu: string;
  /** MMU model. */
  readonly mmu: string;
  /** I/O model. */
  readonly io: string;
  /** Memory model. */
  readonly memory?: string;
}

/** Xen-style paravirtualization: the set Barham et al. measured. */
export const XEN: Technique = { label: "pv", cpu: "pv", mmu: "pv-direct", io: "pv" };

/**
 * A VMware Workstation-style hosted VMM (binary translation, shadow paging, hosted I/O):
 * the other system of Barham et al.'s isolation and scaling runs.
 */
export const HOSTED: Technique = { label: "hosted", cpu: "bt", mmu: "shadow", io: "hosted" };

/** One VM of a host run. */
export interface HostVmInput {
  /** VM name (unique within the host). */
  readonly name: string;
  /** Trace path relative to the repository root. */
  readonly trace: string;
  /** Its VMM. */
  readonly technique: Technique;
  /** CPU controls (`shares`, `reservationMHz`, `limitMHz`, `weight`, `cap`). */
  readonly cpu?: { readonly [key: string]: number };
  /** Memory controls (`sizeMB`, `minMB`, `maxMB`, `shares`, `touchedMB`, `contents`). */
  readonly memory?: { readonly [key: string]: JsonValue };
  /** Iterations replayed before time 0 (warm translation caches and TLBs). */
  readonly warmupIterations?: number;
}

/** A host description's JSON from its parts; fields left out take the host file's defaults. */
export function hostJson(
  host: { readonly [key: string]: JsonValue },
  vms: readonly HostVmInput[],
): { readonly [key: string]: JsonValue } {
  return {
    ...host,
    vms: vms.map((vm) => ({
      name: vm.name,
      trace: vm.trace,
      vmm: {
        cpu: vm.technique.cpu,
        mmu: vm.technique.mmu,
        io: vm.technique.io,
        memory: vm.technique.memory ?? "none",
      },
      ...(vm.cpu ? { cpu: { ...vm.cpu } } : {}),
      ...(vm.memory ? { memory: { ...vm.memory } } : {}),
      ...(vm.warmupIterations !== undefined ? { warmupIterations: vm.warmupIterations } : {}),
    })),
  };
}

/** Guest instructions per simulated second summed over a host's VMs. */
export function hostThroughput(result: HostResult): number {
  return result.totals.instructionsPerSecond;
}

/** The VM named `name` of a host result; a missing one is a bug in the experiment. */
export function hostVm(result: HostResult, name: string): HostResult["vms"][number] {
  const vm = result.vms.find((v) => v.name === name);
  if (!vm) throw new Error(`Host ${result.host.name} has no VM ${name}`);
  return vm;
}
