/**
 * `vmmlab experiment|sweep --slurm-script --shards N`: the scripts that run a set of
 * experiments or a sweep as a Slurm job array on a cluster, unchanged. One array task per shard
 * (`SLURM_ARRAY_TASK_ID` k runs `--shard k+1/N` into `OUT/shard-k`), and a merge job that
 * waits for the whole array (`--dependency=afterok`) and runs `vmmlab merge`, which renders
 * the figures and the report. The shards are balanced by estimated cost (shard_cost.ts),
 * and that assignment is a pure function of the plan, so a re-submitted task replays
 * exactly the jobs the failed one had. See docs/cluster.md.
 *
 * @module
 */

import { join } from "node:path";
import { UsageError } from "../../util/errors.ts";
import { counted } from "../plural.ts";
import { writeFileAtomic } from "../../util/atomic.ts";
import { assignShards, describeShards } from "./shard_cost.ts";

/** What the scripts run and what they ask of the scheduler. */
export interface SlurmOptions {
  /**
   * The vmmlab command each task runs, without `--shard`, `--out`, `--workers` and
   * `--quiet` (which the scripts add), e.g. `["experiment", "adams_fig4"]`; paths absolute.
   */
  command: readonly string[];
  /** Number of shards (array tasks). */
  shards: number;
  /** Absolute output folder on storage every node sees. */
  out: string;
  /** Absolute path of the repository (the same on every node). */
  root: string;
  /** `--cpus-per-task`, also the task's replay workers. */
  cpus: number;
  /** `--mem` per task, e.g. `4G`. */
  mem: string;
  /** `--time` per task, e.g. `01:00:00`. */
  time: string;
  /** `--partition`, when the cluster has no default one. */
  partition?: string;
}

/** The files written and the per-shard estimate lines. */
export interface SlurmScripts {
  /** Path of the submit script the user runs. */
  submit: string;
  /** Path of the array script. */
  shards: string;
  /** Path of the merge script. */
  merge: string;
  /** One line per shard: jobs and estimated instructions. */
  estimate: string[];
}

/** Largest shard count accepted: a Slurm array is commonly limited to 1001 tasks. */
export const MAX_SHARDS = 1000;

