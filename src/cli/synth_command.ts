/**
 * `vmmlab synth RECIPE --out TRACE [--iterations N] [--seed N] [--chunk-records N]`:
 * writes a synthetic nanobenchmark trace (Adams & Agesen 2006, Figure 4, as FrobOS runs it).
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { RECIPE_NAMES, RECIPES } from "../synth/recipes.ts";
import { recipe, synthesizeFile } from "../synth/synthesize.ts";
import { dirname } from "node:path";
import { MAX_CHUNK_RECORDS } from "../trace/format.ts";
import { checkOutputFile, parseIntOption } from "./options.ts";

/** Adds the `synth` subcommand to `program`. */
export function registerSynthCommand(program: Command): void {
  program
    .command("synth")
    .description(
      `write a synthetic nanobenchmark trace; recipes: ${RECIPE_NAMES.join(", ")}`,
    )
    .argument("<recipe>", "recipe name")
    .requiredOption("--out <trace>", "output trace file (.vmt)")
    .option("--iterations <n>", "iterations", "10000")
    .option("--seed <n>", "seed of addresses and values", "1")
    .option("--chunk-records <n>", "records per chunk")
    .action((name, o) => {
      const r = recipe(name);
      checkOutputFile("--out", o.out);
      Deno.mkdirSync(dirname(o.out), { recursive: true });
      const summary = synthesizeFile(o.out, r.name, {
        iterations: parseIntOption("--iterations", o.iterations, 1, 100_000_000),
        seed: parseIntOption("--seed", o.seed, 0, Number.MAX_SAFE_INTEGER),
        chunkRecords: o.chunkRecords === undefined
          ? undefined
          : parseIntOption("--chunk-records", o.chunkRecords, 1, MAX_CHUNK_RECORDS),
      });
      console.log(
        `${o.out}: ${RECIPES[r.name].name}, ${summary.iterations} iterations, ` +
          `${summary.records} records, ${summary.instructions} instructions (synthetic)`,
      );
    });
}
