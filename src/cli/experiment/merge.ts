/**
 * `vmmlab merge DIR.. --out DIR`: gather the job results that shards (or whole runs)
 * left in their `runs/` folders, check that together they cover the plan exactly once
 * (or agree where they overlap), and write the figures, summary and report exactly as a
 * single complete run would.
 *
 * @module
 */

import { canonicalJson, runIdentity, withoutHost } from "./canonical.ts";
import { Stage } from "./staging.ts";
import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import { InputError } from "../../util/errors.ts";
import { sweepStale } from "../../util/interrupt.ts";
import { loadExperiments } from "./discover.ts";
import { planExperiments } from "./jobs.ts";
import { type ExperimentOutcome, writeOutputs } from "./outputs.ts";
import { type CommonOptions, resolveCommon } from "./runner.ts";
import {
  MANIFEST_SCHEMA,
  readManifest,
  readRunFile,
  writeManifest,
  writeRunFile,
} from "./run_files.ts";

/** Options of {@link mergeOutputs}. */
export interface MergeOptions extends CommonOptions {
  /** Folders written by `vmmlab experiment` (typically with `--shard`). */
  dirs: readonly string[];
}

/** Merges shard outputs into one complete output; returns the per-experiment outcomes. */
export async function mergeOutputs(options: MergeOptions): Promise<ExperimentOutcome[]> {
  if (options.dirs.length === 0) throw new InputError("merge: no folders given");
  const common = await resolveCommon(options);
  const manifests = await Promise.all(options.dirs.map(readManifest));
  const names = manifests[0].experiments;
  for (let i = 1; i < manifests.length; i++) {
    if (canonicalJson(manifests[i].experiments) !== canonicalJson(names)) {
      throw new InputError(
        `merge: ${options.dirs[i]} ran experiments ${manifests[i].experiments.join(",")}, ` +
          `but ${options.dirs[0]} ran ${names.join(",")}`,
      );
    }
  }
  const absent = missingShards(manifests.map((m) => m.shard));
  if (absent.length > 0) {
    throw new InputError(
      `merge: shard ${absent.join(", ")} missing among the folders given; re-run ` +
        `${absent.length === 1 ? "it" : "them"} alone with vmmlab experiment --shard i/N ` +
        `(on Slurm: sbatch --array=${absent.map((a) => Number(a.split("/")[0]) - 1).join(",")} ` +
        `OUT/slurm/shards.sbatch)`,
    );
  }
  const experiments = await loadExperiments(names, common.experimentsDir);
  const plan = await planExperiments(experiments, {
    root: common.root,
    published: common.published,
  });
  // What killed runs left in OUT goes before any progress is reported, not when the stage
  // opens after every input is read: an interrupt in between must find OUT as the last
  // complete run left it, without a dead run's staging folder or temporary files.
  sweepStale(options.out);
  const results = new Map<string, Result | HostResult>();
  const missing: string[] = [];
  common.progress.start(plan.jobs.length, "merge");
  for (const job of plan.jobs) {
    let found: { dir: string; result: Result | HostResult } | undefined;
    for (const dir of options.dirs) {
      const file = await readRunFile(dir, job);
      if (!file) continue;
      if (!found) {
        found = { dir, result: file.result };
      } else if (
        canonicalJson(withoutHost(found.result)) !== canonicalJson(withoutHost(file.result))
      ) {
        throw new InputError(
          `merge: ${found.dir} and ${dir} disagree on the result of ${job.uses[0]} (${job.file})`,
        );
      }
    }
    if (found) results.set(job.key, found.result);
    else missing.push(job.uses[0]);
    common.progress.advance(job.uses[0]);
  }
  common.progress.stop();
  // Every input is read and checked before anything is written: a merge that fails on its
  // input leaves no output folder behind.
  if (missing.length > 0) {
    const shards = manifests.map((m) => m.shard ?? "complete").join(", ");
    throw new InputError(
      `merge: ${missing.length} of ${plan.jobs.length} runs missing (given shards: ${shards}); ` +
        `first missing: ${missing[0]}`,
    );
  }
  const run = await runIdentity(plan.jobs.map((j) => j.key), results);
  const stage = Stage.open(options.out);
  let outcomes: ExperimentOutcome[];
  try {
    for (const job of plan.jobs) await writeRunFile(stage.dir, job, results.get(job.key)!);
    outcomes = await writeOutputs(plan, results, {
      out: stage.dir,
      published: common.published,
      progress: common.progress,
      warn: common.warn,
      note: options.note,
      run,
    });
    await writeManifest(stage.dir, {
      schema: MANIFEST_SCHEMA,
      experiments: plan.experiments.map((e) => e.experiment.name),
      shard: null,
      jobs: plan.jobs.length,
      files: plan.jobs.map((j) => j.file),
      run,
      host: { mergedFrom: [...options.dirs], shards: manifests.map((m) => m.shard) },
    });
    stage.commit();
  } catch (e) {
    stage.abandon();
    throw e;
  }
  return outcomes;
}

/**
 * The shards (`i/N`) absent from a set of shard manifests that all share one N; none when
 * any folder is a complete run or the shards disagree on N (merge then names missing runs).
 */
export function missingShards(shards: readonly (string | null)[]): string[] {
  const parsed = shards.map((s) => s === null ? null : /^(\d+)\/(\d+)$/.exec(s));
  if (parsed.some((m) => m === null)) return [];
  const counts = new Set(parsed.map((m) => m![2]));
  if (counts.size !== 1) return [];
  const count = Number([...counts][0]);
  const present = new Set(parsed.map((m) => Number(m![1])));
  const absent: string[] = [];
  for (let i = 1; i <= count; i++) if (!present.has(i)) absent.push(`${i}/${count}`);
  return absent;
}
