/**
 * `vmmlab compare TRACE.. --config SPEC --config SPEC .. [--set platform.KEY=VALUE ..]
 * [--option KEY=VALUE ..] [--json | --csv] [--out FILE|-]`: every trace under every
 * configuration, one table with a row per cause (docs/cli.md).
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { replay } from "../engine/replay.ts";
import type { Result } from "../engine/result.ts";
import { loadModelFiles } from "../engine/user_models.ts";
import { InputError, UsageError } from "../util/errors.ts";
import { buildComparison, formatComparison } from "./compare.ts";
import { type NamedConfig, parseConfigSpec } from "./config_spec.ts";
import { checkOutput, writeOutput } from "./output.ts";
import { collect, parseOptionFlags, parseSetFlags } from "./settings.ts";
import { tidyCsv } from "./tidy_csv.ts";

/** Parses the `--config` flags and applies the shared `--set`/`--option` to each. */
export function compareConfigs(
  specs: readonly string[],
  set: Readonly<Record<string, number>>,
  options: Readonly<Record<string, number | string | boolean>>,
): NamedConfig[] {
  if (specs.length === 0) {
    throw new UsageError("compare needs at least one --config (e.g. --config cpu=bt,mmu=shadow)");
  }
  const named = specs.map((s) => parseConfigSpec(s));
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
      "configuration, e.g. cpu=hw,mmu=nested,platform=modern (repeatable; see docs/cli.md)",
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
      await loadModelFiles(o.model);
      const results: Result[][] = [];
      for (const trace of traces) {
        const row: Result[] = [];
        for (const c of configs) row.push(await replay(trace, c.config));
        results.push(row);
      }
      const labels = configs.map((c) => c.label);
      const report = buildComparison(labels, results);
      let text: string;
      if (o.json) text = JSON.stringify(report, null, 2) + "\n";
      else if (o.csv) {
        text = tidyCsv(
          results.flatMap((row) => row.map((result, i) => ({ result, config: labels[i] }))),
        );
      } else text = formatComparison(report) + "\n";
      if (o.json || o.csv || (o.out !== undefined && o.out !== "-")) {
        // The table prints its warnings; JSON and CSV carry them, but a reader of the
        // terminal must see them too.
        for (const t of report.traces) {
          for (const c of t.cells) {
            for (const w of c.warnings) {
              console.error(`vmmlab: warning: ${t.workload}, ${c.config}: ${w}`);
            }
          }
        }
      }
      await writeOutput(o.out ?? "-", text);
    });
}
