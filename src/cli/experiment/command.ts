/**
 * The `experiment` and `merge` subcommands, registered on the main `vmmlab` program by
 * {@link registerExperimentCommands}. They print the summary table on stdout, timings
 * and progress on stderr, and leave user mistakes to the main program's error handler
 * (InputError → exit 2, UsageError → exit 1).
 *
 * @module
 */

import { type Command, InvalidArgumentError } from "npm:@commander-js/extra-typings@15.1.0";
import { resolve } from "node:path";
import { engineUrl } from "./engine.ts";
import { copyFigures } from "./figures.ts";
import { parseShard } from "./jobs.ts";
import { checkOutputFolder, workerCount } from "../options.ts";
import { counted } from "../plural.ts";
import { mergeOutputs } from "./merge.ts";
import { planRun, runExperiments } from "./runner.ts";
import { emitSlurmScripts } from "./slurm.ts";
import { renderSummary, type SummaryCheck, type SummaryRow } from "./summary.ts";
import type { ExperimentOutcome } from "./outputs.ts";
import { defaultProgress, SilentProgress } from "./progress.ts";
import { isSweepShard, mergeSweep } from "../sweep_shard.ts";
import { UsageError } from "../../util/errors.ts";
import { printable } from "../../util/printable.ts";

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError("Expected a whole number of at least 1.");
  }
  return value;
}

function printSummary(outcomes: readonly ExperimentOutcome[]): void {
  const rows: SummaryRow[] = outcomes.flatMap((o) =>
    o.rows.map((row) => ({ experiment: o.experiment.name, row }))
  );
  const checks: SummaryCheck[] = outcomes.flatMap((o) =>
    o.checks.map((check) => ({ experiment: o.experiment.name, check }))
  );
  console.log(printable(renderSummary(rows, checks)));
}

async function writeFigures(
  out: string,
  outcomes: readonly ExperimentOutcome[],
  figures: string | undefined,
): Promise<void> {
  if (figures === undefined) return;
  const dir = resolve(figures);
  const files = await copyFigures(out, outcomes.map((o) => o.experiment.name), dir);
  console.error(`${counted(files.length, "figure")} copied to ${dir}`);
}

function engineNote(engine: string | undefined): string | undefined {
  return engine
    ? `Numbers produced by the engine module ${engine} (not the project's default engine).`
    : undefined;
}

/** Adds `experiment [NAME..]` and `merge DIR..` to the vmmlab program. */
export function registerExperimentCommands(program: Command): void {
  program
    .command("experiment")
    .description(
      "reproduce the papers' figures: replay every run, compare with the published values, " +
        "write results, charts and report.html",
    )
    .argument("[names...]", "experiments to run (default: all, see experiments/)")
    .option("--out <dir>", "output folder", "out")
    .option(
      "--workers <n>",
      "parallel replay workers, 1 to 256 (default: one per core)",
      workerCount,
    )
    .option("--shard <i/N>", "replay only slice i of N of the job list; combine with vmmlab merge")
    .option("--engine <module>", "replay engine module (default: the project's engine)")
    .option("--figures <dir>", "also copy each experiment's chart.png to DIR/NAME.png")
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
    .action(async (names, options) => {
      if (options.slurmScript) {
        if (options.shards === undefined) throw new UsageError("--slurm-script needs --shards N");
        if (options.shard !== undefined || options.figures !== undefined) {
          throw new UsageError("--slurm-script writes scripts: --shard and --figures do not apply");
        }
        checkOutputFolder("--out", options.out);
        const out = resolve(options.out);
        const { plan, cost, root } = await planRun({ names, out });
        await emitSlurmScripts(plan.jobs, cost, ["experiment", ...names], out, root, {
          ...options,
          shards: options.shards,
        });
        return;
      }
      if (options.shards !== undefined) throw new UsageError("--shards goes with --slurm-script");
      const shard = options.shard === undefined ? undefined : parseShard(options.shard);
      if (shard !== undefined && options.figures !== undefined) {
        throw new UsageError(
          "--figures does nothing with --shard (a shard writes no charts); give it to vmmlab merge",
        );
      }
      const engine = options.engine === undefined ? undefined : engineUrl(options.engine);
      checkOutputFolder("--out", options.out);
      if (options.figures !== undefined) checkOutputFolder("--figures", options.figures);
      const out = resolve(options.out);
      const report = await runExperiments({
        names,
        out,
        workers: options.workers,
        shard,
        engine,
        note: engineNote(options.engine),
        progress: options.quiet ? new SilentProgress() : undefined,
      });
      console.error(
        `${report.jobsRun} of ${report.plan.jobs.length} jobs replayed on ${
          counted(report.workers, "worker")
        } ` +
          `in ${report.replaySeconds.toFixed(1)} s; outputs in ` +
          `${report.outputSeconds.toFixed(1)} s → ${out}${
            report.run === undefined ? "" : ` (run ${report.run})`
          }`,
      );
      if (report.outcomes) {
        await writeFigures(out, report.outcomes, options.figures);
        printSummary(report.outcomes);
      } else {
        console.error(report.shardEstimate);
        console.error(`Shard ${options.shard} written; combine shards with vmmlab merge.`);
      }
    });

  program
    .command("merge")
    .description(
      "combine the outputs of experiment or sweep shards (--shard i/N) into one complete output",
    )
    .argument("<dirs...>", "output folders of the shards")
    .requiredOption("--out <dir>", "output folder of the merged result")
    .option("--figures <dir>", "also copy each experiment's chart.png to DIR/NAME.png")
    .option("--quiet", "no progress display")
    .action(async (dirs, options) => {
      checkOutputFolder("--out", options.out);
      if (isSweepShard(dirs[0])) {
        // Shards of `vmmlab sweep --shard i/N` rather than of `experiment`.
        const files = await mergeSweep(
          dirs,
          options.out,
          options.quiet ? new SilentProgress() : defaultProgress(),
        );
        console.error(`wrote ${files.join(", ")}`);
        return;
      }
      if (options.figures !== undefined) checkOutputFolder("--figures", options.figures);
      const out = resolve(options.out);
      const outcomes = await mergeOutputs({
        dirs: dirs.map((d) => resolve(d)),
        out,
        progress: options.quiet ? new SilentProgress() : undefined,
      });
      await writeFigures(out, outcomes, options.figures);
      printSummary(outcomes);
    });
}
