/**
 * The replay engine as the experiment runner sees it: a module exporting `replay` (and
 * `synthesize` for synthetic recipes). Workers import it by URL, so the real engine, the
 * fake one used in tests, or a user's build can be swapped without touching the runner.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import type { JsonValue, RunConfig, SynthParams } from "../../../experiments/_lib/experiment.ts";
import { ConfigError } from "../../util/errors.ts";

/** What a replay engine module must export for the experiment runner. */
export interface EngineModule {
  /**
   * Replays a trace (an absolute file path, or the bytes of a .vmt) under a configuration
   * whose missing fields take the engine's defaults; returns the result object. Must be a
   * pure function of the trace and configuration outside `result.host`. Throws an
   * `InputError` (or subclass) for a bad trace or configuration.
   */
  replay(trace: string | Uint8Array, config: RunConfig): Promise<Result> | Result;
  /**
   * Replays one trace under several configurations, results in the same order, each
   * equal to `replay` of its configuration outside `result.host` (src/engine/group.ts:
   * one decode, shared native baselines). Optional: without it the worker calls
   * `replay` once per configuration.
   */
  replayGroup?(
    trace: string | Uint8Array,
    configs: readonly RunConfig[],
  ): Promise<Result[]> | Result[];
  /** Generates the .vmt bytes of a synthetic recipe (`vmmlab synth RECIPE`). */
  synthesize?(recipe: string, params: SynthParams): Promise<Uint8Array> | Uint8Array;
  /**
   * Simulates a host (an experiment's host run): `host` is a `vmmlab.host/1` description
   * whose VM trace paths are relative to `root`. Must be a pure function of its input
   * outside `wall`.
   */
  simulateHost?(
    host: { readonly [key: string]: JsonValue },
    root: string,
  ): Promise<HostResult> | HostResult;
}

/** URL of the engine module the runner uses unless told otherwise. */
export const DEFAULT_ENGINE_URL: string = new URL("./default_engine.ts", import.meta.url).href;

/** Turns `--engine PATH` (relative to `cwd`) or a URL into a module URL. */
export function engineUrl(pathOrUrl: string, cwd: string = Deno.cwd()): string {
  if (/^(file|https?|data):/.test(pathOrUrl)) return pathOrUrl;
  const path = isAbsolute(pathOrUrl) ? pathOrUrl : resolve(cwd, pathOrUrl);
  return pathToFileURL(path).href;
}

/** Imports an engine module and checks that it exports what {@link EngineModule} requires. */
export async function loadEngine(url: string): Promise<EngineModule> {
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (e) {
    if (e instanceof TypeError && /Module not found|Cannot find module/.test(e.message)) {
      throw new ConfigError(url, "engine module not found");
    }
    throw e;
  }
  if (typeof module.replay !== "function") {
    throw new ConfigError(url, "engine module does not export a replay function");
  }
  if (module.replayGroup !== undefined && typeof module.replayGroup !== "function") {
    throw new ConfigError(url, "engine module's replayGroup export is not a function");
  }
  if (module.synthesize !== undefined && typeof module.synthesize !== "function") {
    throw new ConfigError(url, "engine module's synthesize export is not a function");
  }
  if (module.simulateHost !== undefined && typeof module.simulateHost !== "function") {
    throw new ConfigError(url, "engine module's simulateHost export is not a function");
  }
  return module as unknown as EngineModule;
}
