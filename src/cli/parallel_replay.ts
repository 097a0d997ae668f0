/**
 * Replays of traces anywhere on disk under configurations of the compact syntax, on the
 * experiment runner's worker pool, with its progress display: what `sweep` and `compare`
 * run. Results come back in the order asked, whatever order the workers finish in.
 *
 * @module
 */

import { resolve } from "node:path";
import type { ReplayConfig } from "../engine/config.ts";
import type { Result } from "../engine/result.ts";
import { loadPlatform, withOverrides } from "../platforms/load.ts";
import { resolveConfig } from "../engine/config.ts";
import { canonicalJson } from "./experiment/canonical.ts";
import { DEFAULT_ENGINE_URL } from "./experiment/engine.ts";
import type { Job, ReplayJob } from "./experiment/jobs.ts";
import { runJobs } from "./experiment/pool.ts";
import type { Progress } from "./experiment/progress.ts";
import { InputError } from "../util/errors.ts";

/**
 * Checks that every trace is a readable file before any worker starts: a missing one is
 * one line naming it as the user did (a worker would name its absolute path).
 */
export function checkTraceFiles(traces: readonly string[]): void {
  for (const t of traces) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(t);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new InputError(`${t}: no such trace file`);
      throw e;
    }
    if (!info.isFile) throw new InputError(`${t}: not a file`);
  }
}

/** One replay to run. */
export interface ReplayItem {
  /** The trace as the user named it (relative to the working folder, or absolute). */
  trace: string;
  /** The configuration (platform a name or a file path). */
  config: ReplayConfig & { platform?: string };
  /** How progress lines and errors name the replay. */
  label: string;
}

/**
 * The pool's job for an item. Its platform entries are checked here, before any worker
 * starts, so that an unknown key is one line and no replay has begun.
 */
export function replayJob(item: ReplayItem): ReplayJob {
  const resolved = resolveConfig(item.config);
  withOverrides(loadPlatform(resolved.platform), resolved.platformSet);
  // Workers read `root + path`: an absolute path with root "/" reaches any trace.
  const source = { path: resolve(item.trace) };
  const key = canonicalJson({ trace: source, config: item.config });
  return { key, file: "", trace: source, config: item.config, uses: [item.label] };
}

/** Replays `jobs` (from {@link replayJob}) on `workers` workers; results in the order given. */
export async function replayJobs(
  jobs: readonly ReplayJob[],
  traces: readonly string[],
  workers: number,
  progress: Progress,
  title: string,
): Promise<Result[]> {
  const results = new Map<Job, Result>();
  progress.start(jobs.length, title);
  try {
    await runJobs(jobs, {
      workers,
      engine: DEFAULT_ENGINE_URL,
      root: "/",
      onResult(job, result) {
        results.set(job, result as Result);
        progress.advance(job.uses[0]);
      },
    });
  } finally {
    progress.stop();
  }
  return jobs.map((job, i) => {
    const result = results.get(job)!;
    result.trace = { ...result.trace, path: traces[i] };
    return result;
  });
}

/**
 * Model options that no model read in any of `results` that was given them: typos, or
 * options of models none of the configurations selected. (One option set may go to
 * several configurations, so an option some of them ignore is fine; the engine lists it
 * in each such result's warnings, and this reads those.) Sorted.
 */
export function unreadOptions(results: readonly Result[]): string[] {
  const given = new Set<string>();
  const read = new Set<string>();
  for (const r of results) {
    const options = (r.config.options ?? {}) as Record<string, unknown>;
    const warnings = Array.isArray(r.warnings) ? r.warnings.map(String) : [];
    for (const key of Object.keys(options)) {
      given.add(key);
      if (!warnings.some((w) => w.startsWith(`option ${key} is not read by any model`))) {
        read.add(key);
      }
    }
  }
  return [...given].filter((k) => !read.has(k)).sort();
}
