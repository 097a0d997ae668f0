/**
 * The hardware side of address translation that every MMU model shares: L1/L2 TLBs with
 * optional ASID/PCID tags and global kernel entries, and a page walker that does either a
 * one-dimensional walk (native paging, and the hardware walking shadow or paravirtual
 * direct tables) or a two-dimensional nested walk (AMD NPT / Intel EPT), with a page-walk
 * cache (PWC) and a nested TLB (NTLB) as Bhargava et al. (ASPLOS 2008) describe them.
 *
 * Walk references are counted per level and per dimension, and every cycle is charged to
 * two categories: `mmu.tlb` (L1 misses that hit the L2 TLB) and `mmu.walk` (walks). An L1
 * TLB hit charges nothing. Costs are numbers the caller read from the platform profile.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";
import { AssocCache } from "./assoc_cache.ts";
import {
  entryKey,
  PAGE_2M,
  PAGE_4K,
  type PagingGeometry,
  pagingGeometry,
  rootAddressOf,
  rootKeyOf,
  SCALE,
  tableOwner,
  tablePage,
} from "./geometry.ts";
import type { MmuHost } from "./host.ts";
import type { MemoryHierarchy } from "../memory/hierarchy.ts";

/** Which page-table entries the page-walk cache holds. */
export type PwcMode = "none" | "1d" | "2d";
/** Which guest pages are mapped with 2 MB pages. */
export type LargePages = "none" | "kernel" | "all";

/** Shape of the TLBs and walker (validated by the models' option parsers). */
export interface TranslatorConfig {
  /**
   * Guest paging levels: 4 on x86-64 (5 with LA57), 3 for 32-bit PAE paging, 2 for 32-bit
   * paging; the count selects the table shape ({@link PagingGeometry}).
   */
  levels: number;
  /** L1 data TLB entries. */
  l1Entries: number;
  /** L1 associativity (0 = fully associative). */
  l1Ways: number;
  /** L2 TLB entries (0 = no L2 TLB). */
  l2Entries: number;
  /** L2 associativity (0 = fully associative). */
  l2Ways: number;
  /** Whether user entries are tagged with an ASID/PCID per root, so CR3 switches do not flush. */
  asid: boolean;
  /** Number of ASIDs the hardware has (recycled LRU, flushing the recycled one). */
  asidCount: number;
  /** Whether kernel-half entries are global (survive CR3 switches), as Linux maps them without PTI. */
  globalKernel: boolean;
  /** Guest large pages. */
  largePages: LargePages;
  /** Page-walk cache contents: none, guest (1-D) entries, or guest and nested (2-D) entries. */
  pwc: PwcMode;
  /** Page-walk cache entries (fully associative, LRU). */
  pwcEntries: number;
  /** Two-dimensional (nested) walks. */
  twoD: boolean;
  /** Nested paging levels. */
  nestedLevels: number;
  /** Nested page size: 4096 or 2097152 (one nested level fewer). */
  nestedPageSize: number;
  /** Nested TLB entries (0 = none; fully associative LRU, not flushed by the guest). */
  ntlbEntries: number;
  /** Guest memory in 4 KB pages, where derived table pages are placed. */
  guestPages: number;
  /**
   * Lines of the data cache that walk references compete in (the L2; 0 = no cache model:
   * every walk reference costs `ref`). Data references fill it too, by guest-physical line.
   */
  cacheLines: number;
  /** Associativity of that cache. */
  cacheWays: number;
}

/** Cycle costs the translator charges, read from the platform by the model. */
export interface TranslatorCosts {
  /** L1 TLB miss that hits the L2 TLB. */
  l2Hit: number;
  /** One page-walk memory reference (a PWC miss served by the cache hierarchy, or an L2 hit). */
  ref: number;
  /** A walk reference that misses the modelled cache (only with `cacheLines > 0`). */
  refMiss: number;
  /** One page-walk cache hit. */
  pwcHit: number;
  /** One nested TLB hit. */
  ntlbHit: number;
}

/** Outcome of {@link Translator.translate}: L1 hit, L2 hit, or a walk. */
export const Translated = { L1Hit: 0, L2Hit: 1, Walked: 2 } as const;

