import assert from "node:assert/strict";
import consolidation from "../experiments/host_consolidation.ts";
import type { HostResults, HostRunSpec } from "../experiments/_lib/experiment.ts";
import type { HostResult } from "../src/host/result.ts";

/** A host result as the consolidation rows read it. */
function fake(
  vms: number,
  over: { util?: number; heldMB?: number; framesMB?: number; instructions?: number } = {},
): HostResult {
  return {
    vms: Array.from({ length: vms }, () => ({
      instructions: over.instructions ?? 1000,
      memory: { heldMB: over.heldMB ?? 0, swappedMB: 15.4 },
    })),
    totals: {
      cpuUtilization: over.util ?? 0.0005,
      ...(over.framesMB !== undefined ? { sharing: { framesMB: over.framesMB } } : {}),
    },
  } as unknown as HostResult;
}

Deno.test("consolidation: memory's limit from measured per-VM memory, and the smaller limit wins", async () => {
  const runs = (await consolidation.runs({ root: ".", published: {} })) as HostRunSpec[];
  const hosts: Record<string, HostResult> = {};
  for (const r of runs) {
    const n = (r.host.vms as unknown[]).length;
    hosts[r.id] = r.id === "memory/static-1"
      ? fake(1, { heldMB: 256 })
      : r.id === "memory/shared-1"
      ? fake(1, { framesMB: 56.6 })
      : r.id === "memory/shared-3"
      ? fake(3, { framesMB: 87.4 })
      : r.id === "memory/p4-prescott-pv-16"
      ? fake(16, { instructions: 100 }) // one VM past memory's limit: 10x behind
      : fake(n); // every VM keeps up; one idle VM is 0.1% of the two CPUs' 200%
  }
  const rows = consolidation.compare({}, {}, hosts as HostResults);
  const value = (label: string) => rows.find((r) => r.label === label)!.reproduced;
  // P4, 4 GB less 6% = 3850.24 MB. Static: 256 MB each, 15 VMs. Shared: 56.6 MB, then
  // (87.4 - 56.6) / 2 = 15.4 MB each: 1 + floor(3793.64 / 15.4) = 247.
  assert.equal(value("p4-prescott, pv: idle VMs host memory holds"), 15);
  assert.equal(value("p4-prescott, bt: idle VMs host memory holds"), 247);
  // The grid's top (128) kept up; by CPU time 2 / 0.001 = 2000 VMs: memory binds.
  assert.equal(value("p4-prescott, pv: idle VMs within 1.1x of alone (CPU and memory)"), 15);
  assert.equal(value("p4-prescott, bt: idle VMs within 1.1x of alone (CPU and memory)"), 247);
  // Modern, 256 GB less 6% = 246415.36 MB: static 962 VMs (memory binds); shared 15998,
  // beyond the CPU's 2000.
  assert.equal(value("modern, pv: idle VMs host memory holds"), 962);
  assert.equal(value("modern, hw+nested: idle VMs within 1.1x of alone (CPU and memory)"), 2000);
  const checks = consolidation.checks!({}, {}, hosts as HostResults);
  assert.deepEqual(checks.slice(0, 3).map((c) => c.passed), [true, true, true]);
  assert.match(checks[0].detail, /1\.000x with 15 VMs, 10\.0x with 16/);
  // Had the 16th VM kept up, the simulated boundary would not hold.
  hosts["memory/p4-prescott-pv-16"] = fake(16);
  assert.equal(consolidation.checks!({}, {}, hosts as HostResults)[0].passed, false);
});
