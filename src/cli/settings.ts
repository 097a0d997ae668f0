/**
 * Command-line flags shared by `replay`, `compare` and `sweep`: `--set platform.KEY=VALUE`
 * (platform entry overrides) and `--option KEY=VALUE` (model options).
 *
 * @module
 */

import { InputError } from "../util/errors.ts";
import { parseOptionPairs } from "../engine/config.ts";
import { parsePlatformValue, splitPair } from "./config_spec.ts";

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Parses `--set platform.KEY=VALUE` flags into platform overrides. Anything but a
 * `platform.` key, or a value that is not a non-negative number, is one line, exit 2;
 * whether the profile has the key is checked when the platform is loaded.
 */
export function parseSetFlags(flags: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const flag of flags) {
    const [key, raw] = splitPair("--set", flag);
    if (!key.startsWith("platform.") || key.length === "platform.".length) {
      throw new InputError(
        `--set: ${key} is not a platform entry (write platform.KEY=VALUE, e.g. platform.hw.vm-exit=500)`,
      );
    }
    const entry = key.slice("platform.".length);
    out[entry] = parsePlatformValue("--set", entry, raw);
  }
  return out;
}

/** Parses `--option KEY=VALUE` flags (numbers and booleans recognised). */
export function parseOptionFlags(
  flags: readonly string[],
): Record<string, number | string | boolean> {
  return parseOptionPairs(flags);
}
