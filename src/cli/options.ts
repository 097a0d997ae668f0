/**
 * Parsing of numeric command-line options, so a bad value is a one-line usage error
 * (exit status 1) rather than a NaN that surfaces later.
 *
 * @module
 */

import { UsageError } from "../util/errors.ts";

/** Parses an integer option within `[min, max]`. */
export function parseIntOption(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  }
  const v = Number(raw);
  if (v < min || v > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}, not ${v}`);
  }
  return v;
}
