/**
 * `vmmlab replay TRACE [--cpu ..] [--mmu ..] [--io ..] [--memory ..] [--platform ..]
 * [--seed N] [--warmup N] [--option key=value ..] [--set platform.KEY=VALUE ..]
 * [--model FILE ..] [--run-iterations N] [--json | --csv] [--out FILE|-]`.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { replay } from "../engine/replay.ts";
import { nonFinitePath } from "../engine/result.ts";
import { runSlowdown } from "../engine/steady_state.ts";
import { formatResult } from "../engine/table.ts";
import { replayWithModels } from "./model_sandbox.ts";
import { InputError, UsageError } from "../util/errors.ts";
import { configSpecOf } from "./config_spec.ts";
import { parseIntOption } from "./options.ts";
import { checkOutput, writeOutput, writeStdout } from "./output.ts";
import { unreadOptions } from "./parallel_replay.ts";
import { collect, parseOptionFlags, parseSetFlags } from "./settings.ts";
import { tidyCsv } from "./tidy_csv.ts";
import { printable } from "../util/printable.ts";

/** Adds the `replay` subcommand to `program`. */
export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("replay a trace under a VMM configuration against its native baseline")
    .argument("<trace>", "trace file (.vmt)")
    .option("--cpu <model>", "CPU model: native|trap|bt|pv|hw", "native")
    .option("--mmu <model>", "MMU model: native|shadow|pv-direct|nested", "native")
    .option("--io <model>", "I/O model: native|emulated|hosted|pv|passthrough|channel", "native")
    .option("--memory <model>", "memory model: none|balloon|swap|share", "none")
    .option("--platform <name>", "platform profile name or JSON file", "p4-prescott")
    .option("--seed <n>", "seed of every random choice", "1")
    .option("--warmup <n>", "iterations that warm the models but are not counted", "0")
    .option("--option <key=value>", "model option (repeatable)", collect, [] as string[])
    .option(
      "--set <platform.key=value>",
      "override a platform entry, e.g. platform.hw.vm-exit=500 (repeatable)",
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
      "--run-iterations <n>",
      "also give the slowdown of a run this long (steady state times n, one-time cost once)",
    )
    .option("--json", "print the result JSON instead of the table")
    .option("--csv", "print the result as tidy CSV (trace,workload,config,kind,name,unit,value)")
    .option("--out <file>", "also write the result JSON to a file (- is standard output)")
    .action(async (trace, o) => {
      if (o.json && o.csv) throw new UsageError("--json and --csv exclude each other");
      if (o.out === "-" && (o.json || o.csv)) {
        throw new UsageError("--out - prints the JSON; it excludes --json and --csv");
      }
      const seed = parseIntOption("--seed", o.seed, 0, Number.MAX_SAFE_INTEGER);
      const warmup = parseIntOption("--warmup", o.warmup, 0, Number.MAX_SAFE_INTEGER);
      const runIterations = o.runIterations === undefined
        ? undefined
        : parseIntOption("--run-iterations", o.runIterations, 1, Number.MAX_SAFE_INTEGER);
      const platformSet = parseSetFlags(o.set);
      const options = parseOptionFlags(o.option);
      if (o.out !== undefined) checkOutput("--out", o.out, [trace]);
      const config = {
        cpu: o.cpu,
        mmu: o.mmu,
        io: o.io,
        memory: o.memory,
        platform: o.platform,
        seed,
        options,
        platformSet,
        warmup,
      };
      // A user's model file runs only in a Worker limited to reading the trace and the
      // model (src/cli/model_sandbox.ts), never with the CLI's own permissions.
      const result = o.model.length > 0
        ? await replayWithModels(trace, o.model, config)
        : await replay(trace, config);
      // One configuration: an option none of its models read is a typo or an option of a
      // model not selected (the engine only warns, for callers that share one option set
      // among several configurations). Nothing is written.
      const unread = unreadOptions([result]);
      if (unread.length > 0) {
        throw new InputError(
          `--option: ${
            unread[0]
          } is not read by any model of this configuration (an option of a model not selected)`,
        );
      }
      if (runIterations !== undefined && result.steady) {
        result.steady.run = {
          iterations: runIterations,
          slowdown: runSlowdown(result, runIterations),
        };
      }
      const bad = nonFinitePath(result);
      if (bad !== null) throw new InputError(`${trace}: the result's ${bad} is not finite`);
      const json = JSON.stringify(result, null, 2) + "\n";
      if (o.out !== undefined) await writeOutput(o.out, json);
      if (o.json || o.csv || o.out === "-") {
        if (o.json) await writeStdout(json);
        if (o.csv) await writeStdout(tidyCsv([{ result, config: configSpecOf(result.config) }]));
        // The table prints its warnings; otherwise they would only be inside the output.
        const warnings = result.warnings;
        if (Array.isArray(warnings)) {
          for (const w of warnings) console.error(`vmmlab: warning: ${w}`);
        }
      } else console.log(printable(formatResult(result)));
    });
}
