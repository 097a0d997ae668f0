/**
 * `vmmlab experiment`: load the experiments, expand them into the sorted job list, take
 * this shard's slice, replay it on worker threads writing each result as it arrives, and
 * — for a complete run — write every figure, the summary and the report.
 *
 * @module
 */

import { basename, join } from "node:path";
import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import type { Published } from "../../../experiments/_lib/experiment.ts";
import { loadPublished, PUBLISHED_RELATIVE_PATH } from "../../../experiments/_lib/published.ts";
import { DEFAULT_ENGINE_URL } from "./engine.ts";
import { EXPERIMENTS_DIR, loadExperiments, REPO_ROOT } from "./discover.ts";
import {
  isHostJob,
  type Job,
  type Plan,
  planExperiments,
  selectShard,
  type Shard,
} from "./jobs.ts";
import {
  assignShards,
  describeShards,
  hostCost,
  manifestInstructions,
  manifestIterations,
  traceCost,
  windowShare,
} from "./shard_cost.ts";
import { type ExperimentOutcome, writeOutputs } from "./outputs.ts";
import { runUnits } from "./pool.ts";
import { replayUnits, UNIT_LIMIT } from "./units.ts";
import { defaultWorkers, MAX_WORKERS } from "../options.ts";
import { defaultProgress, type Progress } from "./progress.ts";
import { MANIFEST_SCHEMA, writeManifest, writeRunFile } from "./run_files.ts";
import { runIdentity } from "./canonical.ts";
import { Stage } from "./staging.ts";

/** Options shared by a run and a merge. */
export interface CommonOptions {
  /** Output folder. */
  out: string;
  /** Repository root (default: this checkout). */
  root?: string;
  /** Folder of experiment modules (default: ROOT/experiments). */
  experimentsDir?: string;
  /** Folder of per-paper published values (default: ROOT/experiments/published). */
  publishedPath?: string;
  /** Progress display (default: bar on a terminal, lines otherwise). */
  progress?: Progress;
  /** Receives warnings (default: stderr). */
  warn?: (line: string) => void;
  /** Sentence for the top of the report. */
  note?: string;
}

/** Options of {@link runExperiments}. */
export interface RunOptions extends CommonOptions {
  /** Experiments to run; empty for all. */
  names: readonly string[];
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Run only this slice of the job list, and write no figures. */
  shard?: Shard;
  /** Engine module URL (default: the project's engine). */
  engine?: string;
}

/** What a run did, with wall-clock figures for the caller to print. */
export interface RunReport {
  /** The full plan. */
  plan: Plan;
  /** Jobs replayed by this run. */
  jobsRun: number;
  /** Worker threads used. */
  workers: number;
  /** Per-experiment outcomes, or null for a shard (no figures written). */
  outcomes: ExperimentOutcome[] | null;
  /** Seconds spent replaying. */
  replaySeconds: number;
  /** Seconds spent writing figures and report. */
  outputSeconds: number;
  /** For a shard: its jobs and estimated cost, as one line. */
  shardEstimate?: string;
  /** The identity of a complete run's results (see canonical.ts runIdentity). */
  run?: string;
}

/** Resolved common options. */
export interface Resolved {
  /** Repository root. */
  root: string;
  /** Experiments folder. */
  experimentsDir: string;
  /** The published values. */
  published: Published;
  /** Progress display. */
  progress: Progress;
  /** Warning sink. */
  warn: (line: string) => void;
}

/** Fills in defaults and reads the published values. */
export async function resolveCommon(options: CommonOptions): Promise<Resolved> {
  const root = options.root ?? REPO_ROOT;
  return {
    root,
    experimentsDir: options.experimentsDir ??
      (options.root ? join(root, "experiments") : EXPERIMENTS_DIR),
    published: await loadPublished(options.publishedPath ?? join(root, PUBLISHED_RELATIVE_PATH)),
    progress: options.progress ?? defaultProgress(),
    warn: options.warn ?? ((line) => console.error(`warning: ${line}`)),
  };
}

