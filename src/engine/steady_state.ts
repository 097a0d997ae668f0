/**
 * Steady-state cycles of a replay: a trace records a short window (forkwait: 40
 * iterations), while the papers ran long (forkwait: 40,000 iterations). The binary
 * translator translates each kernel block once (on its first execution) unless its
 * translation cache overflows, so the translation cycles of a window are a one-time cost
 * that a long run pays once, not once per window. Scaling a window up by its
 * per-iteration cycles would multiply that one-time cost by the run's length; these
 * helpers separate it instead. Nothing here is a fudge factor: the one-time part is read
 * from the result's own breakdown, and it is zero whenever the cache was flushed. The
 * CLI (`vmmlab replay`, `compare`, `sweep`), the result's `steady` section and the
 * experiments all read these figures from here, so a table and a command agree.
 *
 * @module
 */
import type { Result, ResultSteady } from "./result.ts";

/** The parts of a result the steady-state figures read (a whole {@link Result} will do). */
export type SteadyInput = Pick<Result, "cycles" | "breakdown" | "events" | "trace">;

/** Breakdown category of the binary translator's translation work. */
export const TRANSLATE_CATEGORY = "bt.translate";

/** Event counting translation-cache flushes (after one, translations repeat). */
export const TC_FLUSH_EVENT = "bt.tc-flushes";

/**
 * Cycles of `result` that a long run of the same workload pays once: the translation of
 * each kernel block on first use. Zero when the translation cache was flushed (then
 * translations repeat and belong to the steady state) or when no translator ran.
 */
export function oneTimeCycles(result: SteadyInput): number {
  if ((result.events[TC_FLUSH_EVENT] ?? 0) > 0) return 0;
  return result.breakdown[TRANSLATE_CATEGORY] ?? 0;
}

/** Iterations of the replayed window (1 when the trace has no iteration markers). */
export function windowIterations(result: SteadyInput): number {
  return result.trace.iterations > 0 ? result.trace.iterations : 1;
}

/** Virtualized cycles per iteration without the one-time translation cost. */
export function steadyVirtualizedPerIteration(result: SteadyInput): number {
  return (result.cycles.virtualized - oneTimeCycles(result)) / windowIterations(result);
}

/** Native cycles per iteration (the baseline has no one-time VMM costs). */
export function nativePerIteration(result: SteadyInput): number {
  return result.cycles.native / windowIterations(result);
}

/**
 * Virtualized cycles of a run of `iterations` iterations: the steady per-iteration cost
 * times the run's length, plus the one-time translation once.
 */
export function virtualizedCyclesFor(result: SteadyInput, iterations: number): number {
  return steadyVirtualizedPerIteration(result) * iterations + oneTimeCycles(result);
}

/** Native cycles of a run of `iterations` iterations. */
export function nativeCyclesFor(result: SteadyInput, iterations: number): number {
  return nativePerIteration(result) * iterations;
}

/**
 * Slowdown over native with a warm translation cache: the replayed window's cycles
 * without the one-time translation, over its native cycles. Equals `result.slowdown`
 * for every technique but binary translation.
 */
export function steadySlowdown(result: SteadyInput): number {
  if (result.cycles.native <= 0) return 0;
  return (result.cycles.virtualized - oneTimeCycles(result)) / result.cycles.native;
}

/** The steady-state figures a result carries beside the window's own (`result.steady`). */
export type SteadyState = ResultSteady;

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}

/**
 * The steady-state section of a result, rounded like the result's own figures (cycles
 * to 1/100, slowdown to 1e-6) so that it is byte-stable.
 */
export function steadyState(result: SteadyInput): SteadyState {
  return {
    oneTimeCycles: round(oneTimeCycles(result), 100),
    perIteration: {
      native: round(nativePerIteration(result), 100),
      virtualized: round(steadyVirtualizedPerIteration(result), 100),
    },
    slowdown: round(steadySlowdown(result), 1e6),
  };
}

/**
 * Each breakdown category's steady-state cycles per iteration: the window's cycles of
 * the category over its iterations, with the one-time translation taken out of
 * {@link TRANSLATE_CATEGORY} (zero-cycle categories kept, so configurations line up).
 */
export function steadyBreakdownPerIteration(result: SteadyInput): Record<string, number> {
  const oneTime = oneTimeCycles(result);
  const n = windowIterations(result);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.breakdown)) {
    out[k] = round((k === TRANSLATE_CATEGORY ? v - oneTime : v) / n, 100);
  }
  return out;
}

/**
 * Slowdown of a run of `iterations` iterations of the workload: its steady per-iteration
 * cost times the run's length plus the one-time translation once, over native (how the
 * README's forkwait row counts the paper's 40,000-iteration run).
 */
export function runSlowdown(result: SteadyInput, iterations: number): number {
  const native = nativeCyclesFor(result, iterations);
  return native > 0 ? round(virtualizedCyclesFor(result, iterations) / native, 1e6) : 0;
}
