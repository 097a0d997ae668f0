/**
 * `vmmlab compare TRACE.. --config SPEC --config SPEC .. [--set platform.KEY=VALUE ..]
 * [--option KEY=VALUE ..] [--model FILE ..] [--workers N] [--quiet] [--json | --csv]
 * [--out FILE|-]`: every trace under every configuration, one table with a row per cause
 * (docs/cli.md).
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { defaultProgress, SilentProgress } from "./experiment/progress.ts";
import { checkTraceFiles, replayJob, replayJobs, unreadOptions } from "./parallel_replay.ts";
import { replay } from "../engine/replay.ts";
import type { Result } from "../engine/result.ts";
import { replayWithModels } from "./model_sandbox.ts";
import { InputError, UsageError } from "../util/errors.ts";
import { buildComparison, formatComparison } from "./compare.ts";
import { type NamedConfig, parseConfigSpec } from "./config_spec.ts";
import { defaultWorkers, workerCount } from "./options.ts";
import { checkOutput, writeOutput } from "./output.ts";
import { collect, parseOptionFlags, parseSetFlags } from "./settings.ts";
import { tidyCsv } from "./tidy_csv.ts";
import { printable, printableLine } from "../util/printable.ts";

/**
 * The configurations compared when none is given: the four techniques as the overview
 * experiment runs them (experiments/overview_techniques.ts), on the default platform.
 */
export const DEFAULT_COMPARE_CONFIGS: readonly string[] = [
  "label=bt,cpu=bt,mmu=shadow,io=emulated",
  "label=pv,cpu=pv,mmu=pv-direct,io=pv",
  "label=hw,cpu=hw,mmu=shadow,io=emulated",
  "label=hw+nested,cpu=hw,mmu=nested,io=emulated",
];

/**
 * Parses the `--config` flags (the four techniques when there are none) and applies the
 * shared `--set`/`--option` to each.
 */
export function compareConfigs(
  specs: readonly string[],
  set: Readonly<Record<string, number>>,
  options: Readonly<Record<string, number | string | boolean>>,
): NamedConfig[] {
  const given = specs.length > 0 ? specs : DEFAULT_COMPARE_CONFIGS;
  const named = given.map((s) => parseConfigSpec(s));
  const seen = new Set<string>();
  for (const n of named) {
    if (seen.has(n.label)) {
      throw new InputError(
        `--config: two configurations are labelled ${n.label} (add label=NAME to one)`,
      );
    }
    seen.add(n.label);
    n.config.options = { ...options, ...n.config.options };
    n.config.platformSet = { ...set, ...n.config.platformSet };
  }
  return named;
}

/** Adds the `compare` subcommand to `program`. */
export function registerCompareCommand(program: Command): void {
  program
    .command("compare")
    .description(
      "replay traces under several configurations: one row per cause, cycles per iteration and overhead over native",
    )
    .argument("<traces...>", "trace files (.vmt)")
    .option(
      "--config <spec>",
      "configuration, e.g. cpu=hw,mmu=nested,platform=modern (repeatable; default: bt, pv, hw, hw+nested; see docs/cli.md)",
      collect,
      [] as string[],
    )
    .option(
      "--set <platform.key=value>",
      "override a platform entry in every configuration (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--option <key=value>",
      "model option for every configuration (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--model <file>",
      "load a model file that calls registerModel (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--workers <n>",
      "parallel replay workers, 1 to 256 (default: one per core; 1 replays in this process)",
      workerCount,
    )
    .option("--quiet", "no progress display")
    .option("--json", "print the comparison as JSON")
    .option("--csv", "print every result as tidy CSV (trace,workload,config,kind,name,unit,value)")
    .option(
      "--out <file>",
      "write the output to a file instead of standard output (- is standard output)",
    )
    .action(async (traces, o) => {
      if (o.json && o.csv) throw new UsageError("--json and --csv exclude each other");
      const configs = compareConfigs(o.config, parseSetFlags(o.set), parseOptionFlags(o.option));
      if (o.out !== undefined) checkOutput("--out", o.out, traces);
      checkTraceFiles(traces);
      const items = traces.flatMap((trace) =>
        configs.map((c) => ({ trace, config: c.config, label: `${trace} ${c.label}` }))
      );
      let flat: Result[];
      const workers = Math.min(items.length, o.workers ?? defaultWorkers());
      if (o.model.length > 0) {
        // A user's model file runs only in a Worker limited to reading the trace and the
        // model (src/cli/model_sandbox.ts), one replay at a time.
        flat = [];
        for (const item of items) {
          flat.push(await replayWithModels(item.trace, o.model, item.config));
        }
      } else if (workers <= 1) {
        flat = [];
        for (const item of items) flat.push(await replay(item.trace, item.config));
      } else {
        const jobs = items.map(replayJob);
        const progress = o.quiet ? new SilentProgress() : defaultProgress();
        flat = await replayJobs(jobs, items.map((i) => i.trace), workers, progress, "compare");
      }
      const unread = unreadOptions(flat);
      if (unread.length > 0) {
        throw new InputError(
          `--option: ${
            unread[0]
          } is not read by any model of any configuration (an option of a model not selected)`,
        );
      }
      const results: Result[][] = traces.map((_, t) =>
        flat.slice(t * configs.length, (t + 1) * configs.length)
      );
      const labels = configs.map((c) => c.label);
      const report = buildComparison(labels, results);
      let text: string;
      if (o.json) text = JSON.stringify(report, null, 2) + "\n";
      else if (o.csv) {
        text = tidyCsv(
          results.flatMap((row) => row.map((result, i) => ({ result, config: labels[i] }))),
        );
      } else text = printable(formatComparison(report)) + "\n";
      if (o.json || o.csv || (o.out !== undefined && o.out !== "-")) {
        // The table prints its warnings; JSON and CSV carry them, but a reader of the
        // terminal must see them too.
        for (const t of report.traces) {
          for (const c of t.cells) {
            for (const w of c.warnings) {
              console.error(printableLine(`vmmlab: warning: ${t.workload}, ${c.config}: ${w}`));
            }
          }
        }
      }
      await writeOutput(o.out ?? "-", text);
    });
}
