/**
 * The `vmmlab` command line. Exit status: 0 success, 1 usage error, 2 bad input (a
 * trace, a configuration, a model file). A user's mistake is one line on stderr; only a
 * bug in vmmlab prints a stack.
 *
 * @module
 */

import { Command, CommanderError } from "npm:@commander-js/extra-typings@15.1.0";
import { InputError, UsageError } from "../util/errors.ts";
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

/**
 * Commander's error text as one line in the form of every other vmmlab error: without
 * its "error: " prefix, with the "(Did you mean ...?)" hint it puts on a second line
 * joined to the first.
 */
export function commanderErrorLine(text: string): string {
  return text.trim().replace(/^error:\s*/, "").replace(/\s*\n\s*\(Did you mean/g, " (did you mean")
    .replace(/\s*\n\s*/g, " ");
}

/**
 * File-system failures that come from the user's environment (an output path that is a
 * folder, a parent that is a file, no permission), not from a bug in vmmlab.
 */
function isEnvironmentError(e: unknown): e is Error {
  return e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.IsADirectory ||
    e instanceof Deno.errors.NotADirectory;
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
    if (isEnvironmentError(e)) {
      console.error(`vmmlab: ${printableLine(e.message)}`);
      return 2;
    }
    console.error("vmmlab: internal error (a bug in vmmlab, please report it):");
    console.error(e);
    return 3;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
