/**
 * The engine the experiment runner uses by default: the project's replay engine
 * (src/engine/replay.ts, and src/engine/group.ts for several configurations of one
 * trace) and its synthetic recipes (src/synth/). Select another with
 * `vmmlab experiment --engine MODULE` (e.g. experiments/_lib/fake_replay.ts).
 *
 * @module
 */

import type { JsonValue, SynthParams } from "../../../experiments/_lib/experiment.ts";
import { synthesizeBytes } from "../../synth/synthesize.ts";
import { InputError } from "../../util/errors.ts";
import { HOST_SCHEMA, parseHost } from "../../host/description.ts";
import { simulateHost as simulate } from "../../host/simulate.ts";
import type { HostResult } from "../../host/result.ts";

export { replay } from "../../engine/replay.ts";
export { replayGroup } from "../../engine/group.ts";

const KNOWN_PARAMS = ["iterations", "seed", "chunkRecords"] as const;

/**
 * Generates a recipe's trace in memory. Parameters: `iterations`, `seed`, `chunkRecords`
 * (all whole numbers); any other is an {@link InputError} naming it.
 */
export function synthesize(recipe: string, params: SynthParams): Uint8Array {
  const options: Record<string, number> = {};
  for (const [key, value] of Object.entries(params)) {
    if (!(KNOWN_PARAMS as readonly string[]).includes(key) || typeof value !== "number") {
      throw new InputError(
        `synth:${recipe}: parameter ${key} must be one of ${KNOWN_PARAMS.join(", ")} with a number`,
      );
    }
    options[key] = value;
  }
  return synthesizeBytes(recipe, options);
}

/**
 * Simulates an experiment's host run as `vmmlab host --no-alone` would, with VM traces
 * relative to `root`. The wall-clock figures are zeroed: an experiment's outputs are a
 * pure function of its runs, and shards of one plan must agree byte for byte.
 */
export function simulateHost(
  host: { readonly [key: string]: JsonValue },
  root: string,
): HostResult {
  const name = typeof host.name === "string" ? host.name : "host";
  const desc = parseHost({ schema: HOST_SCHEMA, ...host }, `host run ${name}`, root);
  const result = simulate(desc, { skipAlone: true });
  result.wall = { seconds: 0, instructionsPerSecond: 0, replayedInstructions: 0 };
  return result;
}
