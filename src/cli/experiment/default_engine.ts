/**
 * The engine the experiment runner uses by default: the project's replay engine
 * (src/engine/replay.ts) and, once they exist, its synthetic recipes. Select another
 * with `vmmlab experiment --engine MODULE` (e.g. experiments/_lib/fake_replay.ts).
 *
 * The engine is imported lazily by URL so that this runner type-checks and loads while
 * the engine is still being written; once it has settled this can become a static
 * re-export.
 *
 * @module
 */

import type { Result } from "../../engine/result.ts";
import type { RunConfig, SynthParams } from "../../../experiments/_lib/experiment.ts";
import { ConfigError } from "../../util/errors.ts";

const ENGINE_MODULE = new URL("../../engine/replay.ts", import.meta.url).href;

type ReplayFunction = (trace: string | Uint8Array, config: RunConfig) => Promise<Result>;

let engine: Promise<ReplayFunction> | undefined;

/** Replays a trace with the project's engine (src/engine/replay.ts `replay`). */
export async function replay(trace: string | Uint8Array, config: RunConfig): Promise<Result> {
  engine ??= import(ENGINE_MODULE).then((module: { replay?: unknown }) => {
    if (typeof module.replay !== "function") {
      throw new ConfigError(ENGINE_MODULE, "the engine module does not export replay yet");
    }
    return module.replay as ReplayFunction;
  });
  return await (await engine)(trace, config);
}

/** Generates a synthetic recipe's trace with the project's recipes. */
export function synthesize(recipe: string, _params: SynthParams): Uint8Array {
  throw new ConfigError(
    `synth:${recipe}`,
    "synthetic recipes are not wired into the experiment runner yet (src/cli/experiment/default_engine.ts)",
  );
}
