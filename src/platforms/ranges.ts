/**
 * The allowed range of every platform profile value, declared once. A value outside its
 * range is refused when the profile is loaded, before any model sizes a table from it, so
 * a typo or a hostile file is one line naming the file and key, never a multi-gigabyte
 * allocation or an infinite cycle count.
 *
 * Two levels: a range per unit (every entry of that unit gets it) and a range per key
 * for parameters whose bounds differ from their unit's. Adding a platform key with its own
 * range is one line in {@link KEY_RANGES}; docs/platforms.md is generated from both tables.
 *
 * @module
 */

/** The values one platform entry may take. */
export interface ValueRange {
  /** The unit the entry must state (key declarations only; a unit range is its own unit's). */
  readonly unit?: string;
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
  /** Whether the value must be a whole number (sizes, counts, flags). */
  readonly integer: boolean;
  /** Why the bounds are what they are (shown in docs/platforms.md). */
  readonly why: string;
}

/**
 * The largest cost of one event, in cycles. A billion cycles is a quarter of a second at
 * 4 GHz and 1.4 s at 733 MHz: no instruction, exit, walk or device access costs that (the
 * largest cost in the built-in profiles, a host swap-in, is about 2e7). The bound keeps a
 * cost such as 1e308 from overflowing sums to Infinity in the engine.
 */
export const MAX_EVENT_CYCLES = 1e9;

/**
 * Most entries of one translation structure (TLB level, page-walk cache, nested TLB, ASID
 * space, shadow-root cache, batch). Real ones hold at most a few thousand (an L2 TLB of
 * 1536-3072, 4096 PCIDs, 65536 VPIDs); 65536 leaves room for sensitivity sweeps, and the
 * model's arrays for it take about 3 MB.
 */
const MAX_TABLE_ENTRIES = 65536;

/**
 * Most lines of a modelled cache: 2^20 lines are 64 MiB of 64-byte lines, far above any L2,
 * and the model's arrays for them take about 50 MB.
 */
const MAX_CACHE_LINES = 1 << 20;

/** Ranges by unit, for every entry whose key has no declaration in {@link KEY_RANGES}. */
export const UNIT_RANGES: Readonly<Record<string, ValueRange>> = {
  cycles: {
    min: 0,
    max: MAX_EVENT_CYCLES,
    integer: false,
    why: "a cost of one event; 1e9 cycles is 0.25 s at 4 GHz, more than any mechanism costs",
  },
  flag: { min: 0, max: 1, integer: true, why: "0 off, 1 on" },
  count: {
    min: 0,
    max: 1e6,
    integer: true,
    why: "a count per event (VMCB fields per exit), multiplied by a cost in closed form",
  },
  entries: {
    min: 0,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "sizes a translation structure; real ones hold at most a few thousand",
  },
  ways: {
    min: 0,
    max: MAX_CACHE_LINES,
    integer: true,
    why: "associativity; 0 (or at least the entries) means fully associative",
  },
  lines: {
    min: 0,
    max: MAX_CACHE_LINES,
    integer: true,
    why: "sizes a cache model: 2^20 lines are 64 MiB of 64-byte lines",
  },
  bytes: {
    min: 0,
    max: 1 << 30,
    integer: true,
    why: "a line, buffer or cache size; 1 GiB is more than any cache",
  },
  level: {
    min: 0,
    max: 8,
    integer: true,
    why: "a level of a page table or cache hierarchy (x86 walks have at most 5)",
  },
  levels: {
    min: 0,
    max: 8,
    integer: true,
    why: "a number of page-table or cache levels (x86 walks have at most 5)",
  },
};

/**
 * The largest value a model may read as a structural parameter (`platform.param`): a
 * table size, a count or a flag. It backs up the declared ranges for a key read as a
 * size whose unit has no range of its own (its general bound, 1e9, is no table size).
 */
export const MAX_STRUCTURAL_PARAM = MAX_CACHE_LINES;

/**
 * The range of an entry whose unit is not in {@link UNIT_RANGES} and whose key is not in
 * {@link KEY_RANGES} (a user model's own parameter): finite, non-negative and no larger
 * than a cycle cost may be, so no sum of such values can overflow.
 */
