/**
 * The replay engine: stream a trace once through a configured model set and its native
 * baseline, and the interface a model implements to take part.
 *
 * @module
 */

export * from "./model.ts";
export * from "./options.ts";
export * from "./config.ts";
export * from "./result.ts";
export { NATIVE_BASELINE, replay } from "./replay.ts";
export * from "./steady_state.ts";
export { HW_ASSIST_FACT, type SanityHeader, type SanityWarning, sanityWarnings } from "./sanity.ts";
export type { ModelChoice } from "./context.ts";
export { Pcg32 } from "../util/pcg32.ts";
