/**
 * Writing recipe traces to files or memory. Kept apart from the recipes so that a caller
 * that only lists recipes does not need the writer.
 *
 * @module
 */

import { TraceWriter, type TraceWriterOptions } from "../trace/writer.ts";
import type { TraceSummary } from "../trace/header.ts";
import { InputError } from "../util/errors.ts";
import { type Recipe, RECIPE_NAMES, recipeHeader, RECIPES, runRecipe } from "./recipes.ts";

/** Options of {@link synthesize}. */
export interface SynthOptions {
  /** Iterations (default 10 000). */
  iterations?: number;
  /** Seed (default 1). */
  seed?: number;
  /** Records per chunk of the written trace. */
  chunkRecords?: number;
}

/** A recipe by name; an unknown name is an {@link InputError} listing the known ones. */
export function recipe(name: string): Recipe {
  if (!Object.hasOwn(RECIPES, name)) {
    throw new InputError(`Unknown recipe "${name}" (known: ${RECIPE_NAMES.join(", ")})`);
  }
  return RECIPES[name];
}

function resolve(options: SynthOptions): { iterations: number; seed: number } {
  const iterations = options.iterations ?? 10_000;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new InputError(`Iterations must be a positive integer, not ${iterations}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InputError(`Seed must be a non-negative integer, not ${seed}`);
  }
  return { iterations, seed };
}

function writerOptions(options: SynthOptions): TraceWriterOptions {
  return options.chunkRecords === undefined ? {} : { chunkRecords: options.chunkRecords };
}

/** Generates a recipe's trace in memory and returns the `.vmt` bytes. */
export function synthesizeBytes(name: string, options: SynthOptions = {}): Uint8Array {
  const r = recipe(name);
  const o = resolve(options);
  const w = TraceWriter.inMemory(recipeHeader(r, o), writerOptions(options));
  runRecipe(r, w, o);
  return w.finish();
}

/** Generates a recipe's trace into `path` (atomically) and returns the trace summary. */
export function synthesizeFile(
  path: string,
  name: string,
  options: SynthOptions = {},
): TraceSummary {
  const r = recipe(name);
  const o = resolve(options);
  const w = TraceWriter.create(path, recipeHeader(r, o), writerOptions(options));
  try {
    runRecipe(r, w, o);
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.close();
}
