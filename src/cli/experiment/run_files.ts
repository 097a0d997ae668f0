/**
 * The per-job result files under `OUT/runs/` and the run manifest: what a shard leaves
 * behind for `vmmlab merge`, and what a full run leaves so that it can be merged too.
 *
 * @module
 */

import { join } from "node:path";
import { nonFinitePath, type Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import type { JsonValue, RunConfig, TraceSource } from "../../../experiments/_lib/experiment.ts";
import { InputError } from "../../util/errors.ts";
import { writeFileAtomic } from "../../util/atomic.ts";
import { isHostJob, type Job } from "./jobs.ts";

/** Schema tag of a job's result file. */
export const RUN_SCHEMA = "vmmlab.run/1";

/** Schema tag of manifest.json. */
export const MANIFEST_SCHEMA = "vmmlab.manifest/1";

/** A job's result file: the job's identity and the engine's result. */
export interface RunFile {
  /** Always {@link RUN_SCHEMA}. */
  schema: typeof RUN_SCHEMA;
  /** The job key (canonical JSON of trace and config, or of the host). */
  key: string;
  /** The trace replayed (replay jobs). */
  trace?: TraceSource;
  /** The configuration as the experiments declared it (replay jobs). */
  config?: RunConfig;
  /** The host simulated (host jobs). */
  host?: { readonly [key: string]: JsonValue };
  /** The experiment runs served, `experiment/runId`. */
  uses: string[];
  /** The engine's result. */
  result: Result | HostResult;
}

/** What a run or merge did, written as OUT/manifest.json. */
export interface Manifest {
  /** Always {@link MANIFEST_SCHEMA}. */
  schema: typeof MANIFEST_SCHEMA;
  /** Experiment names, sorted. */
  experiments: string[];
  /** `i/N` for a shard, null for a complete run or merge. */
  shard: string | null;
  /** Number of jobs of the whole plan. */
  jobs: number;
  /** Result files this output holds (under runs/), sorted by job key. */
  files: string[];
  /** The identity of the results (runIdentity; absent in a shard and in older manifests). */
  run?: string;
  /** Wall time, worker count, merged folders: ignored by comparisons. */
  host: Record<string, unknown>;
}

/** Path of a job's result file under `out`. */
export function runFilePath(out: string, job: Job): string {
  return join(out, "runs", job.file);
}

/** Writes a job's result file atomically. */
export async function writeRunFile(
  out: string,
  job: Job,
  result: Result | HostResult,
): Promise<void> {
  const bad = nonFinitePath(result);
  if (bad !== null) {
    throw new InputError(`${runFilePath(out, job)}: the result's ${bad} is not finite`);
  }
  const file: RunFile = isHostJob(job)
    ? { schema: RUN_SCHEMA, key: job.key, host: job.host, uses: job.uses, result }
    : {
      schema: RUN_SCHEMA,
      key: job.key,
      trace: job.trace,
      config: job.config,
      uses: job.uses,
      result,
    };
  await writeFileAtomic(runFilePath(out, job), JSON.stringify(file, null, 2) + "\n");
}

/** Reads a job's result file from `dir`, or undefined if it has none; checks it belongs to `job`. */
export async function readRunFile(dir: string, job: Job): Promise<RunFile | undefined> {
  const path = runFilePath(dir, job);
  const file = await readJsonObject(path, MAX_RUN_FILE_BYTES) as Partial<RunFile> | undefined;
  if (file === undefined) return undefined;
  if (
    file.schema !== RUN_SCHEMA || file.key !== job.key || file.result === null ||
    typeof file.result !== "object"
  ) {
    throw new InputError(`${path}: not the result of job ${job.uses[0]}`);
  }
  return file as RunFile;
}

/** Largest run file read: a result is a few KB; a run file is one result with its job. */
const MAX_RUN_FILE_BYTES = 16 << 20;

/** Largest manifest read: one file name per job. */
const MAX_MANIFEST_BYTES = 64 << 20;

/**
 * Reads a JSON object from `path`: undefined when there is no file; an {@link InputError}
 * naming the path when it is a folder or other non-file, larger than `maxBytes`, not JSON,
 * or not an object (`null`, an array, a number).
 */
async function readJsonObject(path: string, maxBytes: number): Promise<object | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new InputError(`${path}: a file stands where its folder should be`);
    }
    throw e;
  }
  if (!info.isFile) throw new InputError(`${path}: not a regular file`);
  if (info.size > maxBytes) {
    throw new InputError(`${path}: ${info.size} bytes, more than the ${maxBytes} allowed`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`${path}: not a JSON object`);
  }
  return parsed;
}

/** Writes OUT/manifest.json atomically. */
export async function writeManifest(out: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
}

/** Reads DIR/manifest.json; a folder without one is not an experiment output. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, "manifest.json");
  const manifest = await readJsonObject(path, MAX_MANIFEST_BYTES) as Partial<Manifest> | undefined;
  if (manifest === undefined) {
    throw new InputError(
      `${dir}: no manifest.json: that run did not finish (a failed or missing shard; re-run it) or is not the output of vmmlab experiment`,
    );
  }
  if (
    manifest.schema !== MANIFEST_SCHEMA || !Array.isArray(manifest.experiments) ||
    !manifest.experiments.every((e) => typeof e === "string") ||
    !(manifest.shard === null || typeof manifest.shard === "string")
  ) {
    throw new InputError(`${path}: not a ${MANIFEST_SCHEMA} manifest`);
  }
  return manifest as Manifest;
}
