/**
 * Validation of the model-specific options the I/O models accept (`io.pv.batch`,
 * `io.hosted.sendCombining`, ...): a bad value is a user's mistake and becomes one
 * `ConfigError` line naming the option, never a stack trace or a silent default.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** Model options as the engine passes them: a flat map from dotted names to JSON values. */
export type IoOptions = Readonly<Record<string, unknown>>;

/** Where option errors say they came from. */
const SOURCE = "io model options";

/** Reads a boolean option, accepting `true`/`false` and their string forms from a command line. */
export function boolOption(options: IoOptions, name: string, fallback: boolean): boolean {
  const v = options[name];
  if (v === undefined) return fallback;
  if (v === true || v === "true" || v === 1 || v === "1") return true;
  if (v === false || v === "false" || v === 0 || v === "0") return false;
  throw new ConfigError(SOURCE, `expected true or false, got ${JSON.stringify(v)}`, name);
}

/** Reads an integer option in `[min, max]`, accepting numeric strings from a command line. */
export function intOption(
  options: IoOptions,
  name: string,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  const v = options[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(SOURCE, `expected an integer ${range}, got ${JSON.stringify(v)}`, name);
  }
  return n;
}

/** Reads a finite number option of at least `min`, accepting numeric strings from a command line. */
export function numberOption(
  options: IoOptions,
  name: string,
  fallback: number,
  min: number,
): number {
  const v = options[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min) {
    throw new ConfigError(
      SOURCE,
      `expected a number of at least ${min}, got ${JSON.stringify(v)}`,
      name,
    );
  }
  return n;
}

/** Reads an option that must be one of a fixed set of names. */
export function enumOption<T extends string>(
  options: IoOptions,
  name: string,
  fallback: T,
  allowed: readonly T[],
): T {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  throw new ConfigError(
    SOURCE,
    `expected one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`,
    name,
  );
}

/** Reads an option that lists names, as an array of strings or one comma-separated string. */
export function listOption(
  options: IoOptions,
  name: string,
  fallback: readonly string[] | undefined,
): readonly string[] | undefined {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
  throw new ConfigError(SOURCE, `expected a list of names, got ${JSON.stringify(v)}`, name);
}
