/**
 * `deno bench` cases for the host simulation (issue 15's target: at least 10 M guest
 * instructions per second in aggregate on one core for 4 VMs): the four VMs of
 * examples/consolidation/four_servers.json, replayed in full detail (no sampling) for
 * 20 ms of simulated time, without the alone runs, with the cache hierarchy and without it
 * (`cache.hierarchy=false`, so that the host's own costs show apart from the hierarchy's), and
 * for 80 ms with the hierarchy: each VM's one-iteration warm-up is paid once per run, so only the
 * longer run shows the rate a long simulation settles to.
 * The name carries two counts, so bench/report.ts turns the time per iteration into two
 * rates: `instr`, the guest instructions of the 20 ms, and `replayed`, every instruction
 * replayed through the models, the one-iteration warm-up of each VM included (the work the
 * time is spent on).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { type HostDescription, loadHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";

const FILE = fileURLToPath(
  new URL("../../examples/consolidation/four_servers.json", import.meta.url),
);
const base: HostDescription = { ...loadHost(FILE), durationMs: 20, sampleMs: 1 };
const longer: HostDescription = { ...base, durationMs: 80 };
const noHierarchy: HostDescription = {
  ...base,
  vms: base.vms.map((v) => ({
    ...v,
    vmm: { ...v.vmm, options: { ...v.vmm.options, "cache.hierarchy": false } },
  })),
};

const cases = [
  ["20 ms", base],
  ["20 ms, no cache hierarchy", noHierarchy],
  ["80 ms", longer],
] as const;
for (const [label, desc] of cases) {
  const r = simulateHost(desc, { skipAlone: true });
  const counts = `${r.totals.instructions} instr, ${r.wall.replayedInstructions} replayed`;
  console.log(`host benchmark: 4 VMs, ${label} simulated, ${counts}`);
  Deno.bench({
    name: `host: four_servers, 4 VMs on 2 pCPUs, ${label} (${counts})`,
    group: "host",
    n: 3,
    warmup: 1,
    fn() {
      simulateHost(desc, { skipAlone: true });
    },
  });
}