/** Owner id of nested-table entries in the page-walk cache. */
const NESTED_OWNER = -1;
/** Cache tag of nested-table lines (data lines use 0, guest-table lines owner + 1). */
const NESTED_LINE_TAG = -2;
/** Cache line size in bytes (8 page-table entries). */
const LINE = 64;

/**
 * TLBs and page walker for one address-translation technique. The model calls
 * {@link setRoot} on every CR3 write, {@link translate} on every memory reference,
 * {@link invlpg} and {@link flush} for invalidations.
 */
export class Translator {
  /** The shape it was built with. */
  readonly config: TranslatorConfig;
  /** The costs it charges. */
  readonly costs: TranslatorCosts;
  /** The guest's paging mode (index bits per level, entry size, large-page size). */
  readonly geometry: PagingGeometry;
  readonly #scale: readonly number[];
  /**
   * Span of a TLB entry for a guest large page: the guest's large page (4 MB under 32-bit
   * paging, else 2 MB), or under nested paging the smaller of it and the nested page.
   */
  readonly #large: number;
  /** Guest page-table entries per 64-byte cache line. */
  readonly #perLine: number;
  readonly #host: MmuHost;
  /** L1 data TLB. */
  readonly l1: AssocCache;
  /** L2 TLB, if any. */
  readonly l2: AssocCache | null;
  /** Page-walk cache, if any. */
  readonly pwc: AssocCache | null;
  /** Nested TLB (2-D only), if any. */
  readonly ntlb: AssocCache | null;
  /** The data cache walk references compete in, if modelled. */
  readonly cache: AssocCache | null;
  /** The set's cache hierarchy: walk references then cost the latency of the level holding them. */
  readonly #caches: MemoryHierarchy | null;
  #lastLine = NaN;
  readonly #evCacheMisses: number;
  readonly #asids: AssocCache | null;
  readonly #rootIds = new Map<number, number>();
  readonly #keepKernel = (key: number, tag: number): boolean => tag === 0 && key < 0;
  /** Key and tag of the last translation: the MRU L1 entry, so a repeat is an exact hit. */
  #lastKey = NaN;
  #lastTag = 0;
  /**
   * The 4 KB page [lo, hi) of the reference that set {@link #lastKey}: every reference inside
   * it has that key and tag, so it is an L1 hit decided by two comparisons.
   */
  #lastLo = NaN;
  #lastHi = NaN;
  #rootPage = 0;
  #rootId = 1;
  #userTag = 1;
  readonly #pwcGuest: boolean;
  readonly #pwcNested: boolean;
  readonly #nestedLarge: boolean;
  // counter ids
  readonly #catTlb: number;
  readonly #catWalk: number;
  readonly #evL2Hits: number;
  readonly #evMisses: number;
  readonly #evRefs: number;
  readonly #evPwcHits: number;
  readonly #evNtlbHits: number;
  readonly #evNtlbMisses: number;
  readonly #evRefsL: Int32Array;
  readonly #evRefsN: Int32Array;

