/**
 * The processor's cache hierarchy that every model set charges memory stalls through:
 * set-associative L1 data and L1 instruction caches, a unified L2, an L3 where the
 * processor had one, then memory. One hierarchy per model set, so in the configured set
 * the VMM's own references (handler footprints, shadow-table entries, page-walk entries)
 * compete with the guest's lines exactly as they would on the hardware, while the native
 * baseline's caches hold only what a bare guest touches.
 *
 * What each kind of reference costs (see docs/platforms.md, "Memory hierarchy"):
 * - an ordinary guest **load** costs its level's load-to-use latency *beyond* the L1 hit,
 *   which the platform's base CPI already covers (`mem.data`);
 * - a guest **store** allocates its line (write-allocate) but stalls nothing: it retires
 *   into the store buffer, which drains in the background;
 * - an **instruction fetch** of each code line a block spans costs the level's latency
 *   beyond the L1 hit on an L1I miss (`mem.fetch`);
 * - a **page-walk reference** costs the full latency of the level that holds the entry,
 *   from the level the walker reads first (the L1D on Intel, the L2 on Barcelona as
 *   Bhargava et al. model it): the walk is on the critical path, nothing overlaps it;
 * - a **VMM entry** (exit, trap, call-out, hypercall) touches its handler's footprint,
 *   half code (through the L1I) and half data, and a shadow-table update touches the
 *   shadow entry; their misses cost the latency beyond the L1 hit (`mem.vmm`).
 *
 * Caches are non-inclusive and allocate on every miss at every level; replacement is LRU
 * within a set, sets indexed by the line number's low bits (the structure is
 * {@link LineCache}). Storage is typed arrays sized once; no reference allocates.
 *
 * @module
 */

import type { CodeTable } from "../../trace/code_table.ts";
import { LineCache } from "./line_cache.ts";

/** One cache level's shape and latency. */
export interface CacheLevelShape {
  /** Lines the level holds. */
  readonly lines: number;
  /** Associativity (ways per set; `lines` = fully associative). */
  readonly ways: number;
  /** Load-to-use latency of a hit at this level, in core cycles. */
  readonly latency: number;
}

/** The whole hierarchy of one platform. */
export interface HierarchyShape {
  /** Line size in bytes (every level). */
  readonly lineBytes: number;
  /** L1 data cache. */
  readonly l1d: CacheLevelShape;
  /** L1 instruction cache (the trace cache on NetBurst, modelled as an instruction cache). */
  readonly l1i: CacheLevelShape;
  /** Unified L2. */
  readonly l2: CacheLevelShape;
  /** Unified L3, or null where the processor had none. */
  readonly l3: CacheLevelShape | null;
  /** Load-to-use latency of a reference served by memory, in core cycles. */
  readonly memoryLatency: number;
  /** The level page walks read first: 1 (the L1D) or 2 (the L2). */
  readonly walkFirstLevel: number;
  /** Cache lines a VMM entry touches (its handler's code and data footprint). */
  readonly vmmFootprint: number;
}

/** What the hierarchy charges: a model set's accounts. */
export interface HierarchyAccounts {
  /** Registers (or finds) a cycle category. */
  category(name: string): number;
  /** Registers (or finds) an event counter. */
  counter(name: string): number;
  /** Cycles by category id. */
  readonly cycles: Float64Array;
  /** Event counts by counter id. */
  readonly events: Float64Array;
}

/** Tag spaces, so lines of different kinds never alias though their keys may coincide. */
const TAG_DATA = 0;
const TAG_CODE = 1;
const TAG_VMM_CODE = 2;
const TAG_VMM_DATA = 3;
const TAG_SHADOW = 4;
/** Walk-entry tags are the translator's own tags shifted past the kinds above. */
const TAG_WALK = 16;

/** Which level served a reference (the index into the latency table). */
const L1 = 1, L2 = 2, L3 = 3, MEM = 4;

