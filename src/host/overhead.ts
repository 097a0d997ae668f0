/**
 * The scheduler-overhead estimator: a host's throughput in CPU time put to use, counted in
 * the time the same work takes a VM running alone and warm. A VM's useful time is the CPU
 * time the scheduler gave it less what its world switches' TLB flushes cost it to refill
 * (flushes × the refill cost measured with common random numbers, `src/host/refill.ts`);
 * the world switches' own cycles are never part of a VM's received time, so they are lost
 * too. For identical compute-bound VMs the guest's instructions per cycle, warm, is the same
 * whichever VM runs, so useful time is proportional to instructions, and the ratio of two
 * hosts' useful time is their throughput ratio, without the phase error of comparing
 * instruction counts of sampled runs (docs/host.md, "Scheduler overhead").
 *
 * @module
 */

import type { HostResult, VmResult } from "./result.ts";

/**
 * A VM's CPU time put to use, ms: received less its flushes' refill. A VM whose TLB was
 * flushed needs a refill measurement (`refillSamples` > 0); one never flushed needs none.
 */
export function usefulMs(vm: VmResult): number {
  if (vm.tlbFlushes === 0) return vm.cpu.receivedMs;
  if (vm.refill === undefined) {
    throw new Error(`VM ${vm.name} was flushed ${vm.tlbFlushes} times but has no refill figure`);
  }
  return vm.cpu.receivedMs - vm.tlbFlushes * vm.refill.usPerFlush / 1000;
}

/**
 * A host's useful CPU time per unit of time (at most its pCPUs). The time is what the
 * pCPUs spent: CPU received, world switches and idling, which is the simulated duration
 * plus the last slices' overshoot past its end (a slice ends after its last engine step).
 */
export function usefulThroughput(result: HostResult): number {
  let useful = 0, spent = result.totals.worldSwitchMs + result.totals.idleMs;
  for (const vm of result.vms) {
    useful += usefulMs(vm);
    spent += vm.cpu.receivedMs;
  }
  return spent > 0 ? result.host.pcpus * useful / spent : 0;
}