/** Quotes a word for bash: single quotes, with embedded ones closed and escaped. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function checkSlurmValue(option: string, value: string, pattern: RegExp, example: string): void {
  if (!pattern.test(value)) {
    throw new UsageError(`${option} must look like ${example}, got ${JSON.stringify(value)}`);
  }
}

/** Writes `OUT/slurm/{shards.sbatch,merge.sbatch,submit.sh}` and the log folder. */
export async function writeSlurmScripts<T>(
  items: readonly T[],
  cost: (item: T) => number,
  options: SlurmOptions,
): Promise<SlurmScripts> {
  if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > MAX_SHARDS) {
    throw new UsageError(`--shards must be an integer from 1 to ${MAX_SHARDS}`);
  }
  checkSlurmValue("--slurm-mem", options.mem, /^\d+[KMGT]?$/, "4G");
  checkSlurmValue("--slurm-time", options.time, /^(\d+-)?\d+(:\d\d){0,2}$/, "01:00:00");
  if (options.partition !== undefined) {
    checkSlurmValue("--slurm-partition", options.partition, /^[A-Za-z0-9_.-]+$/, "batch");
  }
  const n = options.shards;
  const dir = join(options.out, "slurm");
  await Deno.mkdir(join(dir, "logs"), { recursive: true });
  const command = options.command.map(shellQuote).join(" ");
  const shardDirs = Array.from({ length: n }, (_, k) => `"$OUT/shard-${k}"`).join(" ");
  const partition = options.partition ? `#SBATCH --partition=${options.partition}\n` : "";
  const preamble = `set -euo pipefail
REPO=${shellQuote(options.root)}
OUT=${shellQuote(options.out)}
# Deno comes from npm unless DENO names another launcher (e.g. DENO=deno).
DENO=\${DENO:-"npx --yes deno@2.9.6"}
cd "$REPO"
`;
  const shardsScript = `#!/bin/bash
# vmmlab ${options.command[0]} shards as a Slurm job array: task k replays shard k+1 of ${n}.
# Written by vmmlab ${options.command[0]} --slurm-script; submit with submit.sh, or one task alone
# with: sbatch --array=K ${join(dir, "shards.sbatch")}
#SBATCH --job-name=vmmlab-shards
#SBATCH --array=0-${n - 1}
#SBATCH --cpus-per-task=${options.cpus}
#SBATCH --mem=${options.mem}
#SBATCH --time=${options.time}
#SBATCH --output=${join(dir, "logs")}/shard-%a.out
${partition}${preamble}task=\${SLURM_ARRAY_TASK_ID:?run this script with sbatch (it is a job array)}
$DENO task --quiet vmmlab ${command} --shard "$((task + 1))/${n}" \\
  --out "$OUT/shard-$task" --workers "\${SLURM_CPUS_PER_TASK:-1}" --quiet
`;
  const mergeScript = `#!/bin/bash
# Merges the ${n} shards into OUT/merged and renders the figures and report.
# Written by vmmlab ${options.command[0]} --slurm-script; submit.sh queues it after the array.
#SBATCH --job-name=vmmlab-merge
#SBATCH --cpus-per-task=1
#SBATCH --mem=${options.mem}
#SBATCH --time=${options.time}
#SBATCH --output=${join(dir, "logs")}/merge.out
${partition}${preamble}$DENO task --quiet vmmlab merge ${shardDirs} --out "$OUT/merged" --quiet
`;
  const submitScript = `#!/bin/bash
# Submits the shard array, then the merge job to run once every shard succeeded.
# Written by vmmlab ${options.command[0]} --slurm-script. Watch with: squeue -u "$USER"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable "$here/shards.sbatch")
array=\${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" "$here/merge.sbatch")
merge=\${merge%%;*}
echo "array job $array (${n} shards), merge job $merge"
`;
  const paths = {
    shards: join(dir, "shards.sbatch"),
    merge: join(dir, "merge.sbatch"),
    submit: join(dir, "submit.sh"),
  };
  await writeFileAtomic(paths.shards, shardsScript);
  await writeFileAtomic(paths.merge, mergeScript);
  await writeFileAtomic(paths.submit, submitScript);
  for (const path of Object.values(paths)) await Deno.chmod(path, 0o755);
  const estimate = describeShards(assignShards(items, n, cost), cost);
  return { ...paths, estimate };
}

/** The `--slurm-*` values of `experiment` and `sweep`, as commander parses them. */
export interface SlurmFlags {
  /** `--shards`. */
  shards: number;
  /** `--slurm-cpus`. */
  slurmCpus: number;
  /** `--slurm-mem`. */
  slurmMem: string;
  /** `--slurm-time`. */
  slurmTime: string;
  /** `--slurm-partition`. */
  slurmPartition?: string;
}

/**
 * Writes the scripts for `command` over `items` into `out/slurm`, then prints each shard's
 * estimate on stderr and the submit command on stdout.
 */
export async function emitSlurmScripts<T>(
  items: readonly T[],
  cost: (item: T) => number,
  command: readonly string[],
  out: string,
  root: string,
  flags: SlurmFlags,
): Promise<void> {
  const scripts = await writeSlurmScripts(items, cost, {
    command,
    shards: flags.shards,
    out,
    root,
    cpus: flags.slurmCpus,
    mem: flags.slurmMem,
    time: flags.slurmTime,
    partition: flags.slurmPartition,
  });
  for (const line of scripts.estimate) console.error(line);
  console.error(`${items.length} jobs in ${counted(flags.shards, "shard")}; submit with:`);
  console.log(`bash ${scripts.submit}`);
}
