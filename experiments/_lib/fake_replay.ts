/**
 * A stand-in replay engine for testing the experiment pipeline without the real one: it
 * satisfies the same module interface (`replay`, `synthesize`), returns results of the
 * real shape, and derives every number from a hash of the trace identity and the
 * configuration, so its outputs are deterministic but mean nothing. Select it with
 * `vmmlab experiment --engine experiments/_lib/fake_replay.ts`; never cite its figures.
 *
 * @module
 */

import { basename } from "node:path";
import { type Result, RESULT_SCHEMA } from "../../src/engine/result.ts";
import { ConfigError } from "../../src/util/errors.ts";
import type { RunConfig, SynthParams } from "./experiment.ts";

/** FNV-1a over a string, 32-bit: a tiny deterministic hash to vary the fake numbers. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const CPU_OVERHEAD: Readonly<Record<string, number>> = {
  native: 0,
  trap: 2,
  bt: 1.2,
  pv: 0.3,
  hw: 1.6,
};
const MMU_OVERHEAD: Readonly<Record<string, number>> = {
  native: 0,
  shadow: 0.8,
  "pv-direct": 0.2,
  nested: 0.4,
};
const IO_OVERHEAD: Readonly<Record<string, number>> = {
  native: 0,
  emulated: 0.9,
  hosted: 1.4,
  pv: 0.2,
  passthrough: 0.05,
  channel: 0.1,
};

/** Bytes standing for a synthetic trace: the recipe and parameters, as JSON. */
export function synthesize(recipe: string, params: SynthParams = {}): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ fakeTrace: recipe, params }));
}

/**
 * Deterministic fake replay with the real result shape; `host` holds real wall time. An
 * unknown model name is a {@link ConfigError}, as in the real engine.
 */
export function replay(trace: string | Uint8Array, config: RunConfig): Promise<Result> {
  try {
    return Promise.resolve(fakeResult(trace, config));
  } catch (e) {
    return Promise.reject(e);
  }
}

function fakeResult(trace: string | Uint8Array, config: RunConfig): Result {
  const started = performance.now();
  let workload: string;
  let path: string;
  let iterations = 1000;
  if (typeof trace === "string") {
    workload = basename(trace).replace(/\.vmt$/, "");
    path = trace;
  } else {
    const parsed = JSON.parse(new TextDecoder().decode(trace)) as {
      fakeTrace: string;
      params: SynthParams;
    };
    workload = parsed.fakeTrace;
    path = `synth:${workload}`;
    if (typeof parsed.params.iterations === "number") iterations = parsed.params.iterations;
  }
  const full = {
    ...config,
    cpu: config.cpu ?? "native",
    mmu: config.mmu ?? "native",
    memory: config.memory ?? "none",
    io: config.io ?? "native",
    platform: config.platform ?? "p4-prescott",
    seed: config.seed ?? 1,
  };
  for (
    const [family, table] of [["cpu", CPU_OVERHEAD], ["mmu", MMU_OVERHEAD], [
      "io",
      IO_OVERHEAD,
    ]] as const
  ) {
    if (table[full[family]] === undefined) {
      throw new ConfigError("fake engine", `unknown ${family} model ${full[family]}`, family);
    }
  }
  const traceHash = fnv1a(workload);
  const perIterNative = 10 + (traceHash % 5000);
  const jitter = 1 +
    (fnv1a(`${workload}|${full.cpu}|${full.mmu}|${full.io}|${full.platform}`) % 200) / 1000;
  const cpu = perIterNative * CPU_OVERHEAD[full.cpu] * jitter;
  const mmu = perIterNative * MMU_OVERHEAD[full.mmu] * jitter;
  const io = perIterNative * IO_OVERHEAD[full.io] * jitter;
  const breakdown = {
    guest: Math.round(perIterNative * iterations),
    cpu: Math.round(cpu * iterations),
    mmu: Math.round(mmu * iterations),
    io: Math.round(io * iterations),
  };
  const native = breakdown.guest;
  const virtualized = breakdown.guest + breakdown.cpu + breakdown.mmu + breakdown.io;
  return {
    schema: RESULT_SCHEMA,
    trace: { path, hash: traceHash.toString(16).padStart(8, "0"), workload, iterations },
    config: full,
    cycles: {
      native,
      virtualized,
      perIteration: { native: native / iterations, virtualized: virtualized / iterations },
    },
    slowdown: virtualized / native,
    breakdown,
    events: { exits: Math.round(cpu / 100) * iterations, iterations },
    host: { engine: "fake", wallSeconds: (performance.now() - started) / 1000 },
  };
}
