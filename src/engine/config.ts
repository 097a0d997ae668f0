/**
 * Replay configuration: which model of each family, which platform, the seed and model
 * options; validated up front so a mistake is one {@link ConfigError} line before any
 * record is read.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";
import type { ModelOptions, PlatformData } from "./model.ts";

/** What a caller asks for (every field optional; see {@link DEFAULT_CONFIG}). */
export interface ReplayConfig {
  /** CPU model (`native|trap|bt|pv|hw` or a user model's name). */
  cpu?: string;
  /** MMU model (`native|shadow|pv-direct|nested`). */
  mmu?: string;
  /** Memory model (`none|balloon|swap|share`). */
  memory?: string;
  /** I/O model (`native|emulated|hosted|pv|passthrough|channel`). */
  io?: string;
  /** Platform profile: a built-in name, a JSON file path, or profile data. */
  platform?: string | PlatformData;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** Model options by dotted key (`bt.tc-capacity`). */
  options?: Record<string, number | string | boolean>;
  /**
   * Platform entries to override, by key (`hw.vm-exit`, `mmu.pwc.entries`): the values
   * replace the profile's for this run (`--set platform.KEY=VALUE`). A key the profile
   * does not have is a {@link ConfigError}, never a silently ignored cost.
   */
  platformSet?: Record<string, number>;
  /**
   * Iterations replayed to warm the models (translation cache, TLBs, shadow tables) but
   * left out of every figure, like a simulator's warm-up (default 0).
   */
  warmup?: number;
  /**
   * Iterations measured at most: replay stops at the iteration marker that ends this many
   * iterations after the warm-up, so a long trace can be replayed as a deterministic window
   * of whole iterations (0 or absent: the whole trace). The result's `trace.iterations` and
   * `instructions` are the window's.
   */
  maxIterations?: number;
}

/** A validated configuration. */
export interface ResolvedConfig {
  /** CPU model. */
  cpu: string;
  /** MMU model. */
  mmu: string;
  /** Memory model. */
  memory: string;
  /** I/O model. */
  io: string;
  /** Platform name, path or data. */
  platform: string | PlatformData;
  /** Seed. */
  seed: number;
  /** Options, keys sorted. */
  options: ModelOptions;
  /** Platform overrides, keys sorted (empty when none). */
  platformSet: Record<string, number>;
  /** Warm-up iterations. */
  warmup: number;
  /** Measured iterations at most (0: the whole trace). */
  maxIterations: number;
}

/** Defaults: a native run on the calibrated Pentium 4 profile with seed 1. */
export const DEFAULT_CONFIG: Readonly<ResolvedConfig> = {
  cpu: "native",
  mmu: "native",
  memory: "none",
  io: "native",
  platform: "p4-prescott",
  seed: 1,
  options: {},
  platformSet: {},
  warmup: 0,
  maxIterations: 0,
};

/** Fills defaults and checks types; unknown model names are checked when models are built. */
export function resolveConfig(config: ReplayConfig): ResolvedConfig {
  const out: ResolvedConfig = { ...DEFAULT_CONFIG };
  for (const family of ["cpu", "mmu", "memory", "io"] as const) {
    const v = config[family];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") {
      throw new ConfigError("config", "must be a model name", family);
    }
    out[family] = v;
  }
  if (config.platform !== undefined) {
    const p = config.platform;
    if (!(typeof p === "string" && p !== "") && (typeof p !== "object" || p === null)) {
      throw new ConfigError("config", "must be a platform name, file or object", "platform");
    }
    out.platform = p;
  }
  if (config.seed !== undefined) {
    if (!Number.isSafeInteger(config.seed) || config.seed < 0) {
      throw new ConfigError("config", "must be a non-negative integer", "seed");
    }
    out.seed = config.seed;
  }
  if (config.warmup !== undefined) {
    if (!Number.isSafeInteger(config.warmup) || config.warmup < 0) {
      throw new ConfigError("config", "must be a non-negative integer", "warmup");
    }
    out.warmup = config.warmup;
  }
  if (config.maxIterations !== undefined) {
    if (!Number.isSafeInteger(config.maxIterations) || config.maxIterations < 0) {
      throw new ConfigError("config", "must be a non-negative integer", "maxIterations");
    }
    out.maxIterations = config.maxIterations;
  }
  if (config.options !== undefined) {
    const o = config.options;
    if (typeof o !== "object" || o === null || Array.isArray(o)) {
      throw new ConfigError("config", "must be an object of key=value", "options");
    }
    const sorted: Record<string, number | string | boolean> = {};
    for (const k of Object.keys(o).sort()) {
      const v = o[k];
      if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
        throw new ConfigError("config", "must be a number, string or boolean", `options.${k}`);
      }
      if (typeof v === "number" && (!Number.isFinite(v) || v < 0)) {
        throw new ConfigError("config", `${v} is negative or not finite`, `options.${k}`);
      }
      sorted[k] = v;
    }
    out.options = sorted;
  }
  if (config.platformSet !== undefined) {
    const o = config.platformSet;
    if (typeof o !== "object" || o === null || Array.isArray(o)) {
      throw new ConfigError("config", "must be an object of key=value", "platformSet");
    }
    const sorted: Record<string, number> = {};
    for (const k of Object.keys(o).sort()) {
      const v = o[k];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new ConfigError(
          "--set",
          `${JSON.stringify(v)} is not a finite non-negative number`,
          `platform.${k}`,
        );
      }
      sorted[k] = v;
    }
    out.platformSet = sorted;
  }
  return out;
}

/** Parses `key=value` command-line options (numbers and booleans recognised). */
export function parseOptionPairs(
  pairs: readonly string[],
): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new ConfigError("--option", `"${p}" is not key=value`);
    const key = p.slice(0, eq).trim();
    out[key] = parseOptionValue(p.slice(eq + 1).trim());
  }
  return out;
}

/** One option value as `--option` reads it: `true`/`false`, a number, or the text. */
export function parseOptionValue(raw: string): number | string | boolean {
  if (raw === "true" || raw === "false") return raw === "true";
  if (raw !== "" && Number.isFinite(Number(raw))) return Number(raw);
  return raw;
}
