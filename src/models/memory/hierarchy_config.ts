/**
 * Reading the cache hierarchy of a platform profile (the `cache.*` keys, each with its
 * source in src/platforms/*.json and docs/platforms.md) and the one option that switches
 * it off (`--option cache.hierarchy=false`, for speed: every reference then costs nothing
 * beyond the base CPI and walk references cost `mmu.walk.ref`, as before the hierarchy).
 *
 * @module
 */

import type { ModelOptions, Platform } from "../../engine/model.ts";
import { declareOptions, parseOption } from "../../engine/options.ts";
import { ConfigError } from "../../util/errors.ts";
import type { CacheLevelShape, HierarchyShape } from "./hierarchy.ts";

/** The option key that turns the hierarchy on or off (default on). */
export const HIERARCHY_OPTION = "cache.hierarchy";

/** The option's declaration (every MMU model declares it, so `vmmlab models` lists it). */
export const HIERARCHY_OPTIONS = declareOptions({
  [HIERARCHY_OPTION]: {
    type: "boolean",
    default: true,
    doc: "model the L1D/L1I/L2/L3 caches and memory latency for guest, walk and VMM " +
      "references (false is faster)",
  },
});

/** Platform keys the hierarchy reads. */
export const HIERARCHY_KEYS: readonly string[] = [
  "cache.line",
  "cache.l1d.lines",
  "cache.l1d.ways",
  "cache.l1d.latency",
  "cache.l1i.lines",
  "cache.l1i.ways",
  "cache.l2.lines",
  "cache.l2.ways",
  "cache.l2.latency",
  "cache.l3.lines",
  "cache.l3.ways",
  "cache.l3.latency",
  "cache.memory.latency",
  "cache.walk.first-level",
  "cache.vmm.footprint",
];

/**
 * Whether a set models the hierarchy: the option (`true`/`false`, `1`/`0`, or a JSON
 * boolean; default true) and a profile that describes one (`cache.line`). A profile without
 * cache keys (an older user profile, the hand-computed unit-test platform) runs without
 * it unless the option asks for it explicitly, which is then a {@link ConfigError}.
 */
export function hierarchyEnabled(options: ModelOptions, platform: Platform): boolean {
  const v = options[HIERARCHY_OPTION];
  const on = v === undefined
    ? true
    : parseOption(HIERARCHY_OPTION, HIERARCHY_OPTIONS[HIERARCHY_OPTION], v) as boolean;
  if (!on || platform.has("cache.line")) return on;
  if (v === undefined) return false;
  throw new ConfigError(
    platform.origin,
    `platform ${platform.name} describes no cache hierarchy`,
    "entries.cache.line",
  );
}

function level(p: Platform, name: string, latencyKey: string): CacheLevelShape {
  return {
    lines: p.param(`cache.${name}.lines`),
    ways: p.param(`cache.${name}.ways`),
    latency: p.cost(latencyKey),
  };
}

/**
 * The hierarchy of `platform`. The L1I's latency is the L1D's (a fetch stalls only beyond
 * it); `cache.l3.lines` 0 means no L3. Bad shapes are {@link ConfigError}s naming the key.
 */
export function hierarchyShape(platform: Platform): HierarchyShape {
  const lineBytes = platform.param("cache.line");
  if (!Number.isInteger(lineBytes) || lineBytes < 8 || (lineBytes & (lineBytes - 1)) !== 0) {
    throw new ConfigError(
      platform.origin,
      `line size must be a power of two of at least 8 bytes, got ${lineBytes}`,
      "entries.cache.line",
    );
  }
  const walkFirst = platform.param("cache.walk.first-level");
  if (walkFirst !== 1 && walkFirst !== 2) {
    throw new ConfigError(
      platform.origin,
      `must be 1 (L1D) or 2 (L2), got ${walkFirst}`,
      "entries.cache.walk.first-level",
    );
  }
  const l3Lines = platform.param("cache.l3.lines");
  return {
    lineBytes,
    l1d: level(platform, "l1d", "cache.l1d.latency"),
    l1i: level(platform, "l1i", "cache.l1d.latency"),
    l2: level(platform, "l2", "cache.l2.latency"),
    l3: l3Lines > 0 ? level(platform, "l3", "cache.l3.latency") : null,
    memoryLatency: platform.cost("cache.memory.latency"),
    walkFirstLevel: walkFirst,
    vmmFootprint: platform.param("cache.vmm.footprint"),
  };
}
