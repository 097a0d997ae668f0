/**
 * Reading the MMU models' configuration: structural parameters (TLB and cache sizes)
 * from the platform profile, overridable by `--option mmu.*` keys, and the translation
 * costs from the platform. Every key is listed in src/models/mmu/COSTS.md and docs/mmu.md.
 *
 * @module
 */

import type { ModelContext } from "../../engine/model.ts";
import { optionNumber } from "../../engine/model.ts";
import { ConfigError } from "../../util/errors.ts";
import { PAGE_2M } from "./geometry.ts";
import type { MmuHost } from "./host.ts";
import type { LargePages, PwcMode, TranslatorConfig, TranslatorCosts } from "./translator.ts";

/** A string option restricted to `allowed`, with a default. */
export function optionChoice<T extends string>(
  ctx: ModelContext,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = ctx.options[key];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new ConfigError("--option", `must be one of ${allowed.join(", ")}`, key);
  }
  return v as T;
}

/** A boolean option (`true`/`false`, `1`/`0`, or a JSON boolean) with a default. */
export function optionBool(ctx: ModelContext, key: string, fallback: boolean): boolean {
  const v = ctx.options[key];
  if (v === undefined) return fallback;
  if (v === true || v === "true" || v === 1 || v === "1") return true;
  if (v === false || v === "false" || v === 0 || v === "0") return false;
  throw new ConfigError("--option", "must be true or false", key);
}

/** A platform parameter overridable by an option. */
function param(ctx: ModelContext, option: string, key: string, min = 0): number {
  const base = ctx.options[option] !== undefined ? 0 : ctx.platform.param(key);
  return optionNumber(ctx, option, base, min);
}

/** The header's guest paging depth, when the recorder wrote one. */
function headerLevels(ctx: ModelContext): number | undefined {
  const guest = (ctx.header as { guest?: { pagingLevels?: unknown } }).guest;
  const v = guest?.pagingLevels;
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

/**
 * The translator shape for a model: `twoD` for nested paging (its PWC defaults to 2-D
 * entries and it has a nested TLB), otherwise a 1-D walker.
 */
export function translatorConfig(ctx: ModelContext, twoD: boolean): TranslatorConfig {
  const defaultLarge: LargePages = ctx.header.pageSizes.includes(PAGE_2M) ? "kernel" : "none";
  const asid = optionBool(ctx, "mmu.asid", false);
  const cache = optionBool(ctx, "mmu.cache", false);
  return {
    levels: optionNumber(ctx, "mmu.levels", headerLevels(ctx) ?? 4, 2, 5),
    l1Entries: param(ctx, "mmu.l1-entries", "tlb.l1d.entries", 1),
    l1Ways: param(ctx, "mmu.l1-ways", "tlb.l1d.ways"),
    l2Entries: param(ctx, "mmu.l2-entries", "tlb.l2.entries"),
    l2Ways: param(ctx, "mmu.l2-ways", "tlb.l2.ways"),
    asid,
    asidCount: asid ? param(ctx, "mmu.asids", "tlb.asids", 1) : 1,
    globalKernel: optionBool(ctx, "mmu.global-kernel", true),
    largePages: optionChoice(ctx, "mmu.large-pages", ["none", "kernel", "all"], defaultLarge),
    pwc: optionChoice<PwcMode>(ctx, "mmu.pwc", ["none", "1d", "2d"], twoD ? "2d" : "1d"),
    pwcEntries: param(ctx, "mmu.pwc-entries", "mmu.pwc.entries", 1),
    twoD,
    nestedLevels: optionNumber(ctx, "mmu.nested-levels", 4, 2, 5),
    nestedPageSize: optionNumber(ctx, "mmu.nested-page-size", 4096, 4096, PAGE_2M),
    ntlbEntries: twoD ? param(ctx, "mmu.ntlb-entries", "mmu.ntlb.entries") : 0,
    guestPages: optionNumber(ctx, "mmu.guest-pages", 1 << 20, 1),
    cacheLines: cache ? param(ctx, "mmu.cache-lines", "cache.l2.lines", 1) : 0,
    cacheWays: cache ? param(ctx, "mmu.cache-ways", "cache.l2.ways") : 0,
  };
}

/** The translation costs, from the platform. */
export function translatorCosts(host: MmuHost, config: TranslatorConfig): TranslatorCosts {
  const twoD = config.twoD, cache = config.cacheLines > 0;
  return {
    l2Hit: host.cost("mmu.tlb.l2-hit"),
    ref: host.cost("mmu.walk.ref"),
    refMiss: cache ? host.cost("mmu.walk.ref-miss") : 0,
    pwcHit: host.cost("mmu.pwc.hit"),
    ntlbHit: twoD ? host.cost("mmu.ntlb.hit") : 0,
  };
}
