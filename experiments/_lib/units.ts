/**
 * Converting the engine's cycles into the units papers publish (seconds, microseconds),
 * with the clock rate of the platform profile the run used — never a rate written into
 * an experiment.
 *
 * @module
 */

import type { Result } from "../../src/engine/result.ts";
import { loadPlatform } from "../../src/platforms/load.ts";

/** Clock rate in Hz of the platform a result was replayed on. */
export function clockHz(result: Result): number {
  return loadPlatform(result.config.platform).clockHz;
}

/** Cycles of `result`'s platform as seconds. */
export function cyclesToSeconds(result: Result, cycles: number): number {
  return cycles / clockHz(result);
}

/** Cycles of `result`'s platform as microseconds. */
export function cyclesToMicroseconds(result: Result, cycles: number): number {
  return (cycles * 1e6) / clockHz(result);
}