  /** Creates a translator charging `host`. Throws {@link ConfigError} on impossible shapes. */
  constructor(host: MmuHost, config: TranslatorConfig, costs: TranslatorCosts, where = "mmu") {
    if (!Number.isInteger(config.levels) || config.levels < 2 || config.levels > 5) {
      throw new ConfigError(where, `levels must be 2 to 5, got ${config.levels}`, "levels");
    }
    if (
      !Number.isInteger(config.nestedLevels) || config.nestedLevels < 2 || config.nestedLevels > 5
    ) {
      throw new ConfigError(
        where,
        `nested levels must be 2 to 5, got ${config.nestedLevels}`,
        "nestedLevels",
      );
    }
    if (config.nestedPageSize !== PAGE_4K && config.nestedPageSize !== PAGE_2M) {
      throw new ConfigError(
        where,
        `nested page size must be 4096 or 2097152, got ${config.nestedPageSize}`,
        "nestedPageSize",
      );
    }
    if (!Number.isInteger(config.guestPages) || config.guestPages < 1) {
      throw new ConfigError(where, `guest pages must be a positive integer`, "guestPages");
    }
    this.config = config;
    this.costs = costs;
    this.geometry = pagingGeometry(config.levels);
    this.#scale = this.geometry.scale;
    this.#large = config.twoD && config.nestedPageSize === PAGE_2M
      ? Math.min(this.geometry.largePage, PAGE_2M)
      : this.geometry.largePage;
    this.#perLine = LINE / this.geometry.entryBytes;
    this.#host = host;
    this.l1 = AssocCache.of(config.l1Entries, config.l1Ways, `${where}: l1`);
    this.l2 = config.l2Entries > 0
      ? AssocCache.of(config.l2Entries, config.l2Ways, `${where}: l2`)
      : null;
    this.pwc = config.pwc !== "none" ? AssocCache.of(config.pwcEntries, 0, `${where}: pwc`) : null;
    this.ntlb = config.twoD && config.ntlbEntries > 0
      ? AssocCache.of(config.ntlbEntries, 0, `${where}: ntlb`)
      : null;
    this.#caches = host.caches ?? null;
    this.cache = config.cacheLines > 0 && this.#caches === null
      ? AssocCache.of(config.cacheLines, config.cacheWays, `${where}: cache`)
      : null;
    this.#evCacheMisses = this.cache ? host.counter("walk.refs.cache-misses") : -1;
    this.#asids = config.asid ? AssocCache.of(config.asidCount, 0, `${where}: asids`) : null;
    this.#pwcGuest = config.pwc !== "none";
    this.#pwcNested = config.twoD && config.pwc === "2d";
    this.#nestedLarge = config.nestedPageSize === PAGE_2M;
    this.#catTlb = host.category("mmu.tlb");
    this.#catWalk = host.category("mmu.walk");
    this.#evL2Hits = host.counter("tlb.l2-hits");
    this.#evMisses = host.counter("tlb.misses");
    this.#evRefs = host.counter("walk.refs");
    this.#evPwcHits = host.counter("mmu.pwc-hits");
    this.#evNtlbHits = config.twoD ? host.counter("mmu.ntlb-hits") : -1;
    this.#evNtlbMisses = config.twoD ? host.counter("mmu.ntlb-misses") : -1;
    this.#evRefsL = new Int32Array(config.levels + 1);
    for (let l = 1; l <= config.levels; l++) this.#evRefsL[l] = host.counter(`walk.refs.l${l}`);
    this.#evRefsN = new Int32Array(config.nestedLevels + 1);
    if (config.twoD) {
      for (let l = 1; l <= config.nestedLevels; l++) {
        this.#evRefsN[l] = host.counter(`walk.refs.n${l}`);
      }
    }
  }

  /**
   * Key of the current root: its guest-physical page number, or under PAE its 32-byte
   * table's address / 32 ({@link rootKeyOf}).
   */
  get rootPage(): number {
    return this.#rootPage;
  }

  /** Small id of the current root (1, 2, ... in order of first use). */
  get rootId(): number {
    return this.#rootId;
  }

  /** The id a root key has (assigning the next one on first use). */
  rootIdOf(rootPage: number): number {
    let id = this.#rootIds.get(rootPage);
    if (id === undefined) {
      id = this.#rootIds.size + 1;
      this.#rootIds.set(rootPage, id);
    }
    return id;
  }

  /**
   * Loads a new root (a guest CR3 write). Untagged TLBs drop every non-global entry and the
   * page-walk cache is flushed with them (Bhargava: the PWC is flushed on every TLB flush);
   * tagged TLBs keep everything and switch tags, recycling the least recently used ASID.
   * The nested TLB is never flushed by the guest.
   */
  setRoot(cr3: number): void {
    this.#lastKey = NaN;
    this.#lastLo = this.#lastHi = NaN;
    const page = rootKeyOf(cr3, this.config.levels);
    this.#rootPage = page;
    this.#rootId = this.rootIdOf(page);
    if (this.#asids) {
      const asids = this.#asids;
      if (!asids.lookup(page, 0)) {
        if (asids.insert(page, 0)) {
          const recycled = asids.lastSlot + 1;
          this.l1.invalidateTag(recycled);
          this.l2?.invalidateTag(recycled);
        }
      }
      this.#userTag = asids.lastSlot + 1;
    } else {
      this.flushNonGlobal();
    }
  }