/** Plans the named experiments without replaying: the job list and each job's estimated cost. */
export async function planRun(
  options: CommonOptions & { names: readonly string[] },
): Promise<{ plan: Plan; cost: (job: Job) => number; root: string }> {
  const common = await resolveCommon(options);
  const experiments = await loadExperiments(options.names, common.experimentsDir);
  const plan = await planExperiments(experiments, {
    root: common.root,
    published: common.published,
  });
  return { plan, cost: jobCost(common.root), root: common.root };
}

/** Runs experiments as `vmmlab experiment` does; see the module doc. */
export async function runExperiments(options: RunOptions): Promise<RunReport> {
  const common = await resolveCommon(options);
  const experiments = await loadExperiments(options.names, common.experimentsDir);
  const plan = await planExperiments(experiments, {
    root: common.root,
    published: common.published,
  });
  let jobs = plan.jobs;
  let shardEstimate: string | undefined;
  const cost = jobCost(common.root);
  if (options.shard) {
    jobs = selectShard(plan.jobs, options.shard, cost);
    shardEstimate = describeShards(assignShards(plan.jobs, options.shard.count, cost), cost)[
      options.shard.index - 1
    ];
  }
  const workers = Math.min(MAX_WORKERS, Math.max(1, options.workers ?? defaultWorkers()));
  const results = new Map<string, Result | HostResult>();
  // Everything goes to a staging folder first and into OUT only once complete, so an
  // interrupted or failed re-run never mixes old and new files (see staging.ts).
  const stage = Stage.open(options.out);
  let outcomes: ExperimentOutcome[] | null;
  let replaySeconds: number;
  let outputSeconds: number;
  let run: string | undefined;
  try {
    const replayStart = performance.now();
    common.progress.start(jobs.length, "replay");
    try {
      await runUnits(replayUnits(jobs, cost, UNIT_LIMIT, workers), {
        workers,
        engine: options.engine ?? DEFAULT_ENGINE_URL,
        root: common.root,
        onResult: async (job, result) => {
          results.set(job.key, result);
          await writeRunFile(stage.dir, job, result);
          common.progress.advance(job.uses[0]);
        },
      });
    } finally {
      common.progress.stop();
    }
    replaySeconds = (performance.now() - replayStart) / 1000;
    const outputStart = performance.now();
    run = options.shard ? undefined : await runIdentity(plan.jobs.map((j) => j.key), results);
    outcomes = options.shard ? null : await writeOutputs(plan, results, {
      out: stage.dir,
      published: common.published,
      progress: common.progress,
      warn: common.warn,
      note: options.note,
      run,
    });
    outputSeconds = (performance.now() - outputStart) / 1000;
    await writeManifest(stage.dir, {
      schema: MANIFEST_SCHEMA,
      experiments: plan.experiments.map((e) => e.experiment.name),
      shard: options.shard ? `${options.shard.index}/${options.shard.count}` : null,
      jobs: plan.jobs.length,
      files: jobs.map((j) => j.file),
      ...(run === undefined ? {} : { run }),
      host: { workers, replaySeconds, outputSeconds },
    });
    stage.commit();
  } catch (e) {
    stage.abandon();
    throw e;
  }
  return {
    plan,
    jobsRun: jobs.length,
    workers,
    outcomes,
    replaySeconds,
    outputSeconds,
    shardEstimate,
    run,
  };
}

/** The estimated cost of a job (its trace's instructions, or a host's), for balancing shards. */
export function jobCost(root: string): (job: Job) => number {
  const instructions = manifestInstructions(root);
  const iterations = manifestIterations(root);
  return (job) => {
    if (isHostJob(job)) return hostCost(job.host);
    const whole = traceCost(job.trace, root, instructions);
    if (!("path" in job.trace)) return whole;
    const share = windowShare(job.config.maxIterations, iterations.get(basename(job.trace.path)));
    return Math.ceil(whole * share);
  };
}
