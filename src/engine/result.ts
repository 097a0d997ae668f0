/**
 * The result of one replay: the JSON object DESIGN.md fixes ("Results"), which the CLI,
 * the experiments, the charts and the golden tests all read. Everything outside `host`
 * is a pure function of the trace and the configuration.
 *
 * @module
 */

/** Schema tag every result carries, so readers can reject a file from another version. */
export const RESULT_SCHEMA = "vmmlab.result/1";

/** Which trace a result came from: readers match results to traces by content hash. */
export interface ResultTrace {
  /** The trace as the user named it (repository-relative path, or `synth:RECIPE`). */
  path: string;
  /** Content hash of the decompressed records, as the trace summary states it. */
  hash: string;
  /** Workload name from the trace header. */
  workload: string;
  /** Number of iteration markers in the replayed window (0 when the trace has none). */
  iterations: number;
}

/**
 * The full configuration of a run, echoed so that a result explains itself; engines may
 * add fields (batch sizes, cache sizes, exit reasons) beside the fixed ones.
 */
export interface ResultConfig {
  /** CPU virtualization model: `native|trap|bt|pv|hw`. */
  cpu: string;
  /** MMU virtualization model: `native|shadow|pv-direct|nested`. */
  mmu: string;
  /** Memory management model: `none|balloon|swap|share`. */
  memory: string;
  /** I/O virtualization model: `native|emulated|hosted|pv|passthrough|channel`. */
  io: string;
  /** Platform profile name, e.g. `p4-prescott`. */
  platform: string;
  /** Seed of every pseudo-random choice the run makes. */
  seed: number;
  /** Further, engine-defined configuration fields. */
  [field: string]: unknown;
}

/** Cycle totals of the native baseline and the virtualized replay of the same trace. */
export interface ResultCycles {
  /** Cycles the trace costs natively on the platform. */
  native: number;
  /** Cycles the trace costs under the configured VMM. */
  virtualized: number;
  /** Both totals divided by the number of iterations (equal to the totals when there are none). */
  perIteration: { native: number; virtualized: number };
}

/** Wall-clock and throughput figures: the only part of a result that may vary between runs. */
export interface ResultHost {
  /** Further, engine-defined host measurements (wall seconds, records per second, ...). */
  [field: string]: unknown;
}

/** Steady-state figures: the window's without its one-time translation (steady_state.ts). */
export interface ResultSteady {
  /** Cycles of the window a long run pays once (the translator's first translations). */
  oneTimeCycles: number;
  /** Per-iteration cycles without the one-time cost. */
  perIteration: { native: number; virtualized: number };
  /** Slowdown over native without the one-time cost. */
  slowdown: number;
  /**
   * Slowdown of a run of `iterations` iterations (steady cost times the run, one-time
   * cost once), present only when asked for (`vmmlab replay --run-iterations N`).
   */
  run?: { iterations: number; slowdown: number };
}

/** One replay's result, as DESIGN.md's "Results" section fixes its top level. */
export interface Result {
  /** Always {@link RESULT_SCHEMA}. */
  schema: typeof RESULT_SCHEMA;
  /** The trace replayed. */
  trace: ResultTrace;
  /** The configuration replayed under. */
  config: ResultConfig;
  /** Native and virtualized cycle totals. */
  cycles: ResultCycles;
  /** `cycles.virtualized / cycles.native`. */
  slowdown: number;
  /**
   * The steady state beside the window's figures (absent in results of engines that do
   * not compute it, such as a test's fake engine).
   */
  steady?: ResultSteady;
  /** Cycles by named category (exits, translation, hidden faults, ...). */
  breakdown: Record<string, number>;
  /** Event counts by name (exits by reason, hypercalls, TLB misses, ...). */
  events: Record<string, number>;
  /** Non-deterministic measurements, ignored by every comparison. */
  host: ResultHost;
  /** Further, engine-defined deterministic fields. */
  [field: string]: unknown;
}

/**
 * Where a result holds a number that is not finite (`cycles.native`, `breakdown.exec`), or
 * null when every number is finite. JSON writes NaN and infinities as `null`, which a
 * reader would take for a measured value; a result with one is never written.
 */
export function nonFinitePath(value: unknown, path = ""): string | null {
  if (typeof value === "number") return Number.isFinite(value) ? null : path || "(value)";
  if (typeof value !== "object" || value === null) return null;
  for (const [k, v] of Object.entries(value)) {
    const p = nonFinitePath(v, path ? `${path}.${k}` : k);
    if (p !== null) return p;
  }
  return null;
}
