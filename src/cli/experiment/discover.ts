/**
 * Finding experiment modules: every `experiments/NAME.ts` (not `_lib/`, not `*_test.ts`),
 * listed in sorted order so the job list never depends on directory order, and each
 * checked to default-export an experiment named after its file.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Experiment } from "../../../experiments/_lib/experiment.ts";
import { UsageError } from "../../util/errors.ts";

/** The repository root (absolute path, with a trailing separator removed). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../../", import.meta.url)).replace(
  /[\\/]$/,
  "",
);

/** The folder holding the experiment modules of this checkout. */
export const EXPERIMENTS_DIR: string = join(REPO_ROOT, "experiments");

/** Names of the experiment modules in `dir`, sorted by code point. */
export async function listExperimentNames(dir: string = EXPERIMENTS_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    if (entry.name.startsWith("_") || entry.name.endsWith("_test.ts")) continue;
    names.push(entry.name.slice(0, -3));
  }
  return names.sort(byCodePoint);
}

/** Compares strings by code point, independent of the host's locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Structural check of an experiment module's default export. */
function isExperiment(value: unknown): value is Experiment {
  if (value === null || typeof value !== "object") return false;
  const e = value as Record<string, unknown>;
  return typeof e.name === "string" && typeof e.title === "string" &&
    typeof e.citation === "string" && Array.isArray(e.papers) &&
    typeof e.description === "string" && typeof e.runs === "function" &&
    typeof e.compare === "function" && typeof e.chart === "function" &&
    (e.checks === undefined || typeof e.checks === "function");
}

/**
 * Loads the named experiments (all when `names` is empty), sorted by name and without
 * duplicates; an unknown name is a {@link UsageError} that lists the known ones.
 */
export async function loadExperiments(
  names: readonly string[],
  dir: string = EXPERIMENTS_DIR,
): Promise<Experiment[]> {
  const known = await listExperimentNames(dir);
  const wanted = names.length === 0 ? known : [...new Set(names)].sort(byCodePoint);
  for (const name of wanted) {
    if (!known.includes(name)) {
      throw new UsageError(
        `Unknown experiment ${name}; known: ${known.join(", ") || "(none)"}`,
      );
    }
  }
  const out: Experiment[] = [];
  for (const name of wanted) {
    const file = join(dir, `${name}.ts`);
    const module = await import(pathToFileURL(file).href);
    const experiment: unknown = module.default;
    if (!isExperiment(experiment)) {
      throw new Error(`${file}: the default export is not an Experiment (see docs/experiments.md)`);
    }
    if (experiment.name !== name) {
      throw new Error(`${file}: experiment name ${experiment.name} differs from the file name`);
    }
    out.push(experiment);
  }
  return out;
}
