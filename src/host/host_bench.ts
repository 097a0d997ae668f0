/**
 * `deno bench` case for the host simulation (issue 15's target: at least 10 M guest
 * instructions per second in aggregate on one core for 4 VMs): the four VMs of
 * examples/consolidation/four_servers.json, replayed in full detail (no sampling) for
 * 20 ms of simulated time, without the alone runs. The name carries the instructions
 * simulated, so bench/report.ts turns the time per iteration into a rate.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { loadHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";

const FILE = fileURLToPath(
  new URL("../../examples/consolidation/four_servers.json", import.meta.url),
);
const desc = { ...loadHost(FILE), durationMs: 20, sampleMs: 1 };
const instructions = simulateHost(desc, { skipAlone: true }).totals.instructions;
console.log(`host benchmark: 4 VMs, 20 ms simulated, ${instructions} guest instructions`);

Deno.bench({
  name: `host: four_servers, 4 VMs on 2 pCPUs, 20 ms (${instructions} instr)`,
  group: "host",
  n: 3,
  warmup: 1,
  fn() {
    simulateHost(desc, { skipAlone: true });
  },
});
