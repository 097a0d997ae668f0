/**
 * Reading run results inside an experiment: a missing run id is a bug in the experiment
 * module, reported with the ids that do exist.
 *
 * @module
 */

import type { Result } from "../../src/engine/result.ts";
import type { HostResult } from "../../src/host/result.ts";
import type { AnyRunSpec, HostResults, RunResults, RunSpec } from "./experiment.ts";

/** The result of run `id`; throws naming the known ids if there is none. */
export function need(results: RunResults, id: string): Result {
  const result = results[id];
  if (result === undefined) {
    throw new Error(`No result for run ${id}; runs are: ${Object.keys(results).join(", ")}`);
  }
  return result;
}

/** The replay runs of a run list; a host run in it is a bug in the caller (it expected replays only). */
export function replayRuns(specs: readonly AnyRunSpec[]): RunSpec[] {
  return specs.map((spec) => {
    if ("host" in spec) throw new Error(`Run ${spec.id} is a host run, not a replay`);
    return spec;
  });
}

/** The result of host run `id`; throws naming the known host runs if there is none. */
export function needHost(hosts: HostResults | undefined, id: string): HostResult {
  const result = hosts?.[id];
  if (result === undefined) {
    throw new Error(
      `No host result for run ${id}; host runs are: ${Object.keys(hosts ?? {}).join(", ")}`,
    );
  }
  return result;
}
