/**
 * Balancing shards by estimated cost. A replay's time is close to proportional to the
 * guest instructions it replays, and one job is one trace under one configuration, so a
 * job's cost is its trace's instruction count (from `traces/MANIFEST.json`). Shards are
 * filled greedily, largest job first, into the least-loaded shard (Graham's LPT rule,
 * within 4/3 of the best possible makespan), so N cluster tasks finish together instead
 * of one task drawing every large trace. Ties break on the job's position, so the
 * assignment is a pure function of the plan.
 *
 * @module
 */

import { basename, isAbsolute, join } from "node:path";
import type { TraceSource } from "../../../experiments/_lib/experiment.ts";
import { readManifest } from "../../record/manifest.ts";

/**
 * Estimated instructions of a synthetic recipe's trace: the nanobenchmark recipes write
 * on the order of 10^5 to 10^6 instructions, far below any recorded trace.
 */
export const SYNTH_COST = 1_000_000;

/** Bytes per instruction assumed for a trace the manifest does not list (corpus mean 0.23). */
const BYTES_PER_INSTRUCTION = 0.25;

/** Instruction counts of the committed corpus by file name; empty when there is no manifest. */
export function manifestInstructions(root: string): Map<string, number> {
  const manifest = readManifest(join(root, "traces", "MANIFEST.json"));
  return new Map(manifest.traces.map((t) => [t.file, t.instructions]));
}

/** Iteration counts of the committed corpus by file name; empty when there is no manifest. */
export function manifestIterations(root: string): Map<string, number> {
  const manifest = readManifest(join(root, "traces", "MANIFEST.json"));
  return new Map(manifest.traces.map((t) => [t.file, t.iterations]));
}

/**
 * The share of a trace a windowed replay covers (config `maxIterations` of a trace of
 * `iterations`), for scaling its estimated cost; 1 for a whole-trace replay or an unknown
 * iteration count.
 */
export function windowShare(maxIterations: number | undefined, iterations: number | undefined) {
  if (!maxIterations || !iterations || maxIterations >= iterations) return 1;
  return maxIterations / iterations;
}

/**
 * The estimated cost of replaying `trace` once: the manifest's instruction count, else the
 * file size over the corpus's bytes per instruction, else {@link SYNTH_COST}.
 */
export function traceCost(
  trace: TraceSource,
  root: string,
  instructions: ReadonlyMap<string, number>,
): number {
  if (!("path" in trace)) return SYNTH_COST;
  const listed = instructions.get(basename(trace.path));
  if (listed !== undefined) return listed;
  try {
    const path = isAbsolute(trace.path) ? trace.path : join(root, trace.path);
    return Math.ceil(Deno.statSync(path).size / BYTES_PER_INSTRUCTION);
  } catch {
    return SYNTH_COST;
  }
}

/**
 * Guest instructions replayed per simulated millisecond per physical CPU, for estimating
 * a host run: about a P4's rate at a CPI near 3 (the estimate only balances shards).
 */
const HOST_INSTRUCTIONS_PER_MS = 1_000_000;

/**
 * The estimated cost of a host run: simulated time × physical CPUs at
 * {@link HOST_INSTRUCTIONS_PER_MS}, scaled down by the share of each slice replayed in
 * detail when the run is sampled (`detailUs`).
 */
export function hostCost(host: { readonly [key: string]: unknown }): number {
  const num = (v: unknown, d: number) => typeof v === "number" && Number.isFinite(v) ? v : d;
  const durationMs = num(host.durationMs, 100);
  const pcpus = num(host.pcpus, 1);
  const sliceMs = num((host.scheduler as { sliceMs?: unknown } | undefined)?.sliceMs, 10) || 10;
  const detailUs = num(host.detailUs, 0);
  const detail = detailUs > 0 ? Math.min(1, detailUs / (sliceMs * 1000)) : 1;
  return Math.ceil(durationMs * pcpus * HOST_INSTRUCTIONS_PER_MS * detail);
}

/**
 * Splits `items` into `count` shards by LPT on `cost`; each shard keeps its items in
 * their original order. With equal costs this is round robin.
 */
export function assignShards<T>(
  items: readonly T[],
  count: number,
  cost: (item: T) => number,
): T[][] {
  const costs = items.map(cost);
  const order = items.map((_, k) => k).sort((a, b) => costs[b] - costs[a] || a - b);
  const load = new Array<number>(count).fill(0);
  const members: number[][] = Array.from({ length: count }, () => []);
  for (const k of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s] < load[best]) best = s;
    load[best] += costs[k];
    members[best].push(k);
  }
  return members.map((ks) => ks.sort((a, b) => a - b).map((k) => items[k]));
}

/** Total estimated cost of each shard, in shard order. */
export function shardCosts<T>(shards: readonly T[][], cost: (item: T) => number): number[] {
  return shards.map((s) => s.reduce((sum, item) => sum + cost(item), 0));
}

/** One line per shard: `shard i/N: J jobs, C M instructions (P% of the total)`. */
export function describeShards<T>(shards: readonly T[][], cost: (item: T) => number): string[] {
  const costs = shardCosts(shards, cost);
  const total = costs.reduce((a, b) => a + b, 0);
  return shards.map((s, i) =>
    `shard ${i + 1}/${shards.length}: ${s.length} jobs, ${(costs[i] / 1e6).toFixed(1)} M ` +
    `instructions estimated (${total > 0 ? ((100 * costs[i]) / total).toFixed(1) : "0.0"}%)`
  );
}
