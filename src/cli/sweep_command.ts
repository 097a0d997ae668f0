/**
 * `vmmlab sweep TRACE.. --vary KEY=V1,V2,.. [--vary KEY2=..] [--config SPEC]
 * [--set platform.KEY=VALUE ..] [--option KEY=VALUE ..] [--metric M] [--workers N]
 * [--out DIR|-] [--quiet]`: a study without writing TypeScript. Replays run on the
 * experiment runner's worker pool; outputs are written once every replay is done, so
 * an interrupted or failed sweep leaves no partial file.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { resolve } from "node:path";
import { InputError, UsageError } from "../util/errors.ts";
import { applySetting, type NamedConfig, parseConfigSpec } from "./config_spec.ts";
import "../engine/builtins.ts";
import { checkOptionKeys } from "../engine/model.ts";
import type { ReplayConfig } from "../engine/config.ts";
import { parseShard, type ReplayJob, selectShard } from "./experiment/jobs.ts";
import { REPO_ROOT } from "./experiment/discover.ts";
import { manifestInstructions, traceCost } from "./experiment/shard_cost.ts";
import { emitSlurmScripts } from "./experiment/slurm.ts";
import { defaultProgress, type Progress, SilentProgress } from "./experiment/progress.ts";
import { checkOutputFolder, defaultWorkers, positiveInteger, workerCount } from "./options.ts";
import { writeStdout } from "./output.ts";
import { checkTraceFiles, replayJob, replayJobs, unreadOptions } from "./parallel_replay.ts";
import { writeSweep } from "./sweep_outputs.ts";
import { writeShard } from "./sweep_shard.ts";
import { collect, parseOptionFlags, parseSetFlags } from "./settings.ts";
import {
  checkSweepSize,
  parseMetric,
  parseVary,
  pointConfig,
  points,
  sweepCsv,
  type SweepPoint,
  type Vary,
} from "./sweep.ts";

/** What one sweep asks for. */
export interface SweepRequest {
  /** Trace files, as the user named them. */
  traces: string[];
  /** The keys and values to vary. */
  varies: Vary[];
  /** The configuration every point starts from. */
  base: NamedConfig;
}

/** One replay of a sweep: its place in the plan, and the job the pool runs. */
export interface PlannedPoint {
  /** Position in the plan (trace by trace, the first key varying slowest). */
  index: number;
  /** The trace as the user named it. */
  trace: string;
  /** The values, one per vary key. */
  point: string[];
  /** The pool's job. */
  job: ReplayJob;
}

/**
 * Every replay of the sweep in plan order (trace by trace, the first key varying
 * slowest). Each configuration's platform entries are checked here, before any worker
 * starts, so an unknown key is one line.
 */
export function planSweep(request: SweepRequest): PlannedPoint[] {
  const plan = points(request.varies);
  const out: PlannedPoint[] = [];
  for (const trace of request.traces) {
    for (const point of plan) {
      const config = pointConfig(request.base.config, request.varies, point);
      const label = request.varies.map((v, i) => `${v.key}=${point[i]}`).join(",");
      const job = replayJob({ trace, config, label: `${trace} ${label}` });
      out.push({ index: out.length, trace, point, job });
    }
  }
  return out;
}

/**
 * Replays `planned` on the worker pool; returns the points in the order given, whatever
 * order they finish in, each result naming its trace as the user did.
 */
export async function runPlanned(
  planned: readonly PlannedPoint[],
  workers: number,
  progress: Progress,
): Promise<SweepPoint[]> {
  const traces = planned.map((p) => p.trace);
  const results = await replayJobs(planned.map((p) => p.job), traces, workers, progress, "sweep");
  return planned.map((p, i) => ({ trace: p.trace, point: p.point, result: results[i] }));
}