  /** Drops non-global TLB entries and the page-walk cache (untagged CR3 write). */
  flushNonGlobal(): void {
    this.#lastKey = NaN;
    this.#lastLo = this.#lastHi = NaN;
    if (this.config.globalKernel) {
      this.l1.retain(this.#keepKernel);
      this.l2?.retain(this.#keepKernel);
    } else {
      this.l1.clear();
      this.l2?.clear();
    }
    this.pwc?.clear();
  }

  /** Drops everything the guest can flush (TLBs and PWC; not the nested TLB). */
  flush(): void {
    this.#lastKey = NaN;
    this.#lastLo = this.#lastHi = NaN;
    this.l1.clear();
    this.l2?.clear();
    this.pwc?.clear();
  }

  /**
   * INVLPG: drops the page's TLB entries (4 KB and large-page keys, current tag and global) and,
   * as the architecture allows, the whole page-walk cache.
   */
  invlpg(va: number): void {
    this.#lastKey = NaN;
    this.#lastLo = this.#lastHi = NaN;
    const k4 = Math.floor(va / PAGE_4K) * 2;
    const k2 = Math.floor(va / this.#large) * 2 + 1;
    this.l1.invalidateKey(k4);
    this.l1.invalidateKey(k2);
    this.l2?.invalidateKey(k4);
    this.l2?.invalidateKey(k2);
    this.pwc?.clear();
  }

  /** Whether `va` is mapped by a guest large page (2 MB, or 4 MB under 32-bit paging). */
  isLarge(va: number): boolean {
    const lp = this.config.largePages;
    return lp === "all" || (lp === "kernel" && va < 0);
  }

  /**
   * Translates one reference: `va` guest-virtual, `gpa` its guest-physical address (the
   * nested walk's last dimension). Charges cycles and events; returns a {@link Translated}
   * code so a shadow MMU can tell a walk (where its own fault logic runs) from a TLB hit.
   */
  translate(va: number, gpa: number): number {
    // Kept tiny so the optimizing compiler inlines it into the models' access paths; the
    // rest is a separate method.
    if (va >= this.#lastLo && va < this.#lastHi && this.cache === null) {
      return Translated.L1Hit;
    }
    return this.#translateFull(va, gpa);
  }

  /** {@link translate} past the same-page shortcut. */
  #translateFull(va: number, gpa: number): number {
    const cache = this.cache;
    if (cache !== null) {
      const line = Math.floor(gpa / LINE);
      if (line !== this.#lastLine) {
        this.#lastLine = line;
        if (!cache.lookup(line, 0)) cache.insert(line, 0);
      }
    }
    const large = this.isLarge(va);
    // A TLB entry maps the smaller of the guest and nested page (splintering).
    const tlbLarge = large && (!this.config.twoD || this.#nestedLarge);
    const key = tlbLarge ? Math.floor(va / this.#large) * 2 + 1 : Math.floor(va / PAGE_4K) * 2;
    const tag = va < 0 && this.config.globalKernel ? 0 : this.#userTag;
    // The previous translation's entry is the L1's most recently used one: hitting it
    // again changes no replacement state, so it needs no lookup.
    if (key === this.#lastKey && tag === this.#lastTag) return Translated.L1Hit;
    this.#lastKey = key;
    this.#lastTag = tag;
    this.#lastLo = Math.floor(va / PAGE_4K) * PAGE_4K;
    this.#lastHi = this.#lastLo + PAGE_4K;
    if (this.l1.lookup(key, tag)) return Translated.L1Hit;
    const host = this.#host;
    const l2 = this.l2;
    if (l2 !== null && l2.lookup(key, tag)) {
      this.l1.insert(key, tag);
      host.events[this.#evL2Hits]++;
      host.cycles[this.#catTlb] += this.costs.l2Hit;
      return Translated.L2Hit;
    }
    host.events[this.#evMisses]++;
    this.#lastLine = NaN; // walk lines may evict the data line
    const c = this.config.twoD ? this.#walk2d(va, gpa, large) : this.#walk1d(va, large);
    host.cycles[this.#catWalk] += c;
    l2?.insert(key, tag);
    this.l1.insert(key, tag);
    return Translated.Walked;
  }

  /** Reads the guest entry at `level` for `va` (PWC probe first); returns cycles. */
  #guestEntry(va: number, level: number, leaf: number): number {
    const host = this.#host;
    if (this.#pwcGuest && level > leaf) {
      const pwc = this.pwc!;
      const k = entryKey(va, level, this.#scale);
      const o = tableOwner(va, level, this.config.levels, this.#rootId);
      if (pwc.lookup(k, o)) {
        host.events[this.#evPwcHits]++;
        return this.costs.pwcHit;
      }
      pwc.insert(k, o);
    }
    host.events[this.#evRefs]++;
    host.events[this.#evRefsL[level]]++;
    if (this.cache === null && this.#caches === null) return this.costs.ref;
    const line = Math.floor(va / (this.#scale[level] * this.#perLine)) * 8 + level;
    const tag = tableOwner(va, level, this.config.levels, this.#rootId) + 1;
    if (this.#caches !== null) return this.#caches.walkRef(line, tag);
    return this.#cached(line, tag);
  }

  /** Cost of one walk reference to cache line (key, tag), filling the cache on a miss. */
  #cached(key: number, tag: number): number {
    const cache = this.cache!;
    if (cache.lookup(key, tag)) return this.costs.ref;
    cache.insert(key, tag);
    this.#host.events[this.#evCacheMisses]++;
    return this.costs.refMiss;
  }

  #walk1d(va: number, large: boolean): number {
    const leaf = large ? 2 : 1;
    let c = 0;
    for (let level = this.config.levels; level >= leaf; level--) {
      c += this.#guestEntry(va, level, leaf);
    }
    return c;
  }

  #walk2d(va: number, gpa: number, large: boolean): number {
    const leaf = large ? 2 : 1;
    const top = this.config.levels;
    let c = 0;
    for (let level = top; level >= leaf; level--) {
      const page = level === top ? -1 : tablePage(
        tableOwner(va, level, top, this.#rootId),
        level,
        va,
        this.config.guestPages,
        this.#scale,
      );
      c += this.#nested(
        page < 0 ? rootAddressOf(this.#rootPage, top) : page * PAGE_4K,
      );
      c += this.#guestEntry(va, level, leaf);
    }
    return c + this.#nested(gpa);
  }

  /** Translates a guest-physical address through the nested tables; returns cycles. */
  #nested(gpa: number): number {
    const host = this.#host;
    const ntlb = this.ntlb;
    const nLeaf = this.#nestedLarge ? 2 : 1;
    const nkey = Math.floor(gpa / SCALE[nLeaf]);
    if (ntlb !== null) {
      if (ntlb.lookup(nkey, 0)) {
        host.events[this.#evNtlbHits]++;
        return this.costs.ntlbHit;
      }
      host.events[this.#evNtlbMisses]++;
    }
    let c = 0;
    for (let level = this.config.nestedLevels; level >= nLeaf; level--) {
      if (this.#pwcNested && level > nLeaf) {
        const pwc = this.pwc!;
        const k = entryKey(gpa, level);
        if (pwc.lookup(k, NESTED_OWNER)) {
          host.events[this.#evPwcHits]++;
          c += this.costs.pwcHit;
          continue;
        }
        pwc.insert(k, NESTED_OWNER);
      }
      host.events[this.#evRefs]++;
      host.events[this.#evRefsN[level]]++;
      const line = Math.floor(gpa / (SCALE[level] * 8)) * 8 + level;
      c += this.#caches !== null
        ? this.#caches.walkRef(line, NESTED_LINE_TAG)
        : this.cache === null
        ? this.costs.ref
        : this.#cached(line, NESTED_LINE_TAG);
    }
    ntlb?.insert(nkey, 0);
    return c;
  }
}
