/**
 * Group replay: several configurations of one trace from one pass over it. Experiments
 * replay each trace under many configurations (techniques × platforms, sweeps), and a
 * single replay spends a large share of its time decoding the trace and simulating the
 * native baseline, which many of those configurations have in common. Here the trace is
 * decoded once, batch by batch, into a reusable {@link FlatBatch} that every machine steps
 * through, and configurations whose baseline is provably the same ({@link baselineKey})
 * share one native baseline set: one machine runs it, the others step an idle set in its
 * place. Each result equals `replay(trace, config)` of its configuration alone, except
 * the `host` wall-clock figures.
 *
 * @module
 */

import { loadPlatform, withOverrides } from "../platforms/load.ts";
import { type ReplayConfig, resolveConfig, type ResolvedConfig } from "./config.ts";
import { FAMILIES, modelInfo, modelNames, type Platform } from "./model.ts";
import { ConfigError } from "../util/errors.ts";
import type { Result } from "./result.ts";
import { ERA_OPTIONS } from "../models/cpu/era.ts";
import { HIERARCHY_OPTIONS } from "../models/memory/hierarchy_config.ts";
import { NESTED_OPTIONS, oneDimensionalRead } from "../models/mmu/options.ts";
import { FlatBatch } from "./flat_records.ts";
import {
  buildResult,
  isNativeBaseline,
  NATIVE_BASELINE,
  type ReplayInput,
  replayInput,
  ReplayMachine,
  type TraceIdentity,
  withTrace,
} from "./replay.ts";

/** Records decoded per batch (as the single replay's batch, src/engine/replay.ts). */
const BATCH = 16384;

/**
 * Option keys the native baseline set may read although none of its models declares
 * them: the era (the engine reads it for both sets), the cache hierarchy's (each set
 * builds its own), and the nested-paging keys the shared translator configuration reads
 * for every MMU (src/models/mmu/options.ts `translatorConfig`).
 */
const ENGINE_READS: readonly string[] = [
  ...Object.keys(ERA_OPTIONS),
  ...Object.keys(HIERARCHY_OPTIONS),
  ...Object.keys(NESTED_OPTIONS),
];

let ignorable: ReadonlySet<string> | null = null;

/**
 * Option keys the baseline set provably does not read: declared by some registered
 * model, but by no model of the native baseline nor in {@link ENGINE_READS}. Computed
 * on first use, after every model (including user models loaded since) registered.
 */
function ignorableKeys(): ReadonlySet<string> {
  if (ignorable !== null) return ignorable;
  const read = new Set<string>(ENGINE_READS);
  for (const family of FAMILIES) {
    for (const key of Object.keys(modelInfo(family, NATIVE_BASELINE[family]).options ?? {})) {
      read.add(key);
    }
  }
  const keys = new Set<string>();
  for (const family of FAMILIES) {
    for (const name of modelNames(family)) {
      for (const key of Object.keys(modelInfo(family, name).options ?? {})) {
        if (!read.has(key)) keys.add(key);
      }
    }
  }
  ignorable = keys;
  return keys;
}

/**
 * What the native baseline of a replay depends on besides the records: two
 * configurations with the same key over the same trace give the same baseline set, so
 * one can run it for both. It holds the platform with its overrides, seed, warm-up,
 * iteration limit and every option except those no baseline model nor the engine reads
 * (an option the baseline might read stays in, so doubt costs sharing, not correctness).
 */
export function baselineKey(config: ResolvedConfig): string {
  const skip = ignorableKeys();
  // The baseline's walker is one-dimensional: nested-paging options reach it only as
  // oneDimensionalRead says (ntlb sizes not at all, a 2-D page-walk cache as a 1-D one).
  const options = Object.keys(config.options).filter((k) => !skip.has(k)).sort()
    .map((k) => oneDimensionalRead(k, config.options[k])).filter((o) => o !== null);
  const platformSet = Object.keys(config.platformSet).sort()
    .map((k) => [k, config.platformSet[k]]);
  return JSON.stringify([
    config.platform,
    platformSet,
    config.seed,
    config.warmup,
    config.maxIterations,
    options,
  ]);
}

