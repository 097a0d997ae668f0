/**
 * The `shadow` MMU model: shadow page tables kept coherent by write-protecting the guest's
 * page-table pages (VMware's software MMU, used by both of Adams & Agesen's VMMs).
 *
 * The hardware walks the shadow tables, so TLBs and walks cost what they cost natively.
 * On top of that:
 * - a **hidden fault** happens when a walk reaches a shadow entry the VMM has not filled
 *   yet (first touch of a page under a new or rebuilt shadow root, or after a flush): the
 *   guest never sees it; the VMM walks the guest table and fills the entry;
 * - a **traced write** happens when the guest stores to a write-protected page-table page:
 *   write protection is page-granular hardware, so *every* store to a page the VMM shadows
 *   faults — an ordinary `Mem` store the recorder did not mark as a page-table write (the
 *   kernel reusing a freed table page for other data) as much as a `PtWrite`. The VMM
 *   emulates the store and updates (or drops) the shadow entries. The recorder writes a
 *   `PtWrite` right after the `Mem` record of the same store; that store is charged once.
 *   With `mmu.shadow-unshadow-after=N` (N > 0) the VMM stops shadowing a page after N
 *   consecutive traced writes to it with no fault in between (write-flood detection as in
 *   Xen 3.0.3's shadow code, N = 2, and KVM's, N = 3: `mmu.shadow-policy=xen|kvm`); the
 *   default policy, `vmware`, never does, as Figure 4's `ptemod` shows the P4 profile's
 *   VMware VMMs behave (see {@link UNSHADOW_POLICIES} and docs/mmu.md).
 *   A store to a *top-level* entry of a cached shadow root
 *   (a process's address space being built or torn down) drops that root's shadow entries
 *   under the entry — traces carry no store values, so a new subtree cannot be told from a
 *   removed one — and the next touches of those pages take hidden faults again;
 * - a **true fault** (vector 14 in the trace) is intercepted and classified before the CPU
 *   model reflects it into the guest; the guest's handler then writes the leaf entry for the
 *   faulting address, a traced write the VMM propagates into the shadow entry, so the
 *   retried access finds it filled (no hidden fault). Traces carry no store values and no
 *   reverse map, so only the faulting page's entry is filled this way; other leaf writes
 *   (fault-around neighbours, fork's copies) leave their pages to fill on first touch;
 * - a **recycled table**: a string store that overwrites a whole write-protected page (the
 *   guest zeroing a freed table page for reuse) is one traced write that empties the
 *   shadows built from the page; the page stays protected unless write-flood unshadowing
 *   is on (`mmu.shadow-policy`). With `mmu.shadow-recycle=true` the VMM instead stops
 *   shadowing the page at once — an unsourced rule, kept as an option for comparison;
 * - a **CR3 write** looks the new root up in a cache of recently used shadow roots; a hit
 *   keeps that root's filled entries, a miss builds an empty shadow root (evicting the
 *   least recently used one) that refills through hidden faults.
 *
 * Which guest-physical pages are page tables is learned from the trace: every root loaded
 * into CR3 and every page a `PtWrite` touches. With `mmu.shadow-learn=eager` (default)
 * a page is write-protected from its first `PtWrite`, so every page-table write is traced;
 * with `lazy` a newly seen page is protected only when the VMM next runs its shadow code
 * (hidden fault, CR3 write, INVLPG, true fault), so a table the guest builds before using
 * it — a forked child's — is not traced, as in a VMM that shadows tables on first use.
 *
 * @module
 */

import type { MmuModel, ModelContext } from "../../engine/model.ts";
import {
  INTERCEPT_CR3,
  INTERCEPT_INVLPG,
  INTERCEPT_PAGE_FAULT,
  registerModel,
  Transition,
} from "../../engine/model.ts";
import { MEM_WRITE, type TraceRecord } from "../../trace/record.ts";
import { declareOptions, readOptions } from "../../engine/options.ts";
import { AssocCache } from "./assoc_cache.ts";
import { PAE_ROOT_BYTES, PAGE_4K, rootKeyOf, rootKeysInPage, rootPageOf } from "./geometry.ts";
import type { HardwareTlbFlush } from "./hardware_flush.ts";
import { contextHost, type MmuHost } from "./host.ts";
import {
  platformDefault,
  TRANSLATOR_COSTS,
  TRANSLATOR_OPTIONS,
  translatorConfig,
  translatorCosts,
} from "./options.ts";
import { Translated, Translator } from "./translator.ts";

