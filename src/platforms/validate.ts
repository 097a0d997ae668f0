/**
 * Validation of platform profile data (built-in, a user's JSON file, or `--set` overrides):
 * the shape, the sources, and every value against its declared range (ranges.ts). It runs
 * when a profile is loaded, before a model reads a value, so what a model sizes from a
 * profile is bounded.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import type { PlatformData } from "../engine/model.ts";
import { CLOCK_RANGE, describeRange, inRange, rangeOf } from "./ranges.ts";

/** Most entries a profile may have (the built-in ones have about 130). */
export const MAX_PLATFORM_ENTRIES = 10000;

/** A key or number from the file, escaped and shortened for a one-line message. */
function quote(text: string): string {
  const p = printable(text);
  return p.length > 80 ? `${p.slice(0, 77)}...` : p;
}

/**
 * Checks that `data` is a platform profile: a name, a clock in range, and entries each with
 * a value in its range, a unit and a source (and a reason when it is an assumption). Throws
 * a {@link ConfigError} naming `origin` and the offending field otherwise.
 */
export function validatePlatformData(data: unknown, origin: string): asserts data is PlatformData {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(origin, "platform profile is not a JSON object");
  }
  const d = data as Partial<Record<keyof PlatformData, unknown>>;
  if (typeof d.name !== "string" || d.name === "") {
    throw new ConfigError(origin, "missing platform name", "name");
  }
  if (typeof d.clockHz !== "number" || !(d.clockHz > 0)) {
    throw new ConfigError(origin, "clock must be a positive number of Hz", "clockHz");
  }
  if (!inRange(d.clockHz, CLOCK_RANGE)) {
    throw new ConfigError(
      origin,
      `clock ${d.clockHz} Hz is out of range (${describeRange(CLOCK_RANGE)})`,
      "clockHz",
    );
  }
  if (typeof d.entries !== "object" || d.entries === null || Array.isArray(d.entries)) {
    throw new ConfigError(origin, "missing entries object", "entries");
  }
  const entries = d.entries as Record<string, unknown>;
  const keys = Object.keys(entries);
  if (keys.length > MAX_PLATFORM_ENTRIES) {
    throw new ConfigError(
      origin,
      `${keys.length} entries (at most ${MAX_PLATFORM_ENTRIES})`,
      "entries",
    );
  }
  for (const key of keys.sort()) {
    const field = `entries.${quote(key)}`;
    const e = entries[key] as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || typeof e.value !== "number") {
      throw new ConfigError(origin, "entry needs a numeric value", `${field}.value`);
    }
    const value = e.value;
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(origin, `value ${value} is negative or not finite`, `${field}.value`);
    }
    if (typeof e.unit !== "string" || e.unit === "") {
      throw new ConfigError(origin, "entry needs a unit", `${field}.unit`);
    }
    const range = rangeOf(key, e.unit);
    if (range.unit !== undefined && e.unit !== range.unit) {
      throw new ConfigError(
        origin,
        `unit must be ${range.unit}, not ${quote(e.unit)}`,
        `${field}.unit`,
      );
    }
    if (!inRange(value, range)) {
      throw new ConfigError(
        origin,
        `value ${value} is out of range (${describeRange(range)} ${e.unit}: ${range.why})`,
        `${field}.value`,
      );
    }
    if (typeof e.source !== "string" || e.source === "") {
      throw new ConfigError(origin, "entry needs a source", `${field}.source`);
    }
    if (e.assumption && (typeof e.reason !== "string" || e.reason === "")) {
      throw new ConfigError(origin, "an assumption needs a reason", `${field}.reason`);
    }
  }
}