/**
 * For each configuration of a group, the index of the one whose machine runs its native
 * baseline: per {@link baselineKey}, a configuration of the native baseline's own models
 * where there is one (its configured set is then the baseline, so the native models run
 * once), else the first with that key. A leader's entry is its own index.
 */
export function groupLeaders(configs: readonly ResolvedConfig[]): number[] {
  const keys = configs.map((config) => baselineKey(config));
  const leaderOf = new Map<string, number>();
  configs.forEach((config, k) => {
    const first = leaderOf.get(keys[k]);
    if (first === undefined || (isNativeBaseline(config) && !isNativeBaseline(configs[first]))) {
      leaderOf.set(keys[k], k);
    }
  });
  return keys.map((key) => leaderOf.get(key)!);
}

/** One configuration of a group: its machine and what its result needs. */
interface Member {
  readonly config: ResolvedConfig;
  readonly platform: Platform;
  readonly machine: ReplayMachine;
  /** Milliseconds spent stepping this machine (its result's `host` figures). */
  ms: number;
  /** Still stepping (false once it stopped at its iteration limit). */
  active: boolean;
}

/**
 * Replays an open input under every configuration in one pass and returns the results
 * in the order of `configs`. One configuration goes through {@link replayInput} as is.
 * Memory grows with the number of configurations (each has its own models): callers
 * bound it (the experiment runner groups at most 32: src/cli/experiment/units.ts).
 */
export function replayInputGroup(
  input: ReplayInput,
  configs: readonly ReplayConfig[],
  identity: TraceIdentity = { path: input.header.workload, hash: "" },
): Result[] {
  if (configs.length === 1) return [replayInput(input, configs[0], identity)];
  const batch = new FlatBatch(BATCH);
  const resolved = configs.map((c) => resolveConfig(c));
  const leaders = groupLeaders(resolved);
  const machines = new Array<ReplayMachine>(configs.length);
  const platforms = resolved.map((config) =>
    withOverrides(loadPlatform(config.platform), config.platformSet)
  );
  // Leaders first: the others share the baseline set a leader runs.
  leaders.forEach((leader, k) => {
    if (leader === k) {
      machines[k] = new ReplayMachine(input, resolved[k], platforms[k], NATIVE_BASELINE, true);
    }
  });
  const members: Member[] = resolved.map((config, k) => {
    const machine = machines[k] ??
      new ReplayMachine(input, config, platforms[k], machines[leaders[k]].native);
    return { config, platform: platforms[k], machine, ms: 0, active: true };
  });
  const source = input.cursor();
  let running = members.length;
  while (running > 0 && batch.fill(source) > 0) {
    for (const m of members) {
      if (!m.active) continue;
      const t0 = performance.now();
      m.machine.stepBatch(batch, input.code);
      m.ms += performance.now() - t0;
      if (m.machine.stopped) {
        m.active = false;
        running--;
      }
    }
  }
  return members.map((m) => {
    const { config, machine } = m;
    if (config.warmup > 0 && machine.guest.iteration <= config.warmup) {
      throw new ConfigError(
        "--warmup",
        `${config.warmup} warm-up iterations leave none of the trace's ${machine.guest.iteration} to measure`,
      );
    }
    return m;
  }).map((m) => {
    // Every machine finishes before any result is built: a shared baseline's totals are
    // final only once its machine finished.
    m.machine.finish();
    return m;
  }).map((m) =>
    buildResult(m.machine, input, identity, m.config, m.platform, { wallSeconds: m.ms / 1000 })
  );
}

/**
 * The library entry point for several configurations of one trace: as `replay` for
 * each configuration (results in the same order, equal outside `host`), from one
 * decode of the trace, with native baselines shared where {@link baselineKey} allows.
 */
export function replayGroup(
  trace: string | Uint8Array,
  configs: readonly ReplayConfig[],
): Promise<Result[]> {
  return withTrace(trace, (input, identity) => replayInputGroup(input, configs, identity));
}