/** VMM handler work of the shadow MMU, in cycles (the transitions are the CPU model's). */
export interface ShadowCosts {
  /** Walking the guest table and filling one shadow entry after a hidden fault. */
  hiddenFault: number;
  /** Emulating a traced page-table store and updating the shadow entry. */
  tracedWrite: number;
  /** Classifying a true guest fault (walking the guest table) before reflecting it. */
  trueFault: number;
  /** Looking the new root up in the shadow cache on a CR3 write. */
  switchRoot: number;
  /** Building an empty shadow root on a shadow-cache miss. */
  build: number;
  /** Re-syncing one shadow entry on a guest INVLPG. */
  invlpg: number;
  /** Taking one shadow page from the VMM's pool (a new root, or a leaf table's first entry). */
  alloc?: number;
  /** Clearing a newly allocated 4 KB shadow page. */
  zero?: number;
  /** Freeing one shadow page (a pass over its entries) when its root is discarded or evicted. */
  teardown?: number;
  /** Adding or removing one reverse-map entry (guest frame → shadow entries mapping it). */
  rmap?: number;
  /** Write-protecting a newly shadowed guest table page through the reverse map. */
  reprotect?: number;
}

/** Shadow-MMU configuration. */
export interface ShadowConfig {
  /** Shadow roots kept (the shadow-table cache). */
  roots: number;
  /** When a newly seen guest page-table page becomes write-protected. */
  learn: "eager" | "lazy";
  /**
   * Dirty-bit emulation: a shadow entry filled by a read is read-only, so the first store
   * to the page takes another hidden fault (the VMM sets the guest PTE's dirty bit).
   */
  dirty?: boolean;
  /**
   * Write-flood unshadowing: after this many consecutive traced writes to one page, with
   * no hidden or true fault in between, the VMM stops shadowing the page (0 = never).
   */
  unshadowAfter?: number;
  /**
   * Whether a string store over a whole protected page stops its shadowing at once (the
   * VMM recognises a recycled table; default false, as no VMM of the papers is documented
   * to do it). If false the page stays protected
   * unless {@link unshadowAfter} is set (a whole-page store is a run of 512 writes).
   */
  recycle?: boolean;
  /**
   * Where a traced store that the trace gives no code address for (an ordinary `Mem`
   * record) executed: the block's code address, so adaptive translation can count trace
   * faults per store. Without it the last named code address (`guest.pc`) is used.
   */
  sites?: StoreSites;
}

/** What the shadow MMU reads to name the code of a traced `Mem` store. */
export interface StoreSites {
  /** Code address of each code-table block. */
  readonly blockAddr: Float64Array;
  /** Engine-kept guest state: the executing block and the instruction count. */
  readonly guest: { readonly block: number; readonly instructions: number; readonly pc: number };
}

