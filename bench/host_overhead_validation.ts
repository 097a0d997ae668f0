/**
 * Validates the scheduler-overhead estimator (src/host/overhead.ts) against full replay at
 * small VM counts, as docs/host.md reports. N identical compute-bound VMs (compute-gzip, one
 * warm-up iteration, no stagger) share one pCPU under round robin for a fixed number of slices.
 *
 * - Truth (full replay): every VM is replayed in full; its work is counted in time alone,
 *   phase-matched: the VM received `r` ms and executed `I` instructions, and one VM alone
 *   on the same host for `r` ms executes `I1` instructions over the same trace prefix in
 *   the `r1` ms it actually receives (the last step overshoots `r` a little), so its work
 *   is `I × r1 / I1` ms. Throughput = total work / the time the pCPU spent (received,
 *   switching, idle).
 * - Estimate: a sampled run (`detailUs`) with `refillSamples`: received less flushes ×
 *   refill, over duration (`usefulThroughput`).
 * - Naive: instructions of the sampled N-VM run over those of the sampled 1-VM run, the
 *   ratio the phase error spoils.
 *
 * Usage: deno run -A bench/host_overhead_validation.ts [--platform p4-prescott] [--cpu bt]
 *        [--mmu shadow] [--slice 5] [--slices 8] [--counts 1,2,4] [--refill 16]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { parseHost } from "../src/host/description.ts";
import { simulateHost } from "../src/host/simulate.ts";
import { usefulThroughput } from "../src/host/overhead.ts";
import type { HostResult } from "../src/host/result.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    platform: { type: "string", default: "p4-prescott" },
    cpu: { type: "string", default: "bt" },
    mmu: { type: "string", default: "shadow" },
    slice: { type: "string", default: "5" },
    slices: { type: "string", default: "8" },
    counts: { type: "string", default: "1,2,4" },
    refill: { type: "string", default: "16" },
    detail: { type: "string", default: "20" },
    warmup: { type: "string", default: "1" },
  },
});
const TRACE = fileURLToPath(new URL("../traces/compute-gzip.vmt", import.meta.url));
const slice = Number(values.slice);
const duration = slice * Number(values.slices);

function host(n: number, durationMs: number, detailUs: number, refill: number): HostResult {
  const desc = parseHost(
    {
      schema: "vmmlab.host/1",
      name: `${n}x-gzip`,
      platform: values.platform,
      pcpus: 1,
      memoryMB: 65536,
      durationMs,
      sampleMs: durationMs,
      detailUs,
      refillSamples: refill,
      scheduler: { name: "round-robin", sliceMs: slice },
      vms: Array.from({ length: n }, (_, i) => ({
        name: `vm${i + 1}`,
        trace: TRACE,
        vmm: { cpu: values.cpu, mmu: values.mmu, io: "emulated" },
        memory: { sizeMB: 256 },
        warmupIterations: Number(values.warmup),
      })),
    },
    "validation",
    "/",
  );
  return simulateHost(desc, { skipAlone: true });
}

/** One VM alone for `ms`: its instructions per ms of the CPU time it actually received. */
const alone = new Map<number, number>();
function aloneRate(ms: number): number {
  let rate = alone.get(ms);
  if (rate === undefined) {
    const vm = host(1, ms, 0, 0).vms[0];
    rate = vm.instructions / vm.cpu.receivedMs;
    alone.set(ms, rate);
  }
  return rate;
}

const counts = values.counts!.split(",").map(Number);
const sampledOne = host(1, duration, Number(values.detail), 0);
console.log(
  `${values.platform} ${values.cpu}+${values.mmu}, round robin ${slice} ms, ${duration} ms, ` +
    `1 pCPU, compute-gzip`,
);
console.log(
  "N | full replay | estimate | loss full | loss est. | naive sampled | refill cyc/flush",
);
for (const n of counts) {
  const full = host(n, duration, 0, 0);
  let work = 0;
  let spent = full.totals.worldSwitchMs + full.totals.idleMs;
  for (const vm of full.vms) {
    spent += vm.cpu.receivedMs;
    if (vm.cpu.receivedMs === 0) continue;
    work += vm.instructions / aloneRate(vm.cpu.receivedMs);
  }
  // One VM alone is its own reference (its last step's overshoot past the end is not work
  // lost).
  const truth = n === 1 ? 1 : work / spent;
  const sampled = host(n, duration, Number(values.detail), n > 1 ? Number(values.refill) : 0);
  const est = usefulThroughput(sampled);
  const naive = sampled.totals.instructions / sampledOne.totals.instructions;
  const refill = sampled.vms[0].refill;
  console.log(
    `${n} | ${truth.toFixed(6)} | ${est.toFixed(6)} | ${(1e2 * (1 - truth)).toFixed(4)}% | ` +
      `${(1e2 * (1 - est)).toFixed(4)}% | ${naive.toFixed(4)} | ` +
      (refill ? `${refill.cyclesPerFlush} ± ${refill.stderrCycles}` : "-"),
  );
}
