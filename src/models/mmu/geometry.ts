/**
 * The x86 radix page-table geometries (32-bit, PAE, 4- and 5-level paging; {@link
 * pagingGeometry}), and the deterministic stand-in for the guest's
 * page-table layout that the walkers use.
 *
 * A trace gives the root of each address space (CR3 writes), the guest-physical address of
 * every data page (memory records) and the page-table entries that were written, but not
 * the tables themselves. What the MMU models need from the tables is *which entries a walk
 * reads* — so that repeated walks through the same upper-level entries hit the page-walk
 * cache and nested walks of the same table page hit the nested TLB. This module therefore
 * names every entry by what determines it architecturally: the table that holds it and the
 * index bits of the virtual address. An entry at level L for address `va` is identified by
 * `floor(va / span(L))`, with `span(L)` = 2^(12 + 9(L-1)) on x86-64 and PAE and
 * 2^(12 + 10(L-1)) under 32-bit paging (the VA bits that select it and every table above
 * it), together with the *owner* of the table: the address space's root for the user half, and
 * one shared owner for kernel tables below the top level, because every Linux process
 * shares the kernel's lower-level tables. The guest-physical page of a non-root table is a
 * fixed hash of (owner, level, VA prefix) into the guest's memory; the root page is the
 * real CR3 value. docs/mmu.md describes the choice.
 *
 * @module
 */

import { LARGE_PAGE_SIZE, PAGE_SHIFT, PAGE_SIZE } from "../../trace/page.ts";

/** Base page size (the project's one {@link PAGE_SIZE}, under the walkers' name). */
export const PAGE_4K: number = PAGE_SIZE;
/** Large page size (a level-2 leaf). */
export const PAGE_2M: number = LARGE_PAGE_SIZE;
/** Owner id of the kernel's shared lower-level tables. */
export const KERNEL_OWNER = 0;

/** `SCALE[L]` = bytes of address space one level-L entry maps: 2^(12 + 9(L-1)); SCALE[0] = 1. */
export const SCALE: readonly number[] = Array.from(
  { length: 7 },
  (_, level) => level === 0 ? 1 : 2 ** (PAGE_SHIFT + 9 * (level - 1)),
);

/**
 * The shape of one x86 paging mode, chosen by the number of levels: 2 is 32-bit paging
 * (Intel SDM vol. 3A section 4.3: 1024 four-byte entries per table, 10 index bits per level,
 * a 4 MB large page with PSE), 3 is PAE paging (section 4.4: a 4-entry page-directory-pointer
 * table over two 512-entry tables of eight-byte entries, 2 MB large pages), 4 and 5 are
 * 4-level and 5-level paging (section 4.5: 512 eight-byte entries, 9 index bits per level).
 * No x86 mode has 2 or 3 levels of 64-bit tables, so the level count names the mode.
 */
export interface PagingGeometry {
  /** Levels (2 to 5). */
  readonly levels: number;
  /** `scale[L]`: bytes of address space one level-L entry maps; `scale[0]` = 1. */
  readonly scale: readonly number[];
  /** Bytes per page-table entry (4 for 32-bit paging, else 8). */
  readonly entryBytes: number;
  /** Entries in the top-level table (1024, 4 for PAE, 512). */
  readonly topEntries: number;
  /**
   * The first top-level index of the kernel half: 256 of 512 (canonical upper half), 768 of
   * 1024 and 3 of 4 (Linux's 3 GB/1 GB split, kernel at 0xC0000000).
   */
  readonly kernelTopIndex: number;
  /** Size of a level-2 leaf (large page): 4 MB for 32-bit paging, else 2 MB. */
  readonly largePage: number;
}

const GEOMETRIES: PagingGeometry[] = [2, 3, 4, 5].map((levels) => {
  const bits = levels === 2 ? [0, 10, 10] : [0, 9, 9, levels === 3 ? 2 : 9, 9, 9];
  const scale = [1];
  for (let l = 1; l <= 6; l++) {
    scale.push(scale[l - 1] * (l === 1 ? 2 ** PAGE_SHIFT : 2 ** (bits[l - 1] ?? 9)));
  }
  const topEntries = 2 ** bits[levels];
  return {
    levels,
    scale,
    entryBytes: levels === 2 ? 4 : 8,
    topEntries,
    kernelTopIndex: levels <= 3 ? (topEntries * 3) / 4 : topEntries / 2,
    largePage: scale[2],
  };
});

