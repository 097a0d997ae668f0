/**
 * Steady-state cycles of a replay: a trace records a short window (forkwait: 40
 * iterations), while the papers ran long (forkwait: 40,000 iterations). The binary
 * translator translates each kernel block once (on its first execution) unless its
 * translation cache overflows, so the translation cycles of a window are a one-time cost
 * that a long run pays once, not once per window. Scaling a window up by its
 * per-iteration cycles would multiply that one-time cost by the run's length; these
 * helpers separate it instead. Nothing here is a fudge factor: the one-time part is read
 * from the result's own breakdown, and it is zero whenever the cache was flushed.
 *
 * @module
 */
import type { Result } from "../src/engine/result.ts";

/** Breakdown category of the binary translator's translation work. */
export const TRANSLATE_CATEGORY = "bt.translate";

/** Event counting translation-cache flushes (after one, translations repeat). */
export const TC_FLUSH_EVENT = "bt.tc-flushes";

/**
 * Cycles of `result` that a long run of the same workload pays once: the translation of
 * each kernel block on first use. Zero when the translation cache was flushed (then
 * translations repeat and belong to the steady state) or when no translator ran.
 */
export function oneTimeCycles(result: Result): number {
  if ((result.events[TC_FLUSH_EVENT] ?? 0) > 0) return 0;
  return result.breakdown[TRANSLATE_CATEGORY] ?? 0;
}

/** Iterations of the replayed window (1 when the trace has no iteration markers). */
export function windowIterations(result: Result): number {
  return result.trace.iterations > 0 ? result.trace.iterations : 1;
}

/** Virtualized cycles per iteration without the one-time translation cost. */
export function steadyVirtualizedPerIteration(result: Result): number {
  return (result.cycles.virtualized - oneTimeCycles(result)) / windowIterations(result);
}

/** Native cycles per iteration (the baseline has no one-time VMM costs). */
export function nativePerIteration(result: Result): number {
  return result.cycles.native / windowIterations(result);
}

/**
 * Virtualized cycles of a run of `iterations` iterations: the steady per-iteration cost
 * times the run's length, plus the one-time translation once.
 */
export function virtualizedCyclesFor(result: Result, iterations: number): number {
  return steadyVirtualizedPerIteration(result) * iterations + oneTimeCycles(result);
}

/** Native cycles of a run of `iterations` iterations. */
export function nativeCyclesFor(result: Result, iterations: number): number {
  return nativePerIteration(result) * iterations;
}

/**
 * Slowdown over native with a warm translation cache: the replayed window's cycles
 * without the one-time translation, over its native cycles. Equals `result.slowdown`
 * for every technique but binary translation.
 */
export function steadySlowdown(result: Result): number {
  if (result.cycles.native <= 0) return 0;
  return (result.cycles.virtualized - oneTimeCycles(result)) / result.cycles.native;
}
