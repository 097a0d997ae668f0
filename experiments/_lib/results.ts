/**
 * Reading run results inside an experiment: a missing run id is a bug in the experiment
 * module, reported with the ids that do exist.
 *
 * @module
 */

import type { Result } from "../../src/engine/result.ts";
import type { RunResults } from "./experiment.ts";

/** The result of run `id`; throws naming the known ids if there is none. */
export function need(results: RunResults, id: string): Result {
  const result = results[id];
  if (result === undefined) {
    throw new Error(`No result for run ${id}; runs are: ${Object.keys(results).join(", ")}`);
  }
  return result;
}
