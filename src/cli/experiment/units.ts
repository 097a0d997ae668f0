/**
 * Units of work for the replay workers: replay jobs of one trace, warm-up and iteration
 * limit go to one worker together, which replays them from one decode of the trace and
 * with shared native baselines where the engine can (src/engine/group.ts); host jobs go
 * alone. Units change who computes a job and when, never a job's result, so every
 * output is the same for any unit split, worker count or shard.
 *
 * @module
 */

import type { RunConfig } from "../../../experiments/_lib/experiment.ts";
import { canonicalJson } from "./canonical.ts";
import { isHostJob, type Job } from "./jobs.ts";
import { baselineKey } from "../../engine/group.ts";
import { resolveConfig } from "../../engine/config.ts";

/**
 * Most jobs in one unit: each configuration of a group replay holds its own models (TLBs,
 * shadow tables, caches), so a worker's memory grows with the unit. Measured, one unit of
 * all 18 kernel-compile-gcc configurations peaks at 407 MB (7 of them at 374 MB) and of
 * all 25 kv-memcached ones at 358 MB, and replays in 15% and 7% less CPU than units of 8:
 * every configuration of a trace shares one decode and each distinct baseline runs once.
 * 32 covers the largest groups (25 configurations of one trace today) whole.
 */
export const UNIT_LIMIT = 32;

/** What a group replay shares: the trace and the replayed window. */
function groupKey(job: Job): string | null {
  if (isHostJob(job)) return null;
  return canonicalJson({
    trace: job.trace,
    warmup: job.config.warmup ?? 0,
    maxIterations: job.config.maxIterations ?? 0,
  });
}

/**
 * What a job's native baseline depends on, as the default engine keys it
 * (src/engine/group.ts `baselineKey`): a group is split keeping jobs with the same value
 * together, so that configurations that can share a baseline land in the same unit (the
 * engine decides what it really shares). A configuration the engine cannot resolve keeps
 * its whole configuration apart from the models, which only costs sharing.
 */
function baselineOrder(job: Job): string {
  if (isHostJob(job)) return "";
  try {
    return baselineKey(resolveConfig(job.config));
  } catch {
    const { cpu: _cpu, mmu: _mmu, memory: _memory, io: _io, ...rest }: RunConfig = job.config;
    return canonicalJson(rest);
  }
}

/**
 * Splits one group into `count` units of at most an even share of its jobs each, keeping
 * configurations of one {@link baselineOrder} together where they fit: clusters go largest
 * first into the unit with the fewest jobs (a cluster larger than the room left is spread
 * over the units with room). Jobs keep their order in `group` within a unit.
 */
function splitGroup<T extends Job>(group: readonly T[], count: number): T[][] {
  if (count <= 1) return [[...group]];
  const limit = Math.ceil(group.length / count);
  const clusters = new Map<string, number[]>();
  group.forEach((job, k) => {
    const key = baselineOrder(job);
    const cluster = clusters.get(key);
    if (cluster) cluster.push(k);
    else clusters.set(key, [k]);
  });
  const bins: number[][] = Array.from({ length: count }, () => []);
  const emptiest = () => bins.reduce((best, bin) => (bin.length < best.length ? bin : best));
  const bySize = [...clusters.values()].sort((a, b) => b.length - a.length || a[0] - b[0]);
  for (const cluster of bySize) {
    let bin = emptiest();
    if (bin.length + cluster.length <= limit) {
      bin.push(...cluster);
      continue;
    }
    for (const k of cluster) {
      if (bin.length >= limit) bin = emptiest();
      bin.push(k);
    }
  }
  return bins.filter((bin) => bin.length > 0).map((bin) =>
    bin.sort((a, b) => a - b).map((k) => group[k])
  );
}

/**
 * The order in which workers are handed work: largest estimated cost first (ties in plan
 * order), so that the longest replays start at once and the run does not end with one
 * worker busy on a large unit the others finished waiting for (Graham's LPT rule again).
 * Results are stored by job key, so the order reaches no output.
 */
export function dispatchOrder<T>(jobs: readonly T[], cost: (job: T) => number): T[] {
  const costs = jobs.map(cost);
  return jobs.map((_, k) => k).sort((a, b) => costs[b] - costs[a] || a - b).map((k) => jobs[k]);
}

/**
 * Splits `jobs` into units: replay jobs grouped by trace and window, each group split into
 * the fewest units of at most `limit` jobs ({@link splitGroup}); every host job alone. With
 * `workers` > 1 a group is also split into units of about a `workers`-th of the whole
 * run's estimated cost or less (a single job larger than that stays one unit), so that on
 * many cores no single large unit outlasts the rest of the run. Units come in
 * {@link dispatchOrder} of their summed cost, ties in order of their first job in `jobs`.
 */
export function replayUnits<T extends Job>(
  jobs: readonly T[],
  cost: (job: T) => number,
  limit: number = UNIT_LIMIT,
  workers = 1,
): T[][] {
  // Groups in order of their first job; a host job is a group of its own.
  const groups = new Map<string, T[]>();
  const ordered: T[][] = [];
  for (const job of jobs) {
    const key = groupKey(job);
    const group = key === null ? undefined : groups.get(key);
    if (group) {
      group.push(job);
    } else {
      const fresh = [job];
      if (key !== null) groups.set(key, fresh);
      ordered.push(fresh);
    }
  }
  const total = jobs.reduce((s, job) => s + cost(job), 0);
  const share = total / Math.max(1, workers);
  const units: T[][] = [];
  for (const group of ordered) {
    const groupCost = group.reduce((s, job) => s + cost(job), 0);
    const byCost = workers > 1 && share > 0 ? Math.ceil(groupCost / share) : 1;
    const count = Math.min(group.length, Math.max(Math.ceil(group.length / limit), byCost));
    units.push(...splitGroup(group, count));
  }
  return dispatchOrder(units, (unit) => unit.reduce((s, job) => s + cost(job), 0));
}