/** Shadow paging over a hardware {@link Translator}. */
export class ShadowMmu implements MmuModel, HardwareTlbFlush {
  /** The VMM must see guest page faults, CR3 writes and INVLPG. */
  readonly intercepts = INTERCEPT_PAGE_FAULT | INTERCEPT_CR3 | INTERCEPT_INVLPG;
  /** The hardware TLBs and walker (walking shadow tables). */
  readonly translator: Translator;
  readonly #host: MmuHost;
  readonly #costs: ShadowCosts;
  readonly #config: ShadowConfig;
  /** Shadow-root cache: key = guest root page; the slot indexes {@link #tables}. */
  readonly #cache: AssocCache;
  /** Filled shadow entries per cached root (TLB keys: page*2, or 2 MB page*2+1). */
  readonly #tables: Set<number>[];
  #current: Set<number>;
  /**
   * Filled shadow entries for kernel addresses, shared by every root: the kernel half of
   * each guest address space maps through the same guest page-table pages, and the VMM
   * keeps one shadow table per guest table page, so a new root links the shared kernel
   * subtrees instead of refilling every kernel page.
   */
  readonly #kernel = new Set<number>();
  /** Per cached root: the top-level kernel entries linked to the shared kernel subtrees. */
  readonly #linkedTables: Set<number>[];
  #linked: Set<number>;
  /** Writable shadow entries per cached root (dirty-bit emulation only). */
  readonly #writableTables: Set<number>[];
  #writable: Set<number>;
  readonly #dirty: boolean;
  #lastWritableKey = NaN;
  /** Set when a VM transition flushed the hardware TLB (see {@link flushHardwareTlb}). */
  #tlbFlushed = false;
  /**
   * Shadow-entry key of the page of the last true fault, until the guest's handler writes
   * its leaf entry (a traced write the VMM propagates into that shadow entry); NaN if none.
   */
  #faultKey = NaN;
  /** The address of that fault. */
  #faultVa = 0;
  /** Whether that fault was a write (error code bit 1), for dirty-bit emulation. */
  #faultWrite = false;
  /** Shadow leaf tables (2 MB regions) allocated per cached root slot, and the kernel's shared ones. */
  readonly #regionTables: Set<number>[];
  #regions: Set<number>;
  readonly #kernelRegions = new Set<number>();
  /** Shadow-page costs (0 when the costs give none). */
  readonly #alloc: number;
  readonly #zero: number;
  readonly #teardown: number;
  readonly #rmap: number;
  readonly #reprotect: number;
  /** Guest-physical pages known to be page tables and write-protected. */
  readonly #protected = new Set<number>();
  /** Page-table pages seen but not yet protected (lazy learning, or re-shadowing after a flood). */
  readonly #pending = new Set<number>();
  /** Pages unshadowed by write-flood detection, re-protected only when shadow code next runs. */
  readonly #unshadowed = new Set<number>();
  /** Consecutive traced writes to a page before it is unshadowed (0 = never). */
  readonly #unshadowAfter: number;
  readonly #recycleOn: boolean;
  /** Page of the last traced write and the run of traced writes to it (write-flood detection). */
  #floodPage = -1;
  #floodCount = 0;
  /**
   * Guest-physical address of the store the last `access` traced, until the next store or
   * VMM event: a `PtWrite` at that address is the same store, already charged.
   */
  #justTraced = -1;
  readonly #sites: StoreSites | null;
  /** Instruction count of the block execution whose traced stores {@link #siteIndex} counts. */
  #siteStamp = -1;
  #siteIndex = 0;
  readonly #cat: {
    hidden: number;
    traced: number;
    trueFault: number;
    switchRoot: number;
    invlpg: number;
    pages: number;
    rmap: number;
    reprotect: number;
  };
  readonly #ev: {
    hidden: number;
    traced: number;
    untraced: number;
    trueFault: number;
    switches: number;
    cacheHits: number;
    builds: number;
    dropped: number;
    recycled: number;
    otherStores: number;
    flooded: number;
    allocated: number;
    freed: number;
    reprotects: number;
  };

  /** Creates a shadow MMU; `roots` must be at least 1. */
  constructor(host: MmuHost, translator: Translator, costs: ShadowCosts, config: ShadowConfig) {
    this.#host = host;
    this.translator = translator;
    this.#costs = costs;
    this.#config = config;
    this.#cache = AssocCache.of(config.roots, 0, "--mmu shadow: shadow roots");
    this.#tables = Array.from({ length: config.roots }, () => new Set<number>());
    this.#current = this.#tables[0];
    this.#linkedTables = Array.from({ length: config.roots }, () => new Set<number>());
    this.#linked = this.#linkedTables[0];
    this.#regionTables = Array.from({ length: config.roots }, () => new Set<number>());
    this.#regions = this.#regionTables[0];
    this.#alloc = costs.alloc ?? 0;
    this.#zero = costs.zero ?? 0;
    this.#teardown = costs.teardown ?? 0;
    this.#rmap = costs.rmap ?? 0;
    this.#reprotect = costs.reprotect ?? 0;
    this.#dirty = config.dirty === true;
    this.#unshadowAfter = config.unshadowAfter ?? 0;
    this.#recycleOn = config.recycle === true;
    this.#sites = config.sites ?? null;
    this.#writableTables = this.#dirty
      ? Array.from({ length: config.roots }, () => new Set<number>())
      : [];
    this.#writable = this.#dirty ? this.#writableTables[0] : new Set<number>();
    this.#cat = {
      hidden: host.category("mmu.shadow.hidden-fault"),
      traced: host.category("mmu.shadow.traced-write"),
      trueFault: host.category("mmu.shadow.true-fault"),
      switchRoot: host.category("mmu.shadow.switch"),
      invlpg: host.category("mmu.shadow.invlpg"),
      pages: host.category("mmu.shadow.pages"),
      rmap: host.category("mmu.shadow.rmap"),
      reprotect: host.category("mmu.shadow.reprotect"),
    };
    this.#ev = {
      hidden: host.counter("mmu.hidden-faults"),
      traced: host.counter("mmu.traced-writes"),
      untraced: host.counter("mmu.untraced-pt-writes"),
      trueFault: host.counter("mmu.true-faults"),
      switches: host.counter("mmu.root-switches"),
      cacheHits: host.counter("mmu.shadow-cache-hits"),
      builds: host.counter("mmu.shadow-builds"),
      dropped: host.counter("mmu.shadow-entries-dropped"),
      recycled: host.counter("mmu.shadow-unprotected"),
      otherStores: host.counter("mmu.traced-other-stores"),
      flooded: host.counter("mmu.shadow-unshadowed-flood"),
      allocated: host.counter("mmu.shadow-pages-allocated"),
      freed: host.counter("mmu.shadow-pages-freed"),
      reprotects: host.counter("mmu.shadow-reprotects"),
    };
  }

  /** Whether a guest-physical page is currently write-protected as a page table. */
  isProtected(paddr: number): boolean {
    return this.#protected.has(Math.floor(paddr / PAGE_4K));
  }

  /** Number of filled entries reachable from the current shadow root (user, then linked kernel). */
  get filled(): number {
    return this.#current.size + (this.#linked.size > 0 ? this.#kernel.size : 0);
  }

  /** Top-level table index of a (negative, kernel) address. */
  #topIndex(vaddr: number): number {
    const g = this.translator.geometry;
    const n = Math.floor(vaddr / g.scale[g.levels]) % g.topEntries;
    return n < 0 ? n + g.topEntries : n;
  }

  /**
   * Fills the shadow entry `key` for `vaddr` under the current root; returns whether it was
   * missing (the walk that found it missing is a hidden fault). A kernel address needs its
   * top-level entry linked into this root and its entry in the shared kernel subtree.
   */
  #fill(vaddr: number, key: number): boolean {
    if (vaddr >= 0) {
      if (this.#current.has(key)) return false;
      this.#current.add(key);
      this.#newEntry(this.#regions, vaddr);
      return true;
    }
    const index = this.#topIndex(vaddr);
    if (this.#linked.has(index) && this.#kernel.has(key)) return false;
    this.#linked.add(index);
    if (!this.#kernel.has(key)) {
      this.#kernel.add(key);
      this.#newEntry(this.#kernelRegions, vaddr);
    }
    return true;
  }

  /**
   * A shadow entry was filled: its reverse-map entry is added, and the first entry of a
   * 2 MB region needs a new shadow leaf table, allocated and zeroed. (Intermediate shadow
   * tables between the root and the leaves are not counted.)
   */
  #newEntry(regions: Set<number>, vaddr: number): void {
    const host = this.#host;
    host.cycles[this.#cat.rmap] += this.#rmap;
    const region = Math.floor(vaddr / this.translator.geometry.scale[2]);
    if (regions.has(region)) return;
    regions.add(region);
    this.#allocPage();
  }

  /** One shadow page taken from the pool and cleared. */
  #allocPage(): void {
    this.#host.cycles[this.#cat.pages] += this.#alloc + this.#zero;
    this.#host.events[this.#ev.allocated]++;
  }

  /**
   * The shadow pages of a root are freed (root discarded, evicted or re-synced): each
   * page's entries are passed over and their reverse-map entries removed.
   */
  #freeTables(entries: Set<number>, regions: Set<number>, root: boolean): void {
    const pages = regions.size + (root ? 1 : 0);
    const host = this.#host;
    host.cycles[this.#cat.pages] += pages * this.#teardown;
    host.cycles[this.#cat.rmap] += entries.size * this.#rmap;
    host.events[this.#ev.freed] += pages;
    regions.clear();
  }

  /** `page` becomes a write-protected table page: its writable mappings are found and re-protected. */
  #protect(page: number): void {
    if (this.#protected.has(page)) return;
    this.#protected.add(page);
    this.#host.cycles[this.#cat.reprotect] += this.#reprotect;
    this.#host.events[this.#ev.reprotects]++;
  }

  /** The VMM ran shadow code: protect every page-table page seen since (lazy learning). */
  #protectPending(): void {
    if (this.#pending.size === 0) return;
    for (const p of this.#pending) {
      this.#protect(p);
      this.#unshadowed.delete(p);
    }
    this.#pending.clear();
  }

  /**
   * Translates through the shadow tables; a walk to an unfilled entry is a hidden fault,
   * and with dirty-bit emulation so is the first store through a read-only entry.
   */
  access(vaddr: number, paddr: number, size: number, flags: number): void {
    this.#translate(vaddr, paddr, flags);
    if ((flags & MEM_WRITE) !== 0) {
      this.#justTraced = -1;
      const page = Math.floor(paddr / PAGE_4K);
      if (this.#protected.has(page)) this.#tracedStore(page, paddr, size);
      else if (size >= PAGE_4K && this.#pending.size > 0) this.#pending.delete(page);
    }
  }

  /**
   * A store hit a write-protected page: it faults into the VMM whatever the guest meant by
   * it. A store that overwrites the whole page is a recycled table (see {@link #recycle});
   * any other is one traced write, charged now at the store's own code site. A `PtWrite`
   * record for the same store follows it in the trace and only updates the shadow entry.
   */
  #tracedStore(page: number, paddr: number, size: number): void {
    if (size >= PAGE_4K) {
      if (this.#recycleOn) this.#recycle(page);
      else this.#overwrite(page);
      return;
    }
    this.#host.events[this.#ev.otherStores]++;
    this.#trace(page, this.#site());
    this.#justTraced = paddr;
  }

  /**
   * Code address that names a traced `Mem` store for adaptive translation: the executing
   * block's address plus a fraction (1/16 per traced store earlier in the same execution of
   * the block), so each store instruction of a block keeps its own trace-fault count and no
   * key collides with a real (integer) instruction address.
   */
  #site(): number {
    const sites = this.#sites;
    if (sites === null) return this.#host.guest.pc;
    const g = sites.guest;
    if (g.block < 0) return g.pc;
    if (g.instructions !== this.#siteStamp) {
      this.#siteStamp = g.instructions;
      this.#siteIndex = 0;
    }
    const k = this.#siteIndex < 14 ? this.#siteIndex++ : 14;
    return sites.blockAddr[g.block] + (k + 1) / 16;
  }

  /**
   * One traced write to protected page `page` at code address `pc`: a VMM transition plus
   * the emulation work, and write-flood detection (a run of traced writes to one page with
   * no fault in between unshadows it after {@link ShadowConfig.unshadowAfter} writes).
   */
  #trace(page: number, pc: number): void {
    const host = this.#host;
    host.events[this.#ev.traced]++;
    host.transition(Transition.TracedWrite, pc);
    host.cycles[this.#cat.traced] += this.#costs.tracedWrite;
    host.caches?.shadowEntry(-1 - page);
    if (page === this.#floodPage) this.#floodCount++;
    else {
      this.#floodPage = page;
      this.#floodCount = 1;
    }
    const n = this.#unshadowAfter;
    if (n > 0 && this.#floodCount >= n) this.#unshadow(page);
  }

  /** Write-flood detection fired: the VMM stops shadowing `page` until it walks it again. */
  #unshadow(page: number): void {
    this.#floodPage = -1;
    this.#protected.delete(page);
    this.#unshadowed.add(page);
    this.#discardRoot(page);
    this.#host.events[this.#ev.flooded]++;
  }

  /**
   * A string store overwrote a whole protected page and the VMM does not recycle it at
   * once (`mmu.shadow-recycle=false`): one trace fault, the VMM emulates the string store
   * and every shadow built from the page is emptied; the page stays protected unless
   * write-flood detection is on (a whole page is 512 consecutive writes, more than any N).
   */
  #overwrite(page: number): void {
    this.#trace(page, this.#host.guest.pc);
    this.#discardRoot(page);
    if (this.#unshadowAfter > 0 && this.#protected.has(page)) this.#unshadow(page);
  }

  /** The VMM ran its fault path: write-flood detection starts over (as Xen and KVM do). */
  #resetFlood(): void {
    this.#floodPage = -1;
    this.#justTraced = -1;
  }

  /** The translation part of {@link access}: walk, hidden faults, dirty-bit emulation. */
  #translate(vaddr: number, paddr: number, flags: number): void {
    const t = this.translator;
    const walked = t.translate(vaddr, paddr) === Translated.Walked;
    const write = this.#dirty && (flags & MEM_WRITE) !== 0;
    if (!walked && !write) return;
    const key = t.isLarge(vaddr)
      ? Math.floor(vaddr / t.geometry.largePage) * 2 + 1
      : Math.floor(vaddr / PAGE_4K) * 2;
    if (walked && this.#fill(vaddr, key)) {
      if (write) this.#writable.add(key);
      this.#hiddenFault(vaddr, paddr);
      return;
    }
    if (!write || key === this.#lastWritableKey) return;
    this.#lastWritableKey = key;
    if (this.#writable.has(key)) return;
    this.#writable.add(key);
    this.#hiddenFault(vaddr, paddr);
  }

  /**
   * One hidden fault: the VMM fills the shadow entry and resumes the faulting access. When
   * the transition flushed the hardware TLB (a VM exit without VPID), the retried access
   * walks again — this time through the filled shadow entry.
   */
  #hiddenFault(vaddr: number, paddr: number): void {
    const host = this.#host;
    host.events[this.#ev.hidden]++;
    this.#resetFlood();
    this.#tlbFlushed = false;
    host.transition(Transition.HiddenFault, host.guest.pc);
    host.cycles[this.#cat.hidden] += this.#costs.hiddenFault;
    host.caches?.shadowEntry(Math.floor(vaddr / 32768) * 64 + (this.translator.rootId & 63));
    this.#protectPending();
    if (this.#tlbFlushed) {
      this.#tlbFlushed = false;
      this.translator.translate(vaddr, paddr);
    }
  }

  /**
   * The hardware TLB lost everything (a VM exit/entry on a processor without VPID): the
   * shadow tables stay filled, so later misses walk them without hidden faults.
   */
  flushHardwareTlb(): void {
    this.translator.flush();
    this.#tlbFlushed = true;
  }

  /**
   * A string store overwrote a whole guest page (the kernel zeroing or copying a page it
   * is reusing). If the page was a write-protected page table, its first store takes one
   * trace fault; the VMM sees the page being overwritten wholesale — it is no longer a
   * page table — and stops shadowing it: the protection is dropped (it returns when the
   * page is used as a table again) and a cached shadow root built from it is discarded.
   */
  #recycle(page: number): void {
    this.#pending.delete(page);
    if (!this.#protected.delete(page)) return;
    const host = this.#host;
    host.events[this.#ev.traced]++;
    host.events[this.#ev.recycled]++;
    host.transition(Transition.TracedWrite, host.guest.pc);
    host.cycles[this.#cat.traced] += this.#costs.tracedWrite;
    host.caches?.shadowEntry(-1 - page);
    if (this.#floodPage === page) this.#floodPage = -1;
    this.#discardRoot(page);
  }

  /** The VMM stopped shadowing `page`: cached shadow roots built from it (not loaded) go. */
  #discardRoot(page: number): void {
    if (this.translator.geometry.levels === 3) {
      for (const key of rootKeysInPage(page, 3)) this.#discardRootKey(key);
    } else this.#discardRootKey(page);
  }

  /** Discards the cached shadow root `key` unless it is loaded. */
  #discardRootKey(key: number): void {
    const slot = this.#cache.slotOf(key, 0);
    if (slot >= 0 && this.translator.rootPage !== key) {
      this.#cache.invalidateKey(key);
      this.#freeTables(this.#tables[slot], this.#regionTables[slot], true);
      this.#tables[slot].clear();
      this.#linkedTables[slot].clear();
      if (this.#dirty) this.#writableTables[slot].clear();
    }
  }

  /** CR3 write: shadow-cache lookup (hit keeps the filled entries), TLB flush as hardware does. */
  switchRoot(cr3: number): void {
    const host = this.#host;
    // The shadow cache holds roots by key (a PAE root is a 32-byte table); protection is
    // by the page that holds it.
    const key = rootKeyOf(cr3, this.translator.config.levels);
    const page = rootPageOf(cr3);
    host.events[this.#ev.switches]++;
    let c = this.#costs.switchRoot;
    if (this.#cache.lookup(key, 0)) {
      host.events[this.#ev.cacheHits]++;
      this.#select(this.#cache.lastSlot);
    } else {
      this.#cache.insert(key, 0);
      this.#select(this.#cache.lastSlot);
      // The slot's previous root (evicted, or discarded earlier) gives its pages back.
      if (this.#current.size > 0 || this.#regions.size > 0) {
        this.#freeTables(this.#current, this.#regions, true);
      }
      this.#allocPage();
      this.#current.clear();
      this.#linked.clear();
      this.#writable.clear();
      host.events[this.#ev.builds]++;
      c += this.#costs.build;
    }
    host.cycles[this.#cat.switchRoot] += c;
    this.#faultKey = NaN;
    this.#justTraced = -1;
    this.#protect(page);
    this.#unshadowed.delete(page);
    this.#protectPending();
    this.translator.setRoot(cr3);
  }

  /** Makes cached root `slot` the current shadow root. */
  #select(slot: number): void {
    this.#current = this.#tables[slot];
    this.#linked = this.#linkedTables[slot];
    this.#regions = this.#regionTables[slot];
    if (this.#dirty) this.#writable = this.#writableTables[slot];
    this.#lastWritableKey = NaN;
  }

  /** INVLPG: re-sync the page's shadow entry from the guest table and drop its TLB entry. */
  invlpg(vaddr: number): void {
    this.#host.cycles[this.#cat.invlpg] += this.#costs.invlpg;
    this.#host.caches?.shadowEntry(Math.floor(vaddr / 32768) * 64 + (this.translator.rootId & 63));
    this.#justTraced = -1;
    this.translator.invlpg(vaddr);
    this.#protectPending();
  }

  /**
   * A guest page-table store: traced (one VMM transition plus update work) if protected.
   * When the `Mem` record just before it was the same store and was traced there, it is
   * not charged again: the record only tells the VMM's update which entry changed.
   */
  ptWrite(rec: TraceRecord): void {
    const page = Math.floor(rec.paddr / PAGE_4K);
    const host = this.#host;
    if (rec.paddr === this.#justTraced) {
      this.#justTraced = -1;
      host.events[this.#ev.otherStores]--;
      this.#updateShadow(rec, page);
      return;
    }
    this.#justTraced = -1;
    if (this.#protected.has(page)) {
      this.#trace(page, rec.pc);
      this.#updateShadow(rec, page);
      return;
    }
    host.events[this.#ev.untraced]++;
    if (this.#unshadowed.has(page)) this.#pending.add(page);
    else if (this.#config.learn === "eager") this.#protect(page);
    else this.#pending.add(page);
  }

  /** The VMM's update of the shadow after emulating a traced page-table store. */
  #updateShadow(rec: TraceRecord, page: number): void {
    {
      const key = this.#faultKey;
      if (!Number.isNaN(key) && rec.level <= ((key & 1) === 1 ? 2 : 1)) {
        // The handler's leaf write for the faulting page: the VMM updates that shadow entry.
        this.#faultKey = NaN;
        this.#fill(this.#faultVa, key);
        if (this.#dirty && this.#faultWrite) this.#writable.add(key);
        return;
      }
      // The root a top-level entry belongs to: its page, or under PAE its 32-byte table
      // (several to a page), whose index is the entry's position within that table.
      const g = this.translator.geometry;
      const root = g.levels === 3 ? Math.floor(rec.paddr / PAE_ROOT_BYTES) : page;
      const slot = this.#cache.slotOf(root, 0);
      if (slot >= 0) {
        const entry = Math.floor((rec.paddr % PAGE_4K) / g.entryBytes);
        this.#dropUnder(slot, root, entry % g.topEntries);
      }
    }
  }

  /**
   * A top-level entry `index` of cached root `page` (slot `slot`) changed: drop the shadow
   * entries for addresses under it, and the TLB's user entries if that root is loaded.
   */
  #dropUnder(slot: number, page: number, index: number): void {
    const g = this.translator.geometry;
    const span = g.scale[g.levels];
    // The kernel part of the top-level table (the canonical upper half; above 0xC0000000 on
    // a 32-bit guest) maps negative addresses.
    const lo = (index >= g.kernelTopIndex ? index - g.topEntries : index) * span;
    const hi = lo + span;
    if (lo < 0) {
      // A kernel entry: unlink the shared subtree from this root (other roots keep it).
      if (!this.#linkedTables[slot].delete(index)) return;
      this.#host.events[this.#ev.dropped]++;
      if (this.translator.rootPage === page) this.translator.flush();
      return;
    }
    const table = this.#tables[slot];
    let dropped = 0;
    for (const key of table) {
      const va = (key & 1) === 1 ? ((key - 1) / 2) * g.largePage : (key / 2) * PAGE_4K;
      if (va >= lo && va < hi) {
        table.delete(key);
        if (this.#dirty) this.#writableTables[slot].delete(key);
        dropped++;
      }
    }
    this.#lastWritableKey = NaN;
    if (dropped === 0) return;
    this.#host.events[this.#ev.dropped] += dropped;
    this.#host.cycles[this.#cat.rmap] += dropped * this.#rmap;
    if (this.translator.rootPage === page) this.translator.flushNonGlobal();
  }

  /**
   * A true guest fault: intercepted and classified; the CPU model reflects it. The VMM
   * remembers the faulting page so that the handler's traced leaf write fills its entry.
   */
  pageFault(rec: TraceRecord): boolean {
    const host = this.#host;
    const va = rec.addr;
    this.#faultKey = this.translator.isLarge(va)
      ? Math.floor(va / this.translator.geometry.largePage) * 2 + 1
      : Math.floor(va / PAGE_4K) * 2;
    this.#faultVa = va;
    this.#faultWrite = (rec.code & 2) !== 0;
    this.#resetFlood();
    host.events[this.#ev.trueFault]++;
    host.cycles[this.#cat.trueFault] += this.#costs.trueFault;
    this.#protectPending();
    return true;
  }

  /** Full guest TLB flush: the VMM re-syncs the current shadow root (entries refill lazily). */
  flush(): void {
    this.translator.flush();
    this.#freeTables(this.#current, this.#regions, false);
    this.#current.clear();
    this.#linked.clear();
    this.#writable.clear();
    this.#lastWritableKey = NaN;
  }

  /** Nothing to add. */
  finish(): void {}
}

/** Platform keys of the shadow MMU's handler work. */
export const SHADOW_COST_KEYS: readonly string[] = [
  "mmu.shadow.hidden-fault",
  "mmu.shadow.traced-write",
  "mmu.shadow.true-fault",
  "mmu.shadow.switch",
  "mmu.shadow.build",
  "mmu.shadow.invlpg",
  "mmu.shadow.alloc",
  "mmu.shadow.zero",
  "mmu.shadow.teardown",
  "mmu.shadow.rmap",
  "mmu.shadow.reprotect",
];

/** Reads the shadow MMU's handler costs from the platform. */
export function shadowCosts(host: MmuHost): ShadowCosts {
  return {
    hiddenFault: host.cost("mmu.shadow.hidden-fault"),
    tracedWrite: host.cost("mmu.shadow.traced-write"),
    trueFault: host.cost("mmu.shadow.true-fault"),
    switchRoot: host.cost("mmu.shadow.switch"),
    build: host.cost("mmu.shadow.build"),
    invlpg: host.cost("mmu.shadow.invlpg"),
    alloc: host.cost("mmu.shadow.alloc"),
    zero: host.cost("mmu.shadow.zero"),
    teardown: host.cost("mmu.shadow.teardown"),
    rmap: host.cost("mmu.shadow.rmap"),
    reprotect: host.cost("mmu.shadow.reprotect"),
  };
}

/** Builds the shadow MMU for a context. */
export function createShadowMmu(ctx: ModelContext): ShadowMmu {
  const host = contextHost(ctx);
  const o = readOptions(ctx.options, SHADOW_OPTIONS);
  const roots = platformDefault(
    ctx,
    SHADOW_OPTIONS["mmu.shadow-roots"],
    o["mmu.shadow-roots"],
    "mmu.shadow.roots",
  );
  const guest = translatorConfig(ctx, false);
  // Shadow entries map what the VMM backs guest memory with: 4 KB host pages unless
  // mmu.shadow-large-pages=true, so a guest 2 MB page is splintered into 4 KB shadow
  // entries (and 4 KB TLB entries), as in VMMs of Adams & Agesen's time.
  const large = o["mmu.shadow-large-pages"];
  const config = large ? guest : { ...guest, largePages: "none" as const };
  const translator = new Translator(
    host,
    config,
    translatorCosts(host, config),
    "--mmu shadow",
  );
  return new ShadowMmu(host, translator, shadowCosts(host), {
    roots,
    learn: o["mmu.shadow-learn"],
    dirty: o["mmu.shadow-dirty"],
    unshadowAfter: o["mmu.shadow-unshadow-after"] ??
      UNSHADOW_POLICIES[o["mmu.shadow-policy"]],
    recycle: o["mmu.shadow-recycle"],
    sites: { blockAddr: ctx.code.blockAddr, guest: ctx.guest },
  });
}

/**
 * Unshadowing policies (`mmu.shadow-policy`): after how many consecutive traced writes to
 * one page-table page, with no fault in between, each VMM stops shadowing it (0: never).
 * - `vmware` (default; the VMMs of Adams & Agesen 2006, the P4 profile's calibration):
 *   VMware's heuristic is not published, and the one published data point, Figure 4
 *   `ptemod`, has every store of a loop rewriting one PTE traced at steady state (391 and
 *   12733 cycles per iteration); any N > 0 would run it at native speed. So never.
 * - `xen`: Xen 3.0.3's shadow code unshadows on the second emulated write in a row
 *   (`check_for_early_unshadow`, reset by a real page fault).
 * - `kvm`: KVM (2007, `kvm_mmu_pre_write`) zaps the shadow page on the third
 *   (`last_pt_write_count >= 3`, reset by a write to another page).
 * `mmu.shadow-unshadow-after=N` overrides the count.
 */
export const UNSHADOW_POLICIES: Readonly<Record<"vmware" | "xen" | "kvm", number>> = {
  vmware: 0,
  xen: 2,
  kvm: 3,
};

/** The policy names, in table order. */
export const POLICY_NAMES = ["vmware", "xen", "kvm"] as const;

/** The options only shadow paging reads (besides the translator's). */
export const SHADOW_OPTIONS = declareOptions({
  "mmu.shadow-roots": {
    type: "integer",
    min: 1,
    max: 1 << 16,
    defaultDoc: "platform mmu.shadow.roots",
    doc: "shadow roots cached",
  },
  "mmu.shadow-learn": {
    type: "enum",
    values: ["eager", "lazy"],
    default: "eager",
    doc: "write-protection of newly seen page-table pages",
  },
  "mmu.shadow-dirty": {
    type: "boolean",
    default: false,
    doc: "emulate dirty bits: the first store through a read-filled entry faults",
  },
  "mmu.shadow-large-pages": {
    type: "boolean",
    default: false,
    doc: "shadow guest 2 MB pages with 2 MB entries (false: splintered into 4 KB entries)",
  },
  "mmu.shadow-policy": {
    type: "enum",
    values: POLICY_NAMES,
    default: "vmware",
    doc:
      "the VMM's write-flood unshadowing: vmware never; xen on the 2nd, kvm on the 3rd consecutive traced write to a page",
  },
  "mmu.shadow-unshadow-after": {
    type: "integer",
    min: 0,
    max: 1 << 20,
    defaultDoc: "from mmu.shadow-policy",
    doc: "stop shadowing a page after N consecutive traced writes with no fault between (0: never)",
  },
  "mmu.shadow-recycle": {
    type: "boolean",
    default: false,
    doc:
      "stop shadowing a protected page at once when a string store overwrites all of it (no VMM is documented to do this)",
  },
});

registerModel("mmu", "shadow", createShadowMmu, {
  summary: "Shadow page tables: write-protected guest tables (traced writes), hidden faults, " +
    "true-fault reflection, shadow-root cache.",
  options: { ...TRANSLATOR_OPTIONS, ...SHADOW_OPTIONS },
  costs: [...TRANSLATOR_COSTS, ...SHADOW_COST_KEYS, "mmu.shadow.roots"],
});
