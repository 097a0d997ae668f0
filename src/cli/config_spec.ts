/**
 * The compact configuration syntax of `vmmlab compare --config` and `vmmlab sweep`:
 * comma-separated `key=value` pairs, e.g. `cpu=hw,mmu=nested,platform=modern` or
 * `label=bt,cpu=bt,mmu=shadow,bt.tc-capacity=4096,platform.bt.translate=1000`.
 *
 * - `cpu`, `mmu`, `io`, `memory`, `platform` (a profile name or JSON file), `seed`,
 *   `warmup` set the replay's fields; an omitted one keeps its default (native models,
 *   `p4-prescott`, seed 1, no warm-up).
 * - `platform.KEY=NUMBER` overrides one platform entry (`--set platform.KEY=VALUE`).
 * - Any other dotted key (`bt.tc-capacity`, `mmu.pwc-entries`) is a model option
 *   (`--option KEY=VALUE`); `option.KEY` says so explicitly.
 * - `label=NAME` names the configuration in tables and files; by default the label is
 *   the non-native models joined by `+` (`hw+nested`), then every other pair given.
 *
 * A key that is none of these, or a pair without `=`, is one {@link InputError} line.
 *
 * @module
 */

import { parseOptionValue, type ReplayConfig } from "../engine/config.ts";
import type { ResultConfig } from "../engine/result.ts";
import { InputError } from "../util/errors.ts";
import { didYouMean } from "../util/suggest.ts";
import { parseIntOption } from "./options.ts";

/** A parsed configuration with its display label. */
export interface NamedConfig {
  /** How tables, CSV and charts name it. */
  label: string;
  /** What the replay engine is given (platform always a name or file path here). */
  config: ReplayConfig & { platform?: string };
}

const FIELDS = ["cpu", "mmu", "io", "memory", "platform", "seed", "warmup", "label"] as const;
const MODEL_FIELDS = ["cpu", "mmu", "io", "memory"] as const;
const NATIVE: Readonly<Record<string, string>> = {
  cpu: "native",
  mmu: "native",
  io: "native",
  memory: "none",
};

/** A platform entry's new value: a finite non-negative number, or an error naming the key. */
export function parsePlatformValue(where: string, key: string, raw: string): number {
  const v = raw.trim() === "" ? NaN : Number(raw);
  if (!Number.isFinite(v) || v < 0) {
    throw new InputError(
      `${where}: platform.${key}: ${JSON.stringify(raw)} is not a non-negative number`,
    );
  }
  return v;
}

/**
 * Applies one `key=value` to `config` (shared by the compact syntax, `--set` and
 * `sweep --vary`). `where` names the flag in error messages.
 */
export function applySetting(
  where: string,
  config: ReplayConfig & { platform?: string },
  key: string,
  raw: string,
): void {
  if (key.startsWith("platform.") && key.length > "platform.".length) {
    const entry = key.slice("platform.".length);
    config.platformSet = {
      ...config.platformSet,
      [entry]: parsePlatformValue(where, entry, raw),
    };
    return;
  }
  if (key.startsWith("option.") && key.length > "option.".length) {
    config.options = { ...config.options, [key.slice("option.".length)]: parseOptionValue(raw) };
    return;
  }
  switch (key) {
    case "cpu":
    case "mmu":
    case "io":
    case "memory":
    case "platform":
      if (raw === "") throw new InputError(`${where}: ${key} needs a value`);
      config[key] = raw;
      return;
    case "seed":
    case "warmup":
      config[key] = parseIntOption(`${where}: ${key}`, raw, 0, Number.MAX_SAFE_INTEGER);
      return;
  }
  if (key.includes(".")) {
    config.options = { ...config.options, [key]: parseOptionValue(raw) };
    return;
  }
  throw new InputError(
    `${where}: unknown key ${JSON.stringify(key)}${didYouMean(key, FIELDS)} (keys: ${
      FIELDS.join(", ")
    }, platform.KEY, or a dotted model option)`,
  );
}

/** Splits `key=value`, or throws an error naming `where`. */
export function splitPair(where: string, pair: string): [string, string] {
  const eq = pair.indexOf("=");
  if (eq <= 0) throw new InputError(`${where}: ${JSON.stringify(pair)} is not key=value`);
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

/** Parses one compact configuration (see the module documentation). */
export function parseConfigSpec(spec: string, where = "--config"): NamedConfig {
  const config: ReplayConfig & { platform?: string } = {};
  let label: string | undefined;
  const extras: string[] = [];
  const seen = new Set<string>();
  const pairs = spec.split(",").map((p) => p.trim()).filter((p) => p !== "");
  if (pairs.length === 0) throw new InputError(`${where}: empty configuration`);
  for (const pair of pairs) {
    const [key, raw] = splitPair(where, pair);
    if (seen.has(key)) throw new InputError(`${where}: ${key} given twice in "${spec}"`);
    seen.add(key);
    if (key === "label") {
      if (raw === "") throw new InputError(`${where}: label needs a value`);
      label = raw;
      continue;
    }
    applySetting(where, config, key, raw);
    if (!(MODEL_FIELDS as readonly string[]).includes(key)) extras.push(`${key}=${raw}`);
  }
  return { label: label ?? defaultLabel(config, extras), config };
}

/** `hw+nested`, then the non-model pairs in the order given. */
function defaultLabel(config: ReplayConfig, extras: readonly string[]): string {
  const models = MODEL_FIELDS
    .filter((f, i) => i === 0 || (config[f] !== undefined && config[f] !== NATIVE[f]))
    .map((f) => config[f] ?? NATIVE[f]);
  return [models.join("+"), ...extras].join(",");
}

/**
 * A result's configuration in the compact syntax (every model and the platform, then
 * seed, warm-up, options and overrides that differ from the defaults), so that a row of
 * `replay --csv` can be pasted back into `compare --config`.
 */
export function configSpecOf(config: ResultConfig): string {
  const parts = [
    `cpu=${config.cpu}`,
    `mmu=${config.mmu}`,
    `io=${config.io}`,
    `memory=${config.memory}`,
    `platform=${config.platform}`,
  ];
  if (config.seed !== 1) parts.push(`seed=${config.seed}`);
  if (typeof config.warmup === "number" && config.warmup !== 0) {
    parts.push(`warmup=${config.warmup}`);
  }
  const options = (config.options ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(options).sort()) parts.push(`${k}=${String(options[k])}`);
  const set = (config.platformSet ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(set).sort()) parts.push(`platform.${k}=${String(set[k])}`);
  return parts.join(",");
}
