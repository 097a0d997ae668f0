/**
 * The engine the experiment runner uses by default: the project's replay engine
 * (src/engine/replay.ts) and its synthetic recipes (src/synth/). Select another with
 * `vmmlab experiment --engine MODULE` (e.g. experiments/_lib/fake_replay.ts).
 *
 * @module
 */

import type { SynthParams } from "../../../experiments/_lib/experiment.ts";
import { synthesizeBytes } from "../../synth/synthesize.ts";
import { InputError } from "../../util/errors.ts";

export { replay } from "../../engine/replay.ts";

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
