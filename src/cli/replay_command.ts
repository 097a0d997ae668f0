/**
 * `vmmlab replay TRACE [--cpu ..] [--mmu ..] [--io ..] [--memory ..] [--platform ..]
 * [--seed N] [--option key=value ..] [--model FILE ..] [--json] [--out FILE]`.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { parseOptionPairs } from "../engine/config.ts";
import { replay } from "../engine/replay.ts";
import { formatResult } from "../engine/table.ts";
import { loadModelFiles } from "../engine/user_models.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { checkOutputFile, parseIntOption } from "./options.ts";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
      "--model <file>",
      "load a model file that calls registerModel (repeatable)",
      collect,
      [] as string[],
    )
    .option("--json", "print the result JSON instead of the table")
    .option("--out <file>", "also write the result JSON to a file")
    .action(async (trace, o) => {
      if (o.out !== undefined) checkOutputFile("--out", o.out);
      await loadModelFiles(o.model);
      const result = await replay(trace, {
        cpu: o.cpu,
        mmu: o.mmu,
        io: o.io,
        memory: o.memory,
        platform: o.platform,
        seed: parseIntOption("--seed", o.seed, 0, Number.MAX_SAFE_INTEGER),
        options: parseOptionPairs(o.option),
        warmup: parseIntOption("--warmup", o.warmup, 0, Number.MAX_SAFE_INTEGER),
      });
      const json = JSON.stringify(result, null, 2) + "\n";
      if (o.out) await writeFileAtomic(o.out, json);
      if (o.json) {
        await Deno.stdout.write(new TextEncoder().encode(json));
        // The table prints its warnings; with --json they would only be inside the JSON.
        const warnings = result.warnings;
        if (Array.isArray(warnings)) {
          for (const w of warnings) console.error(`vmmlab: warning: ${w}`);
        }
      } else console.log(formatResult(result));
    });
}