/** The {@link PagingGeometry} of `levels` (2 to 5); throws a RangeError otherwise. */
export function pagingGeometry(levels: number): PagingGeometry {
  const g = GEOMETRIES[levels - 2];
  if (g === undefined || !Number.isInteger(levels)) {
    throw new RangeError(`paging levels must be 2 to 5, got ${levels}`);
  }
  return g;
}

/**
 * The id of the level-`level` entry that translates `va` within its owner's tables: the VA
 * bits above the entry's span (so the low 9 bits are the index into its table).
 */
export function entryId(va: number, level: number, scale: readonly number[] = SCALE): number {
  return Math.floor(va / scale[level]);
}

/**
 * Key of a page-table entry in a physically tagged cache (page-walk cache): entry id and
 * level packed into one exact integer (|id| < 2^45, so `id * 8 + level` is exact).
 */
export function entryKey(va: number, level: number, scale: readonly number[] = SCALE): number {
  return Math.floor(va / scale[level]) * 8 + level;
}

/**
 * Owner of the table holding the level-`level` entry for `va` in an address space whose
 * root id is `rootId` and whose top level is `top`: the root itself for the top level and
 * the user half, the shared kernel owner for kernel tables below the top.
 */
export function tableOwner(va: number, level: number, top: number, rootId: number): number {
  return va < 0 && level < top ? KERNEL_OWNER : rootId;
}

/** 32-bit avalanche mix of three 32-bit words (deterministic table placement). */
export function mix32(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ b, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ c, 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * Guest-physical page number of the non-root table at `level` (the table holding the
 * level-`level` entries) for `va`, owned by `owner`, in a guest of `guestPages` 4 KB pages.
 * A hash, so distinct tables land on (almost always) distinct pages, stable across runs.
 */
export function tablePage(
  owner: number,
  level: number,
  va: number,
  guestPages: number,
  scale: readonly number[] = SCALE,
): number {
  const prefix = Math.floor(va / scale[level + 1]);
  const lo = prefix >>> 0;
  const hi = Math.floor(prefix / 4294967296) | 0;
  return mix32(owner * 8 + level, lo, hi) % guestPages;
}

/**
 * The guest-physical page of the root table named by a CR3 value: bits 12..51. The low
 * 12 bits (PCID or cache-control flags) and bit 63 (no-flush) do not name the table.
 */
export function rootPageOf(cr3: number): number {
  return Math.floor(cr3 / PAGE_4K) % 2 ** 40;
}

/** Bytes of a PAE page-directory-pointer table (four 8-byte entries, 32-byte aligned). */
export const PAE_ROOT_BYTES = 32;

/**
 * The key that names an address space's root in a paging mode of `levels` levels: its
 * page ({@link rootPageOf}), except under PAE, whose root is a 32-byte table named by CR3
 * bits 5..31 (SDM vol. 3A, 4.4.1) — and Linux allocates several processes' tables from one
 * page (`pgd_cache`, 32-byte objects), so the page would not tell them apart.
 */
export function rootKeyOf(cr3: number, levels: number): number {
  return levels === 3 ? Math.floor(cr3 / PAE_ROOT_BYTES) % 2 ** 47 : rootPageOf(cr3);
}

/** The keys of every root a page can hold (one, or 128 PAE tables). */
export function rootKeysInPage(page: number, levels: number): number[] {
  if (levels !== 3) return [page];
  const per = PAGE_4K / PAE_ROOT_BYTES;
  return Array.from({ length: per }, (_, i) => page * per + i);
}

/** The guest-physical address of the root named by `key` (the nested walk's first table). */
export function rootAddressOf(key: number, levels: number): number {
  return levels === 3 ? key * PAE_ROOT_BYTES : key * PAGE_4K;
}