/** The per-set cache hierarchy. */
export class MemoryHierarchy {
  /** The shape it was built with. */
  readonly shape: HierarchyShape;
  /** L1 data cache. */
  readonly l1d: LineCache;
  /** L1 instruction cache. */
  readonly l1i: LineCache;
  /** Unified L2. */
  readonly l2: LineCache;
  /** Unified L3, if any. */
  readonly l3: LineCache | null;
  /** Latency by serving level (1 L1, 2 L2, 3 L3, 4 memory). */
  readonly #latency = new Float64Array(5);
  /** Stall beyond the L1 hit by serving level. */
  readonly #penalty = new Float64Array(5);
  readonly #line: number;
  /** 1 / line size: exact (a power of two), and a multiply is cheaper than a divide. */
  readonly #perByte: number;
  readonly #cycles: Float64Array;
  readonly #events: Float64Array;
  readonly #catData: number;
  readonly #catFetch: number;
  readonly #catVmm: number;
  readonly #evL1dMiss: number;
  readonly #evL1iMiss: number;
  readonly #evL2Miss: number;
  readonly #evL3Miss: number;
  /** Code lines of each code-table block: first line, and line count. */
  readonly #blockLine: Float64Array;
  readonly #blockLines: Uint32Array;
  readonly #code: CodeTable;
  /** The last data and code line referenced: the MRU line of its set, so a repeat is a hit. */
  #lastData = NaN;
  #lastCode = NaN;

  /** Builds empty caches of `shape` for the blocks of `code`, charging `accounts`. */
  constructor(shape: HierarchyShape, accounts: HierarchyAccounts, code: CodeTable) {
    this.shape = shape;
    this.#line = shape.lineBytes;
    this.#perByte = 1 / shape.lineBytes;
    this.#cycles = accounts.cycles;
    this.#events = accounts.events;
    this.l1d = new LineCache(shape.l1d.lines, shape.l1d.ways, "cache.l1d");
    this.l1i = new LineCache(shape.l1i.lines, shape.l1i.ways, "cache.l1i");
    this.l2 = new LineCache(shape.l2.lines, shape.l2.ways, "cache.l2");
    this.l3 = shape.l3 ? new LineCache(shape.l3.lines, shape.l3.ways, "cache.l3") : null;
    this.#latency[L1] = shape.l1d.latency;
    this.#latency[L2] = shape.l2.latency;
    this.#latency[L3] = shape.l3 ? shape.l3.latency : shape.memoryLatency;
    this.#latency[MEM] = shape.memoryLatency;
    for (let l = L1; l <= MEM; l++) {
      this.#penalty[l] = Math.max(0, this.#latency[l] - shape.l1d.latency);
    }
    this.#catData = accounts.category("mem.data");
    this.#catFetch = accounts.category("mem.fetch");
    this.#catVmm = accounts.category("mem.vmm");
    this.#evL1dMiss = accounts.counter("cache.l1d.misses");
    this.#evL1iMiss = accounts.counter("cache.l1i.misses");
    this.#evL2Miss = accounts.counter("cache.l2.misses");
    this.#evL3Miss = accounts.counter("cache.l3.misses");
    this.#code = code;
    const n = code.blockCount;
    this.#blockLine = new Float64Array(n);
    this.#blockLines = new Uint32Array(n);
    for (let b = 0; b < n; b++) {
      const first = Math.floor(code.blockAddr[b] / this.#line);
      const len = code.blockLength[b];
      const end = len > 0 ? this.#instrEnd(code.blockFirst[b] + len - 1) : code.blockAddr[b] + 1;
      this.#blockLine[b] = first;
      this.#blockLines[b] = Math.floor((end - 1) / this.#line) - first + 1;
    }
  }

  /** Looks `key/tag` up from `l1` (L1D or L1I) down; fills every level it missed. */
  #lookup(key: number, tag: number, l1: LineCache, evL1Miss: number): number {
    if (l1.access(key, tag)) return L1;
    this.#events[evL1Miss]++;
    return this.#fromL2(key, tag);
  }

