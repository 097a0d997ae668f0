/**
 * Full-replay throughput the way the CLI sees it: every configuration runs in its own
 * process (so the engine's record loop only ever meets the two model sets of one replay,
 * as in `vmmlab replay`), beside decode-only throughput of the same trace bytes. Each
 * process replays the trace `--iterations` times and reports its fastest pass; the
 * configurations are interleaved over `--rounds` rounds and the fastest round counts, so
 * other load on a shared machine, which only ever adds time, disturbs the figures least.
 *
 * Usage:
 *   deno run -A bench/throughput.ts [--trace traces/forkwait.vmt] [--rounds 3]
 *                                   [--iterations 6] [--platform p4-prescott]
 *
 * Prints a Markdown table: time, guest instructions/s, and the fraction of decode-only
 * throughput (issue 3, item 10 asks for at least 10 M instr/s and at least one half), and
 * the same by the process's CPU time (user + system over the fastest pass: on a loaded
 * machine the wall time also counts the time the process waited for a core). The
 * configurations marked "(no caches)" run with `--option cache.hierarchy=false`, so the
 * table gives the cache hierarchy's cost (issue 12 asks for at least 15 M instr/s with it).
 * `--only LABEL,LABEL` measures a subset (decode-only always runs). Each process runs with the
 * V8 flags of the `vmmlab` task in deno.json, as `deno task vmmlab replay` would (a larger
 * inlining budget: see BENCHMARKS.md), unless `--v8-flags FLAGS` names others (`--v8-flags ""`:
 * V8's defaults).
 *
 * @module
 */

import process from "node:process";
import { replay } from "../src/engine/replay.ts";
import type { ReplayConfig } from "../src/engine/config.ts";
import { TraceReader } from "../src/trace/reader.ts";

const NO_CACHES = { "cache.hierarchy": false };

/** The configurations measured, by label. */
const CONFIGS: Record<string, ReplayConfig> = {
  "bt+shadow": { cpu: "bt", mmu: "shadow", io: "emulated" },
  "hw+nested": { cpu: "hw", mmu: "nested", io: "emulated" },
  "hw+shadow": { cpu: "hw", mmu: "shadow", io: "emulated" },
  "pv+pv-direct": { cpu: "pv", mmu: "pv-direct", io: "pv" },
  "native": { cpu: "native", mmu: "native", io: "native" },
  "bt+shadow (no caches)": { cpu: "bt", mmu: "shadow", io: "emulated", options: NO_CACHES },
  "hw+nested (no caches)": { cpu: "hw", mmu: "nested", io: "emulated", options: NO_CACHES },
  "native (no caches)": { cpu: "native", mmu: "native", io: "native", options: NO_CACHES },
};

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

/** Child mode: the fastest of `iterations` passes over `trace`, wall and CPU milliseconds. */
async function child(trace: string, label: string, iterations: number, platform: string) {
  const bytes = Deno.readFileSync(trace);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (label === "decode") {
      const c = TraceReader.fromBytes(bytes).cursor();
      while (c.next()) { /* decode only */ }
    } else {
      await replay(bytes, { ...CONFIGS[label], platform });
    }
    best = Math.min(best, performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  console.log(JSON.stringify({ ms: best, cpuMs: bestCpu }));
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** The `--v8-flags=...` argument of the `vmmlab` task in deno.json, or "" if it has none. */
function taskV8Flags(): string {
  const config = JSON.parse(
    Deno.readTextFileSync(new URL("../deno.json", import.meta.url)),
  ) as { tasks: Record<string, string> };
  return /--v8-flags=\S+/.exec(config.tasks.vmmlab)?.[0].slice("--v8-flags=".length) ?? "";
}

async function measure(
  trace: string,
  label: string,
  iterations: number,
  platform: string,
  v8Flags: string,
): Promise<{ ms: number; cpuMs: number }> {
  const self = new URL(import.meta.url).pathname;
  const flags = v8Flags === "" ? [] : [`--v8-flags=${v8Flags}`];
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      "--no-prompt",
      "-A",
      self,
      "--child",
      trace,
      label,
      `${iterations}`,
      platform,
    ],
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`${label} on ${trace} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as { ms: number; cpuMs: number };
}

async function main(): Promise<void> {
  const c = Deno.args.indexOf("--child");
  if (c >= 0) {
    const [trace, label, iterations, platform] = Deno.args.slice(c + 1);
    return await child(trace, label, Number(iterations), platform);
  }
  const trace = arg("trace", new URL("../traces/forkwait.vmt", import.meta.url).pathname);
  const rounds = Number(arg("rounds", "3"));
  const iterations = Number(arg("iterations", "6"));
  const platform = arg("platform", "p4-prescott");
  const v8Flags = arg("v8-flags", taskV8Flags());
  const reader = TraceReader.open(trace);
  const { instructions, records, contentHash } = reader.summary;
  reader.close();
  const only = arg("only", "");
  const chosen = only === "" ? Object.keys(CONFIGS) : only.split(",");
  for (const label of chosen) {
    if (!(label in CONFIGS)) {
      console.error(`--only: no configuration ${label} (${Object.keys(CONFIGS).join(", ")})`);
      Deno.exit(2);
    }
  }
  const labels = ["decode", ...chosen];
  const best = new Map<string, number>();
  const bestCpu = new Map<string, number>();
  const loads = [loadAverage()];
  for (let r = 0; r < rounds; r++) {
    for (const label of labels) {
      const { ms, cpuMs } = await measure(trace, label, iterations, platform, v8Flags);
      best.set(label, Math.min(best.get(label) ?? Infinity, ms));
      bestCpu.set(label, Math.min(bestCpu.get(label) ?? Infinity, cpuMs));
    }
    loads.push(loadAverage());
  }
  console.log(
    `trace ${trace} (${instructions} guest instructions, ${records} records, ${contentHash}), ` +
      `platform ${platform}; ${rounds} rounds x ${iterations} passes per process, fastest pass; ` +
      `${navigator.hardwareConcurrency} logical cores, load average (1/5/15 min) at each round: ` +
      loads.join(" | ") + `; V8 flags: ${v8Flags === "" ? "defaults" : v8Flags}`,
  );
  console.log("");
  console.log(
    "| configuration | time | guest instr/s | records/s | vs decode-only | CPU time | instr/s of CPU time |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  const decode = best.get("decode")!;
  for (const label of labels) {
    const ms = best.get(label)!;
    const s = ms / 1000;
    console.log(
      `| ${label === "decode" ? "decode only" : label} | ${ms.toFixed(0)} ms | ${
        (instructions / s / 1e6).toFixed(1)
      } M | ${(records / s / 1e6).toFixed(1)} M | ${
        label === "decode" ? "1" : (decode / ms).toFixed(2)
      } | ${bestCpu.get(label)!.toFixed(0)} ms | ${
        (instructions / (bestCpu.get(label)! / 1000) / 1e6).toFixed(1)
      } M |`,
    );
  }
}

await main();
