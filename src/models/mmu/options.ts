/**
 * Reading the MMU models' configuration: structural parameters (TLB and cache sizes)
 * from the platform profile, overridable by `--option mmu.*` keys, and the translation
 * costs from the platform. Every key is listed in src/models/mmu/COSTS.md and docs/mmu.md.
 *
 * @module
 */

import type { ModelContext } from "../../engine/model.ts";
import {
  declareOptions,
  type NumberDecl,
  optionOrPlatform,
  readOptions,
} from "../../engine/options.ts";
import { PAGE_2M, PAGE_4K, pagingGeometry } from "./geometry.ts";
import { guestPagingLevels } from "../../trace/header.ts";
import { HIERARCHY_KEYS, HIERARCHY_OPTIONS } from "../memory/hierarchy_config.ts";
import type { MmuHost } from "./host.ts";
import type { LargePages, TranslatorConfig, TranslatorCosts } from "./translator.ts";

/** Most entries of any TLB, nested TLB or modelled cache an option or profile may ask for. */
export const MAX_TABLE_ENTRIES = 1 << 20;

/** Options every MMU model reads (the translator's shape); platform defaults are range-checked too. */
export const TRANSLATOR_OPTIONS = declareOptions({
  "mmu.levels": {
    type: "integer",
    min: 2,
    max: 5,
    defaultDoc: "the trace header's paging levels, else 4",
    // 2 and 3 select 32-bit and PAE paging's table shapes (geometry.ts), not 64-bit tables.
    doc: "guest paging levels",
  },
  "mmu.l1-entries": {
    type: "integer",
    min: 1,
    max: MAX_TABLE_ENTRIES,
    unit: "entries",
    defaultDoc: "platform tlb.l1d.entries",
    doc: "L1 data TLB entries",
  },
  "mmu.l1-ways": {
    type: "integer",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    defaultDoc: "platform tlb.l1d.ways",
    doc: "L1 TLB ways, 0 = fully associative",
  },
  "mmu.l2-entries": {
    type: "integer",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    unit: "entries",
    defaultDoc: "platform tlb.l2.entries",
    doc: "L2 TLB entries, 0 = none",
  },
  "mmu.l2-ways": {
    type: "integer",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    defaultDoc: "platform tlb.l2.ways",
    doc: "L2 TLB ways, 0 = fully associative",
  },
  "mmu.asid": {
    type: "boolean",
    default: false,
    doc: "tag user TLB entries per address space (ASID/PCID/VPID)",
  },
  "mmu.asids": {
    type: "integer",
    min: 1,
    max: 1 << 16,
    defaultDoc: "platform tlb.asids",
    doc: "number of tags when mmu.asid is on",
  },
  "mmu.global-kernel": {
    type: "boolean",
    default: true,
    doc: "kernel-half entries are global and survive CR3 writes",
  },
  "mmu.large-pages": {
    type: "enum",
    values: ["none", "kernel", "all"],
    defaultDoc: "kernel if the trace lists 2 MB pages, else none",
    doc: "which guest 2 MB pages are mapped large",
  },
  "mmu.pwc": {
    type: "enum",
    values: ["none", "1d", "2d"],
    defaultDoc: "1d; nested: 2d",
    doc: "page-walk cache contents",
  },
  "mmu.pwc-entries": {
    type: "integer",
    min: 1,
    max: 1 << 16,
    unit: "entries",
    defaultDoc: "platform mmu.pwc.entries",
    doc: "page-walk cache entries",
  },
  "mmu.guest-pages": {
    type: "integer",
    default: 1 << 20,
    min: 1,
    max: 2 ** 32,
    unit: "pages",
    doc: "guest memory in 4 KB pages over which derived page tables are placed",
  },
  "mmu.cache": {
    type: "boolean",
    default: false,
    doc: "walk references compete with data in a modelled L2 cache (only with " +
      "cache.hierarchy=false: the hierarchy subsumes it)",
  },
  "mmu.cache-lines": {
    type: "integer",
    min: 1,
    max: 1 << 21,
    unit: "lines",
    defaultDoc: "platform cache.l2.lines",
    doc: "modelled L2 lines",
  },
  "mmu.cache-ways": {
    type: "integer",
    min: 0,
    max: 1 << 21,
    defaultDoc: "platform cache.l2.ways",
    doc: "modelled L2 ways, 0 = fully associative",
  },
  ...HIERARCHY_OPTIONS,
});

