/**
 * The job list: every experiment's runs expanded into replay jobs, identical runs merged
 * into one job, the whole sorted by a canonical key — so the list, its shards and every
 * output are the same whichever machine, worker count or shard computes them.
 *
 * @module
 */

import { isAbsolute, join, normalize } from "node:path";
import type {
  AnyRunSpec,
  Experiment,
  ExperimentContext,
  JsonValue,
  RunConfig,
  TraceSource,
} from "../../../experiments/_lib/experiment.ts";
import { InputError, UsageError } from "../../util/errors.ts";
import { canonicalJson, shortHash } from "./canonical.ts";
import { byCodePoint } from "./discover.ts";
import { assignShards } from "./shard_cost.ts";

/** A run of one experiment, tied to the job that computes it. */
export interface PlannedRun {
  /** The run as the experiment declared it. */
  spec: AnyRunSpec;
  /** Key of the job computing it. */
  key: string;
}

/** An experiment with its runs in declared order. */
export interface PlannedExperiment {
  /** The experiment module. */
  experiment: Experiment;
  /** Its runs. */
  runs: PlannedRun[];
}

/** What every job has, whatever it computes. */
interface JobCommon {
  /** Canonical JSON of `{trace, config}` (or `{host}`): the job's identity. */
  key: string;
  /** File name of the job's result under `runs/` (a hash of the key). */
  file: string;
  /** The runs it serves, as `experiment/runId`, sorted. */
  uses: string[];
}

/** One replay to perform, possibly shared by several experiments' runs. */
export interface ReplayJob extends JobCommon {
  /** The trace to replay. */
  trace: TraceSource;
  /** The configuration to replay under. */
  config: RunConfig;
}

/** One host simulation to perform (an experiment's {@link HostRunSpec}). */
export interface HostJob extends JobCommon {
  /** The host description, VM traces relative to the repository root. */
  host: { readonly [key: string]: JsonValue };
}

/** A unit of work of the plan: a replay or a host simulation. */
export type Job = ReplayJob | HostJob;

/** Whether a job is a host simulation. */
export function isHostJob(job: Job): job is HostJob {
  return "host" in job;
}

/** The expanded, sorted work of a set of experiments. */
export interface Plan {
  /** Experiments sorted by name. */
  experiments: PlannedExperiment[];
  /** Unique jobs sorted by key. */
  jobs: Job[];
}

/** A 1-based shard `index` of `count`. */
export interface Shard {
  /** Which slice, from 1 to count. */
  index: number;
  /** How many slices. */
  count: number;
}

/** How a trace source is written in results and file listings: its path or `synth:RECIPE`. */
export function traceLabel(trace: TraceSource): string {
  if ("path" in trace) return trace.path;
  const params = Object.entries(trace.params ?? {}).sort(([a], [b]) => byCodePoint(a, b));
  const query = params.map(([k, v]) => `${k}=${v}`).join("&");
  return `synth:${trace.synth}${query ? `?${query}` : ""}`;
}

/** Checks a host run's VM trace paths as {@link checkTrace} does; the rest is checked when it runs. */
function checkHost(where: string, host: unknown, root: string): void {
  if (host === null || typeof host !== "object" || Array.isArray(host)) {
    throw new InputError(`${where}: host must be a host description object`);
  }
  const vms = (host as { vms?: unknown }).vms;
  if (!Array.isArray(vms)) throw new InputError(`${where}: host has no vms list`);
  for (const vm of vms) {
    const path = (vm as { trace?: unknown } | null)?.trace;
    if (typeof path !== "string") throw new InputError(`${where}: a VM has no trace path`);
    checkTrace(where, { path }, root);
  }
}

function checkTrace(where: string, trace: TraceSource, root: string): void {
  if ("path" in trace) {
    if (typeof trace.path !== "string" || trace.path === "" || isAbsolute(trace.path)) {
      throw new InputError(`${where}: trace path must be relative to the repository root`);
    }
    const clean = normalize(trace.path);
    if (clean.startsWith("..")) {
      throw new InputError(`${where}: trace path ${trace.path} leaves the repository`);
    }
    try {
      if (!Deno.statSync(join(root, clean)).isFile) throw new Deno.errors.NotFound();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new InputError(`${where}: trace ${trace.path} not found`);
      }
      throw e;
    }
  } else if (typeof trace.synth !== "string" || trace.synth === "") {
    throw new InputError(`${where}: trace must be {path} or {synth, params?}`);
  }
}

/** Expands experiments into the sorted, de-duplicated job list. */
export async function planExperiments(
  experiments: readonly Experiment[],
  context: ExperimentContext,
): Promise<Plan> {
  const jobs = new Map<string, Job>();
  const planned: PlannedExperiment[] = [];
  const sorted = [...experiments].sort((a, b) => byCodePoint(a.name, b.name));
  for (const experiment of sorted) {
    const specs = await experiment.runs(context);
    const seen = new Set<string>();
    const runs: PlannedRun[] = [];
    for (const spec of specs) {
      const where = `experiments/${experiment.name}.ts: run ${spec.id}`;
      if (typeof spec.id !== "string" || spec.id === "") {
        throw new InputError(`experiments/${experiment.name}.ts: a run has no id`);
      }
      if (seen.has(spec.id)) throw new InputError(`${where}: duplicate run id`);
      seen.add(spec.id);
      let key: string;
      if ("host" in spec) {
        checkHost(where, spec.host, context.root);
        key = canonicalJson({ host: spec.host });
      } else {
        checkTrace(where, spec.trace, context.root);
        key = canonicalJson({ trace: spec.trace, config: spec.config });
      }
      let job = jobs.get(key);
      if (!job) {
        const file = `${await shortHash(key)}.json`;
        job = "host" in spec
          ? { key, file, host: spec.host, uses: [] }
          : { key, file, trace: spec.trace, config: spec.config, uses: [] };
        jobs.set(key, job);
      }
      job.uses.push(`${experiment.name}/${spec.id}`);
      runs.push({ spec, key });
    }
    planned.push({ experiment, runs });
  }
  const list = [...jobs.values()].sort((a, b) => byCodePoint(a.key, b.key));
  for (const job of list) job.uses.sort(byCodePoint);
  return { experiments: planned, jobs: list };
}

/** Parses `--shard i/N` (1 <= i <= N); anything else is a {@link UsageError}. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/N with 1 <= i <= N, got ${text}`);
  }
  return { index, count };
}

/**
 * The jobs of one shard. Shards balance estimated cost (see shard_cost.ts); with the
 * default equal costs this is every count-th job starting at index-1.
 */
export function selectShard<T>(
  jobs: readonly T[],
  shard: Shard,
  cost: (job: T) => number = () => 1,
): T[] {
  return assignShards(jobs, shard.count, cost)[shard.index - 1];
}
