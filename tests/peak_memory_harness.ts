/**
 * Runs the vmmlab CLI in this process, then writes the process's peak resident memory
 * (VmHWM from /proc/self/status, in bytes; -1 where /proc is missing) to the file named by
 * the first argument, and exits with the CLI's status. The hostile-trace test measures
 * every run through it, so the figure is the peak of exactly one CLI invocation.
 *
 * Usage: deno run ... tests/peak_memory_harness.ts PEAK_FILE vmmlab-args...
 */

import { main } from "../src/cli/main.ts";

const [peakFile, ...args] = Deno.args;
const code = await main(args);
let peak = -1;
try {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  if (m) peak = Number(m[1]) * 1024;
} catch { /* no /proc: the test skips the memory assertion */ }
Deno.writeTextFileSync(peakFile, String(peak));
Deno.exit(code);