/** Adds the `sweep` subcommand to `program`. */
export function registerSweepCommand(program: Command): void {
  program
    .command("sweep")
    .description(
      "replay traces over a grid of model options and platform costs; write a CSV and a chart",
    )
    .argument("<traces...>", "trace files (.vmt)")
    .option(
      "--vary <key=v1,v2,..>",
      "a key of the compact syntax and its values, e.g. platform.hw.vm-exit=250,500,1000 (once or twice)",
      collect,
      [] as string[],
    )
    .option("--config <spec>", "the configuration every point starts from", "cpu=hw,mmu=nested")
    .option(
      "--set <platform.key=value>",
      "override a platform entry at every point (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--option <key=value>",
      "model option at every point (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--metric <name>",
      "what the chart shows: steady-slowdown|overhead|steady-per-iteration|slowdown",
      "steady-slowdown",
    )
    .option(
      "--workers <n>",
      "parallel replay workers, 1 to 256 (default: one per core)",
      workerCount,
    )
    .option(
      "--out <dir>",
      "output folder (- prints the CSV on standard output, no chart)",
      "out/sweep",
    )
    .option(
      "--shard <i/N>",
      "replay only every N-th point from the i-th; combine the shards with vmmlab merge",
    )
    .option("--quiet", "no progress display")
    .option(
      "--slurm-script",
      "write Slurm scripts (job array of --shards tasks + merge job) into OUT/slurm instead of running",
    )
    .option("--shards <n>", "with --slurm-script: number of array tasks", positiveInteger)
    .option(
      "--slurm-cpus <n>",
      "with --slurm-script: --cpus-per-task (and workers)",
      workerCount,
      2,
    )
    .option("--slurm-mem <size>", "with --slurm-script: --mem per task", "4G")
    .option("--slurm-time <time>", "with --slurm-script: --time per task", "01:00:00")
    .option("--slurm-partition <name>", "with --slurm-script: --partition")
    .action(async (traces, o) => {
      if (o.slurmScript && (o.shards === undefined || o.shard !== undefined || o.out === "-")) {
        throw new UsageError("--slurm-script needs --shards N and an --out folder, and no --shard");
      }
      if (!o.slurmScript && o.shards !== undefined) {
        throw new UsageError("--shards goes with --slurm-script");
      }
      const shard = o.shard === undefined ? undefined : parseShard(o.shard);
      if (shard !== undefined && o.out === "-") {
        throw new UsageError("--shard writes a folder for vmmlab merge; it excludes --out -");
      }
      const metric = parseMetric(o.metric);
      const varies = o.vary.map(parseVary);
      checkSweepSize(varies, traces.length);
      const base = parseConfigSpec(o.config);
      base.config.options = { ...parseOptionFlags(o.option), ...base.config.options };
      // A mistyped option is one line before anything runs (sweep loads no model files).
      checkOptionKeys(base.config.options);
      for (const v of varies) {
        const scratch: ReplayConfig & { platform?: string } = {};
        applySetting("--vary", scratch, v.key, v.values[0]);
        checkOptionKeys(scratch.options ?? {}, "--vary");
      }
      base.config.platformSet = { ...parseSetFlags(o.set), ...base.config.platformSet };
      for (const v of varies) {
        if (
          v.key.startsWith("platform.") &&
          base.config.platformSet[v.key.slice("platform.".length)] !== undefined
        ) {
          throw new InputError(`--vary: ${v.key} is also fixed by --set or --config`);
        }
      }
      if (o.out !== "-") checkOutputFolder("--out", o.out);
      checkTraceFiles(traces);
      const planned = planSweep({ traces, varies, base });
      const instructions = manifestInstructions(REPO_ROOT);
      const cost = (p: PlannedPoint) =>
        traceCost({ path: resolve(p.trace) }, REPO_ROOT, instructions);
      if (o.slurmScript) {
        const command = [
          "sweep",
          ...traces.map((t) => resolve(t)),
          ...o.vary.flatMap((v) => ["--vary", v]),
          "--config",
          o.config,
          ...o.set.flatMap((v) => ["--set", v]),
          ...o.option.flatMap((v) => ["--option", v]),
          "--metric",
          o.metric,
        ];
        await emitSlurmScripts(planned, cost, command, resolve(o.out), REPO_ROOT, {
          ...o,
          shards: o.shards!,
        });
        return;
      }
      const mine = shard === undefined ? planned : selectShard(planned, shard, cost);
      const rows = await runPlanned(
        mine,
        o.workers ?? defaultWorkers(),
        o.quiet ? new SilentProgress() : defaultProgress(),
      );
      const unread = unreadOptions(rows.map((r) => r.result));
      if (unread.length > 0) {
        const varied = varies.some((v) => v.key === unread[0] || v.key === `option.${unread[0]}`);
        throw new InputError(
          `${varied ? "--vary" : "--option"}: ${
            unread[0]
          } is not read by any model of the sweep's configurations (an option of a model not selected)`,
        );
      }
      const warned = new Set<string>();
      for (const r of rows) {
        for (const w of Array.isArray(r.result.warnings) ? r.result.warnings : []) {
          if (!warned.has(String(w))) console.error(`vmmlab: warning: ${w}`);
          warned.add(String(w));
        }
      }
      if (o.out === "-") {
        await writeStdout(sweepCsv(varies, rows));
        return;
      }
      if (shard !== undefined) {
        const plan = { traces, varies, base, metric, points: planned.length };
        await writeShard(
          o.out,
          plan,
          shard,
          mine.map((p, i) => ({ index: p.index, point: rows[i] })),
        );
        console.error(
          `shard ${shard.index}/${shard.count}: ${rows.length} of ${planned.length} replays in ${o.out}; combine the shards with vmmlab merge`,
        );
        return;
      }
      const files = await writeSweep(o.out, varies, base, rows, metric);
      console.error(`${rows.length} replays; wrote ${files.join(", ")}`);
    });
}
