/**
 * The contract of an experiment module: one file per reproduced figure under
 * `experiments/`, default-exporting an {@link Experiment}. The runner expands its runs
 * into replay jobs, hands the results back to `compare` and `chart`, and writes every
 * output; the module itself never touches files, workers or the clock.
 * See docs/experiments.md.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import type { Result } from "../../src/engine/result.ts";
import type { HostResult } from "../../src/host/result.ts";
import type { Check, ComparisonRow, Role } from "../../src/charts/comparison_row.ts";

/** A JSON value, as read from published.json or written into a configuration. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** The published values of `experiments/published/*.json`: papers by key (`adams2006`, ...). */
export type Published = { readonly [paper: string]: JsonValue };

/** Parameters of a synthetic recipe (`vmmlab synth RECIPE`). */
export type SynthParams = { readonly [name: string]: string | number | boolean };

/**
 * Where a run's trace comes from: a committed trace file (repository-relative path,
 * e.g. `traces/forkwait.vmt`) or a synthetic recipe generated on the fly.
 */
export type TraceSource =
  | { readonly path: string }
  | { readonly synth: string; readonly params?: SynthParams };

/**
 * The configuration a run replays under, in the shape of the engine's `ReplayConfig`;
 * fields left out take the engine's defaults (native models, `p4-prescott`, seed 1).
 */
export interface RunConfig {
  /** CPU model: `native|trap|bt|pv|hw`. */
  readonly cpu?: string;
  /** MMU model: `native|shadow|pv-direct|nested`. */
  readonly mmu?: string;
  /** Memory model: `none|balloon|swap|share`. */
  readonly memory?: string;
  /** I/O model: `native|emulated|hosted|pv|passthrough|channel`. */
  readonly io?: string;
  /** Platform profile name, e.g. `p4-prescott`. */
  readonly platform?: string;
  /** Seed of the run's pseudo-random choices. */
  readonly seed?: number;
  /** Model options by dotted key (`bt.tc-capacity`, `hw.exit-cost`). */
  readonly options?: { readonly [key: string]: number | string | boolean };
  /** Platform entries overridden for the run (`hw.vm-exit`), as `vmmlab sweep` varies them. */
  readonly platformSet?: { readonly [key: string]: number };
  /** Iterations replayed to warm caches, TLBs and models but left out of every figure. */
  readonly warmup?: number;
  /**
   * Iterations measured at most: the replay stops after this many whole iterations (a
   * deterministic window of a long trace; see `windowIterations` in corpus.ts).
   */
  readonly maxIterations?: number;
}

/** One replay an experiment needs: its id (unique within the experiment), trace and configuration. */
export interface RunSpec {
  /** Identifier the experiment uses to find the result, e.g. `syscall/bt`. */
  readonly id: string;
  /** The trace to replay. */
  readonly trace: TraceSource;
  /** The configuration to replay it under. */
  readonly config: RunConfig;
}

/**
 * A host simulation an experiment needs (many VMs on one machine, docs/host.md): the host
 * description as it would be written in a `vmmlab.host/1` file, except that VM trace paths
 * are relative to the repository root. The runner simulates it like `vmmlab host` with
 * `--no-alone` and hands back the result without its wall-clock figures.
 */
export interface HostRunSpec {
  /** Identifier the experiment uses to find the result, e.g. `vms-8/slice-5`. */
  readonly id: string;
  /** The host description (`schema` may be left out). */
  readonly host: { readonly [key: string]: JsonValue };
}

/** Any run an experiment may list: a replay of one trace, or a host simulation. */
export type AnyRunSpec = RunSpec | HostRunSpec;

// The row and check types are shared with the report and summary, which may not import
// experiments; they are defined once beside those readers and re-exported for experiments.
export type { Check, ComparisonRow, Role };

/** Results of an experiment's runs, by run id. */
export type RunResults = { readonly [runId: string]: Result };

/** Results of an experiment's host simulations ({@link HostRunSpec}), by run id. */
export type HostResults = { readonly [runId: string]: HostResult };

/** What an experiment may consult when it lists its runs. */
export interface ExperimentContext {
  /** Absolute path of the repository root (for reading `traces/MANIFEST.json`). */
  readonly root: string;
  /** The published values. */
  readonly published: Published;
}

/** An experiment module's default export: one reproduced figure. */
export interface Experiment {
  /** Name used on the command line and as the output folder; equals the file name without `.ts`. */
  readonly name: string;
  /** Title shown over the figure. */
  readonly title: string;
  /** Short citation of what is reproduced, e.g. `Adams & Agesen, ASPLOS 2006, Figure 4`. */
  readonly citation: string;
  /** Keys in published.json of the papers whose values are compared (their full citation is shown). */
  readonly papers: readonly string[];
  /** One paragraph on what is reproduced and how (shown in the report). */
  readonly description: string;
  /**
   * The runs to replay or simulate; deterministic (no clock, no randomness, sorted file
   * listings). Replay results arrive in `results`, host simulations' in `hosts`.
   */
  runs(context: ExperimentContext): readonly AnyRunSpec[] | Promise<readonly AnyRunSpec[]>;
  /** Maps reproduced results to published values, one row per compared number. */
  compare(results: RunResults, published: Published, hosts?: HostResults): readonly ComparisonRow[];
  /** Qualitative targets (orderings, bands); optional. */
  checks?(results: RunResults, published: Published, hosts?: HostResults): readonly Check[];
  /** The figure as a Vega-Lite spec, built from the results and the comparison rows. */
  chart(
    results: RunResults,
    published: Published,
    rows: readonly ComparisonRow[],
    hosts?: HostResults,
  ): TopLevelSpec;
}
