/**
 * CPU time of one experiment's host run, simulated as `deno task experiment` simulates it
 * (no alone runs), so a speed change to the host simulation can be measured on the runs that
 * dominate the experiment's time (the 128-VM runs of host_consolidation, the 16-VM runs of
 * barham_scaling) without running whole experiments. Prints the wall and CPU time (user +
 * system, `process.cpuUsage()`: on a shared machine the wall time also counts waiting for a
 * core) of each of `--repeat` simulations in one process, and a hash of the result with the
 * wall-clock figures zeroed, so two versions of the code can be checked to agree.
 *
 * Usage: deno run -A bench/host_run.ts EXPERIMENT RUN_ID [--repeat 1]
 *   e.g. deno run -A bench/host_run.ts host_consolidation modern/bt/128
 *
 * @module
 */

import process from "node:process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { simulateHost } from "../src/cli/experiment/default_engine.ts";
import { loadPublished } from "../experiments/_lib/published.ts";
import type { Experiment, HostRunSpec } from "../experiments/_lib/experiment.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const [name, id] = Deno.args;
const r = Deno.args.indexOf("--repeat");
const repeat = r >= 0 ? Number(Deno.args[r + 1]) : 1;
if (name === undefined || id === undefined || !(repeat >= 1)) {
  console.error("usage: bench/host_run.ts EXPERIMENT RUN_ID [--repeat N]");
  Deno.exit(2);
}
let experiment: Experiment;
try {
  experiment = (await import(`../experiments/${name}.ts`)).default as Experiment;
} catch {
  console.error(`no experiment ${name} under experiments/`);
  Deno.exit(2);
}
const published = await loadPublished(`${root}experiments/published`);
const runs = await experiment.runs({ root, published });
const spec = runs.find((s): s is HostRunSpec => s.id === id && "host" in s);
if (spec === undefined) {
  console.error(`${name} has no host run ${id}`);
  Deno.exit(2);
}
for (let i = 0; i < repeat; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = simulateHost(spec.host, root);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const hash = createHash("sha256").update(JSON.stringify(result)).digest("hex").slice(0, 16);
  console.log(
    `${name}/${id}: wall ${(wall / 1000).toFixed(2)} s, CPU ${
      ((cpu.user + cpu.system) / 1e6).toFixed(2)
    } s, result ${hash}`,
  );
}
