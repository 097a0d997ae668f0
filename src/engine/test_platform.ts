/**
 * Platform data for unit tests: the `p4-prescott` profile with chosen entries replaced by
 * round numbers, so a test's expected cycles can be computed by hand from the values it
 * states.
 *
 * @module
 */

import type { PlatformData, PlatformEntry } from "./model.ts";
import { BUILTIN_PLATFORMS } from "../platforms/load.ts";

/**
 * `p4-prescott` with `overrides` (key → cycles or count) applied, named `test`. Without
 * `caches` the profile describes no cache hierarchy (no `cache.line`), so every reference
 * costs what the test's hand computation says; with it, the P4's caches are modelled.
 */
export function testPlatform(
  overrides: Record<string, number> = {},
  caches = false,
): PlatformData {
  const base = BUILTIN_PLATFORMS["p4-prescott"];
  const entries: Record<string, PlatformEntry> = {};
  for (const [k, e] of Object.entries(base.entries)) {
    if (caches || k !== "cache.line") entries[k] = { ...e };
  }
  for (const [k, v] of Object.entries(overrides)) {
    entries[k] = { value: v, unit: entries[k]?.unit ?? "cycles", source: "unit test" };
  }
  return { name: "test", description: "unit-test platform", clockHz: base.clockHz, entries };
}
