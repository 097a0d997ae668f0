/**
 * Sharded sweeps, in the manner of `vmmlab experiment --shard i/N`: each shard replays
 * every N-th point of the plan (the experiment runner's selectShard) and leaves its
 * plan and one file per replay in its folder; `vmmlab merge DIR.. --out OUT` checks that
 * the shards ran the same plan and cover it, then writes the sweep's outputs exactly as
 * an unsharded run does. Shards can run on different machines (a cluster's array job).
 *
 * @module
 */

import { join } from "node:path";
import type { Result } from "../engine/result.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { InputError } from "../util/errors.ts";
import type { NamedConfig } from "./config_spec.ts";
import { canonicalJson, withoutHost } from "./experiment/canonical.ts";
import type { Shard } from "./experiment/jobs.ts";
import type { Progress } from "./experiment/progress.ts";
import type { Metric, SweepPoint, Vary } from "./sweep.ts";
import { writeSweep } from "./sweep_outputs.ts";

/** Schema tag of a shard's `sweep.plan.json`. */
export const SWEEP_PLAN_SCHEMA = "vmmlab.sweep-plan/1";

/** Schema tag of a shard's `runs/NNNNN.json`. */
export const SWEEP_RUN_SCHEMA = "vmmlab.sweep-run/1";

/** What every shard of one sweep shares: the question, not who answers which part. */
export interface SweepPlan {
  /** Trace files as the user named them. */
  traces: string[];
  /** Keys and values varied. */
  varies: Vary[];
  /** The configuration every point starts from. */
  base: NamedConfig;
  /** The chart's metric. */
  metric: Metric;
  /** Number of replays in the whole plan. */
  points: number;
}

/** The most plan points a merge accepts (as a sweep plans at most this many). */
const MAX_MERGE_POINTS = 10_000;

function runFile(index: number): string {
  return join("runs", `${String(index).padStart(5, "0")}.json`);
}

/** Writes one shard's plan and results into `dir`. */
export async function writeShard(
  dir: string,
  plan: SweepPlan,
  shard: Shard,
  rows: readonly { index: number; point: SweepPoint }[],
): Promise<void> {
  for (const { index, point } of rows) {
    const doc = { schema: SWEEP_RUN_SCHEMA, index, trace: point.trace, values: point.point };
    await writeFileAtomic(
      join(dir, runFile(index)),
      JSON.stringify({ ...doc, result: point.result }, null, 2) + "\n",
    );
  }
  const doc = { schema: SWEEP_PLAN_SCHEMA, shard: `${shard.index}/${shard.count}`, ...plan };
  await writeFileAtomic(join(dir, "sweep.plan.json"), JSON.stringify(doc, null, 2) + "\n");
}

/** Whether `dir` holds a sweep shard (so `vmmlab merge` merges a sweep, not experiments). */
export function isSweepShard(dir: string): boolean {
  try {
    return Deno.statSync(join(dir, "sweep.plan.json")).isFile;
  } catch {
    return false;
  }
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new InputError(`merge: cannot read ${path} (${(e as Error).message})`);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value !== "object" || value === null) throw new Error("not an object");
    return value;
  } catch (e) {
    throw new InputError(`merge: ${path} is not a JSON object (${(e as Error).message})`);
  }
}

async function readPlan(dir: string): Promise<{ plan: SweepPlan; shard: string }> {
  const path = join(dir, "sweep.plan.json");
  const doc = await readJson(path);
  if (doc.schema !== SWEEP_PLAN_SCHEMA) {
    throw new InputError(`merge: ${path}: schema is not ${SWEEP_PLAN_SCHEMA}`);
  }
  const points = doc.points;
  if (
    typeof points !== "number" || !Number.isInteger(points) || points < 1 ||
    points > MAX_MERGE_POINTS
  ) {
    throw new InputError(`merge: ${path}: points must be a whole number from 1 to 10000`);
  }
  const { shard, schema: _, ...plan } = doc;
  return { plan: plan as unknown as SweepPlan, shard: String(shard) };
}

/**
 * Merges sweep shards into `out`: the shards must share one plan, cover every point,
 * and agree wherever two hold the same point. Returns the files written.
 */
export async function mergeSweep(
  dirs: readonly string[],
  out: string,
  progress: Progress,
): Promise<string[]> {
  const plans = await Promise.all(dirs.map(readPlan));
  const plan = plans[0].plan;
  for (let i = 1; i < plans.length; i++) {
    if (canonicalJson(plans[i].plan) !== canonicalJson(plan)) {
      throw new InputError(`merge: ${dirs[i]} ran another sweep than ${dirs[0]}`);
    }
  }
  const rows: SweepPoint[] = [];
  const missing: number[] = [];
  progress.start(plan.points, "merge");
  for (let index = 0; index < plan.points; index++) {
    let found: { dir: string; result: Result; trace: string; values: string[] } | undefined;
    for (const dir of dirs) {
      try {
        Deno.statSync(join(dir, runFile(index)));
      } catch {
        continue;
      }
      const doc = await readJson(join(dir, runFile(index)));
      if (doc.schema !== SWEEP_RUN_SCHEMA || doc.index !== index) {
        throw new InputError(`merge: ${join(dir, runFile(index))} is not point ${index}`);
      }
      const result = doc.result as Result;
      if (!found) {
        found = { dir, result, trace: String(doc.trace), values: doc.values as string[] };
      } else if (
        canonicalJson(withoutHost(found.result)) !== canonicalJson(withoutHost(result))
      ) {
        throw new InputError(`merge: ${found.dir} and ${dir} disagree on point ${index}`);
      }
    }
    if (found) rows.push({ trace: found.trace, point: found.values, result: found.result });
    else missing.push(index);
    progress.advance(`point ${index}`);
  }
  progress.stop();
  if (missing.length > 0) {
    throw new InputError(
      `merge: ${missing.length} of ${plan.points} sweep points missing (given shards: ${
        plans.map((p) => p.shard).join(", ")
      }); first missing: point ${missing[0]}`,
    );
  }
  return await writeSweep(out, plan.varies, plan.base, rows, plan.metric);
}