/** The options only nested paging reads. */
export const NESTED_OPTIONS = declareOptions({
  "mmu.nested-levels": { type: "integer", default: 4, min: 2, max: 5, doc: "nested paging levels" },
  "mmu.nested-page-size": {
    type: "integer",
    default: PAGE_4K,
    min: PAGE_4K,
    max: PAGE_2M,
    unit: "bytes",
    doc: "nested page size, 4096 or 2097152",
  },
  "mmu.ntlb-entries": {
    type: "integer",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    unit: "entries",
    defaultDoc: "platform mmu.ntlb.entries",
    doc: "nested TLB entries, 0 = none",
  },
});

/**
 * An option as a one-dimensional walker (native paging, shadow paging, pv-direct) reads it:
 * `[key, value]` when its value can make such a walker differ from its defaults, `null`
 * when it cannot. Nested TLB and nested table options only reach a 2-D walk
 * ({@link translatorConfig} gives a 1-D walker no nested TLB), and a 1-D walker caches
 * only guest entries, so `mmu.pwc` `2d` acts as `1d`, its default. The group replay keys
 * shared native baselines by this (src/engine/group.ts): the walk-caching designs
 * Bhargava et al. compare then share one baseline per page-walk cache on or off.
 */
export function oneDimensionalRead(
  key: string,
  value: number | string | boolean,
): [string, number | string | boolean] | null {
  if (key in NESTED_OPTIONS) return null;
  if (key === "mmu.pwc" && value !== "none") return null;
  return [key, value];
}

/** Platform keys every MMU model reads through the translator. */
export const TRANSLATOR_COSTS: readonly string[] = [
  "mmu.tlb.l2-hit",
  "mmu.walk.ref",
  "mmu.walk.ref-miss",
  "mmu.pwc.hit",
  "tlb.l1d.entries",
  "tlb.l1d.ways",
  "tlb.l2.entries",
  "tlb.l2.ways",
  "tlb.asids",
  "mmu.pwc.entries",
  "cache.l2.lines",
  "cache.l2.ways",
  ...HIERARCHY_KEYS,
];

/**
 * An option's value, or when it is not given the platform entry `key` held to the option's
 * declared range (a profile cannot size a table the option could not).
 */
export function platformDefault(
  ctx: ModelContext,
  decl: NumberDecl,
  value: number | undefined,
  key: string,
): number {
  return optionOrPlatform(ctx.platform, decl, value, key);
}

/**
 * The translator shape for a model: `twoD` for nested paging (its PWC defaults to 2-D
 * entries and it has a nested TLB), otherwise a 1-D walker.
 */
export function translatorConfig(ctx: ModelContext, twoD: boolean): TranslatorConfig {
  const o = readOptions(ctx.options, TRANSLATOR_OPTIONS);
  const n = readOptions(ctx.options, NESTED_OPTIONS);
  const d = TRANSLATOR_OPTIONS;
  const fromPlatform = (k: keyof typeof d & string, key: string) =>
    platformDefault(ctx, d[k] as NumberDecl, o[k] as number | undefined, key);
  const levels = o["mmu.levels"] ?? guestPagingLevels(ctx.header);
  // The guest's large page is a level-2 leaf: 2 MB, or 4 MB under 32-bit (2-level) paging.
  const large = levels >= 2 && levels <= 5 ? pagingGeometry(levels).largePage : PAGE_2M;
  const defaultLarge: LargePages = ctx.header.pageSizes.includes(large) ? "kernel" : "none";
  const asid = o["mmu.asid"];
  const cache = o["mmu.cache"];
  return {
    levels,
    l1Entries: fromPlatform("mmu.l1-entries", "tlb.l1d.entries"),
    l1Ways: fromPlatform("mmu.l1-ways", "tlb.l1d.ways"),
    l2Entries: fromPlatform("mmu.l2-entries", "tlb.l2.entries"),
    l2Ways: fromPlatform("mmu.l2-ways", "tlb.l2.ways"),
    asid,
    asidCount: asid ? fromPlatform("mmu.asids", "tlb.asids") : 1,
    globalKernel: o["mmu.global-kernel"],
    largePages: o["mmu.large-pages"] ?? defaultLarge,
    pwc: o["mmu.pwc"] ?? (twoD ? "2d" : "1d"),
    pwcEntries: fromPlatform("mmu.pwc-entries", "mmu.pwc.entries"),
    twoD,
    nestedLevels: n["mmu.nested-levels"],
    nestedPageSize: n["mmu.nested-page-size"],
    ntlbEntries: twoD
      ? platformDefault(
        ctx,
        NESTED_OPTIONS["mmu.ntlb-entries"],
        n["mmu.ntlb-entries"],
        "mmu.ntlb.entries",
      )
      : 0,
    guestPages: o["mmu.guest-pages"],
    cacheLines: cache ? fromPlatform("mmu.cache-lines", "cache.l2.lines") : 0,
    cacheWays: cache ? fromPlatform("mmu.cache-ways", "cache.l2.ways") : 0,
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