export const OTHER_UNIT_RANGE: ValueRange = {
  min: 0,
  max: MAX_EVENT_CYCLES,
  integer: false,
  why: "any other unit: finite, non-negative, at most 1e9",
};

/**
 * Keys whose range is not their unit's. A declaration of `KEY` also covers its variants
 * `KEY.<suffix>` (such as `hw.vmcb-reads.page-fault`), and the entry must state the
 * declared unit.
 */
export const KEY_RANGES: Readonly<Record<string, ValueRange>> = {
  "bt.tc-capacity": {
    unit: "bytes",
    min: 1,
    max: 1 << 30,
    integer: true,
    why: "bytes of guest code the translation cache keeps; accounted per translation, never " +
      "allocated, so it may exceed a table's bound (the bt.tc-capacity option's range)",
  },
  "tlb.l1d.entries": {
    unit: "entries",
    min: 1,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "the L1 data TLB; every MMU model has one",
  },
  "tlb.l2.entries": {
    unit: "entries",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "the second-level TLB; 0 means none",
  },
  "tlb.asids": {
    unit: "entries",
    min: 1,
    max: 65536,
    integer: true,
    why: "address-space tags a tagged TLB keeps (12-bit PCIDs, 16-bit VPIDs)",
  },
  "mmu.pwc.entries": {
    unit: "entries",
    min: 1,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "page-walk cache entries",
  },
  "mmu.ntlb.entries": {
    unit: "entries",
    min: 0,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "nested-TLB entries of 2-D walks; 0 means none",
  },
  "mmu.shadow.roots": {
    unit: "entries",
    min: 1,
    max: 4096,
    integer: true,
    why: "shadow page-table roots cached; each keeps its own sets of shadowed tables",
  },
  "mmu.pv.max-batch": {
    unit: "entries",
    min: 1,
    max: MAX_TABLE_ENTRIES,
    integer: true,
    why: "page-table updates per hypercall (Xen: 2048)",
  },
  "cache.l2.lines": {
    unit: "lines",
    min: 1,
    max: MAX_CACHE_LINES,
    integer: true,
    why: "lines of the cache walk references go through",
  },
  "hw.vmcb-reads": {
    unit: "count",
    min: 0,
    max: 1000,
    integer: true,
    why: "VMCB/VMCS fields an exit handler reads (Adams & Agesen: about ten)",
  },
  "hw.vmcb-writes": {
    unit: "count",
    min: 0,
    max: 1000,
    integer: true,
    why: "VMCB/VMCS fields an exit handler writes",
  },
};

/**
 * The smallest and largest core clock a profile may state, in Hz: from 1 MHz (older than
 * any machine the papers measure) to 100 GHz (beyond any built).
 */
export const CLOCK_RANGE: ValueRange = {
  min: 1e6,
  max: 1e11,
  integer: false,
  why: "core clock in Hz, 1 MHz to 100 GHz",
};

/** The declaration that applies to `key`: its own, that of a key it is a variant of, or none. */
export function keyRange(key: string): { key: string; range: ValueRange } | undefined {
  let k = key;
  for (;;) {
    if (Object.hasOwn(KEY_RANGES, k)) return { key: k, range: KEY_RANGES[k] };
    const dot = k.lastIndexOf(".");
    if (dot <= 0) return undefined;
    k = k.slice(0, dot);
  }
}

/** The range an entry with `key` and `unit` must lie in. */
export function rangeOf(key: string, unit: string): ValueRange {
  return keyRange(key)?.range ??
    (Object.hasOwn(UNIT_RANGES, unit) ? UNIT_RANGES[unit] : OTHER_UNIT_RANGE);
}

/** Whether `value` lies in `range`. */
export function inRange(value: number, range: ValueRange): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max &&
    (!range.integer || Number.isInteger(value));
}

/** `integers 1 to 65536` / `numbers 0 to 1e9`, for messages and docs. */
export function describeRange(range: ValueRange): string {
  const n = (v: number) =>
    v < 1e7
      ? String(v)
      : Number.isInteger(Math.log2(v))
      ? `2^${Math.log2(v)}`
      : v.toExponential().replace("e+", "e");
  return `${range.integer ? "integers" : "numbers"} ${n(range.min)} to ${n(range.max)}`;
}