  /**
   * An ordinary guest data reference at guest-physical `paddr`: a load stalls for its
   * level's latency beyond the L1 hit, a store (`write`) only allocates.
   */
  data(paddr: number, write: boolean): void {
    const line = Math.floor(paddr * this.#perByte);
    if (line === this.#lastData) return;
    this.#lastData = line;
    if (this.l1d.access(line, TAG_DATA)) return;
    this.#events[this.#evL1dMiss]++;
    const level = this.#fromL2(line, TAG_DATA);
    if (!write) this.#cycles[this.#catData] += this.#penalty[level];
  }

  /** One past the last byte of code-table instruction `i`. */
  #instrEnd(i: number): number {
    return this.#code.instrAddr[i] + Math.max(1, this.#code.instrLength[i]);
  }

  /**
   * A string instruction streaming `bytes` from `paddr`: every line is allocated, none
   * stalls (the hardware prefetchers run ahead of a sequential stream), so a large copy
   * still evicts what the guest had cached.
   */
  stream(paddr: number, bytes: number): void {
    const first = Math.floor(paddr / this.#line);
    const end = Math.floor((paddr + bytes - 1) / this.#line) + 1;
    for (let line = first; line < end; line++) {
      this.#lookup(line, TAG_DATA, this.l1d, this.#evL1dMiss);
    }
    this.#lastData = NaN;
  }

  /** Instruction fetch of the first `count` instructions of `block` (all when `count` ≥ its length). */
  fetch(block: number, count: number): void {
    const line = this.#blockLine[block];
    if (this.#blockLines[block] === 1) {
      // Most blocks sit in one line, often the line the previous block ended in.
      if (line === this.#lastCode) return;
      this.#lastCode = line;
      if (!this.l1i.access(line, TAG_CODE)) {
        this.#events[this.#evL1iMiss]++;
        this.#cycles[this.#catFetch] += this.#penalty[this.#fromL2(line, TAG_CODE)];
      }
      return;
    }
    this.#fetchLines(block, count);
  }

  /** {@link fetch} of a block that spans several lines. */
  #fetchLines(block: number, count: number): void {
    let line = this.#blockLine[block];
    let end = line + this.#blockLines[block];
    const code = this.#code;
    if (count < code.blockLength[block] && count > 0) {
      end = Math.floor((this.#instrEnd(code.blockFirst[block] + count - 1) - 1) / this.#line) + 1;
    }
    let stall = 0;
    for (; line < end; line++) {
      if (line === this.#lastCode) continue;
      this.#lastCode = line;
      const level = this.#lookup(line, TAG_CODE, this.l1i, this.#evL1iMiss);
      if (level !== L1) stall += this.#penalty[level];
    }
    if (stall !== 0) this.#cycles[this.#catFetch] += stall;
  }

  /**
   * One page-walk reference to entry line `key` of the translator's tag space `tag`;
   * returns its full latency (the caller charges it to the walk). Walks read from
   * {@link HierarchyShape.walkFirstLevel}: an L2-first walker neither probes nor fills the L1D.
   */
  walkRef(key: number, tag: number): number {
    const t = TAG_WALK + tag;
    this.#lastData = NaN;
    const level = this.shape.walkFirstLevel <= 1
      ? this.#lookup(key, t, this.l1d, this.#evL1dMiss)
      : this.#fromL2(key, t);
    return this.#latency[level];
  }

  /** The levels from the L2 down (an L1 miss, or a walker that bypasses the L1D). */
  #fromL2(key: number, tag: number): number {
    const ev = this.#events;
    if (this.l2.access(key, tag)) return L2;
    ev[this.#evL2Miss]++;
    const l3 = this.l3;
    if (l3 === null) return MEM;
    if (l3.access(key, tag)) return L3;
    ev[this.#evL3Miss]++;
    return MEM;
  }

  /**
   * A VMM entry for transition `reason`: the handler's footprint (half code, half data,
   * a region of its own per reason) goes through the caches; misses stall (`mem.vmm`).
   */
  vmmEntry(reason: number): void {
    const f = this.shape.vmmFootprint;
    if (f <= 0) return;
    const base = reason * f;
    const half = f >> 1;
    let stall = 0;
    for (let i = 0; i < half; i++) {
      const level = this.#lookup(base + i, TAG_VMM_CODE, this.l1i, this.#evL1iMiss);
      if (level !== L1) stall += this.#penalty[level];
    }
    for (let i = half; i < f; i++) {
      const level = this.#lookup(base + i, TAG_VMM_DATA, this.l1d, this.#evL1dMiss);
      if (level !== L1) stall += this.#penalty[level];
    }
    // The VMM's lines displaced whatever the guest last touched in their sets.
    this.#lastCode = this.#lastData = NaN;
    if (stall !== 0) this.#cycles[this.#catVmm] += stall;
  }

  /**
   * The VMM reads or writes a shadow page-table line (a hidden-fault fill, a traced-write
   * update, an INVLPG resync); `key` names the line within the shadow tables.
   */
  shadowEntry(key: number): void {
    const level = this.#lookup(key, TAG_SHADOW, this.l1d, this.#evL1dMiss);
    this.#lastData = NaN;
    if (level !== L1) this.#cycles[this.#catVmm] += this.#penalty[level];
  }

  /** Forgets the MRU shortcuts (another structure touched the caches). */
  touched(): void {
    this.#lastData = this.#lastCode = NaN;
  }
}
