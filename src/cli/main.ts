/**
 * The `vmmlab` command line. Exit status: 0 success, 1 usage error (the command line
 * itself), 2 bad input (a trace, a configuration, a model file) or a failing environment
 * (full disk, read-only file system, missing folder, a device as output), 3 a bug in
 * vmmlab (the only case with a stack), 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP
 * after removing temporary files and stopping child processes. A user's mistake is one
 * line on stderr.
 *
 * @module
 */

import { Command, CommanderError } from "npm:@commander-js/extra-typings@15.1.0";
import { environmentError, InputError, UsageError } from "../util/errors.ts";
import { VERSION } from "../version.ts";
import { registerCompareCommand } from "./compare_command.ts";
import { registerExperimentCommands } from "./experiment/command.ts";
import { registerHostCommand } from "./host_command.ts";
import { registerModelsCommand } from "./models_command.ts";
import { registerRecordCommand } from "./record_command.ts";
import { registerReplayCommand } from "./replay_command.ts";
import { registerSweepCommand } from "./sweep_command.ts";
import { registerSynthCommand } from "./synth_command.ts";
import { registerTraceCommands } from "./trace_commands.ts";
import { printableLine } from "../util/printable.ts";
import { installInterruptHandlers } from "../util/interrupt.ts";

/**
 * Commander's error text as one line in the form of every other vmmlab error: without
 * its "error: " prefix, with the "(Did you mean ...?)" hint it puts on a second line
 * joined to the first.
 */
export function commanderErrorLine(text: string): string {
  return text.trim().replace(/^error:\s*/, "").replace(/\s*\n\s*\(Did you mean/g, " (did you mean")
    .replace(/\s*\n\s*/g, " ");
}

/** Builds the program with every subcommand registered. */
export function buildProgram(): Command {
  const program = new Command("vmmlab")
    .exitOverride()
    .description("a deterministic, trace-driven laboratory for virtual machine monitors")
    .version(VERSION)
    .showHelpAfterError(false)
    .configureOutput({ outputError: (s, write) => write(`vmmlab: ${commanderErrorLine(s)}\n`) });
  registerReplayCommand(program);
  registerCompareCommand(program);
  registerSweepCommand(program);
  registerExperimentCommands(program);
  registerTraceCommands(program);
  registerSynthCommand(program);
  registerRecordCommand(program);
  registerHostCommand(program);
  registerModelsCommand(program);
  return program;
}

/** Runs the CLI with `args` and returns the exit status. */
export async function main(args: string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed its message (or the help text).
      return e.exitCode === 0 ? 0 : 1;
    }
    if (e instanceof InputError) {
      console.error(`vmmlab: ${printableLine(e.message)}`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      console.error(`vmmlab: ${printableLine(e.message)}`);
      return e.exitCode;
    }
    // The machine refused (full disk, read-only file system, missing folder, a device):
    // the user's to fix, not a bug, so one line naming the path and the cause.
    const env = environmentError(e);
    if (env) {
      console.error(`vmmlab: ${printableLine(env.message)}`);
      return env.exitCode;
    }
    console.error("vmmlab: internal error (a bug in vmmlab, please report it):");
    console.error(e);
    return 3;
  }
}

if (import.meta.main) {
  installInterruptHandlers();
  Deno.exit(await main(Deno.args));
}
