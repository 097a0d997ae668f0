/**
 * Content-based page sharing (Waldspurger, OSDI 2002, section 4): pages of any VM whose
 * contents hash alike are backed by one machine frame, copy-on-write; a write to a shared
 * page breaks the sharing (the VMM copies the frame into a private one).
 *
 * The trace supplies page contents as `PageHash` snapshots (guest-physical page, 64-bit
 * content hash, VM index). Every hashed page is looked up in a table of content groups;
 * a page whose content matches another page's joins its group. A later hash of the same
 * page with different content moves it to its new group (its sharing was broken by a
 * write between snapshots). Content keys keep 53 of the 64 hash bits (exact in a double;
 * a false match among a million pages has probability about 2^-14 / 1e0 — negligible
 * beside the hash itself being a stand-in for a full-page compare).
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** Totals of the sharing state (pages are 4 KB guest pages). */
export interface SharingStats {
  /** Distinct (VM, page) pairs hashed and still tracked. */
  pages: number;
  /** Machine frames those pages need (one per content group). */
  frames: number;
  /** Pages backed by a frame shared with at least one other page. */
  sharedPages: number;
  /** Pages reclaimed by sharing: pages − frames. */
  savedPages: number;
  /** Pages whose content is the zero page (when the zero hash is known). */
  zeroPages: number;
  /** Copy-on-write breaks so far (writes to shared pages, and content changes between snapshots of shared pages). */
  cowBreaks: number;
}

const TWO32 = 4294967296;

/** The exact numeric key of a 64-bit content hash (53 of its bits). */
export function contentKey(hashHi: number, hashLo: number): number {
  return (hashHi & 0x1fffff) * TWO32 + (hashLo >>> 0);
}

/** Page-sharing state across VMs. */
export class PageSharing {
  /** (vm, page) → content key; private (unhashed-since-write) pages have negative keys. */
  readonly #content = new Map<number, number>();
  /** content key → number of pages with that content. */
  readonly #groups = new Map<number, number>();
  readonly #zeroKey: number | null;
  #shared = 0;
  #zero = 0;
  #cowBreaks = 0;
  #nextPrivate = -1;

  /**
   * Creates an empty sharing table. `zeroHash` (hi, lo) identifies the all-zero page's
   * hash, when the recorder says which it is, so zero pages can be reported.
   */
  constructor(zeroHash: readonly [number, number] | null = null) {
    this.#zeroKey = zeroHash ? contentKey(zeroHash[0], zeroHash[1]) : null;
  }

  /** The (vm, page) key; VM indexes below 4096, pages below 2^40. */
  static pageKey(vm: number, page: number): number {
    if (!(vm >= 0 && vm < 4096)) {
      throw new ConfigError("page sharing", `VM index ${vm} out of range`);
    }
    return vm * 2 ** 40 + page;
  }

  #join(key: number): void {
    const n = (this.#groups.get(key) ?? 0) + 1;
    this.#groups.set(key, n);
    if (n === 2) this.#shared += 2;
    else if (n > 2) this.#shared += 1;
    if (key === this.#zeroKey) this.#zero++;
  }

  /** Removes one page from group `key`; returns whether the page had been shared. */
  #leave(key: number): boolean {
    if (key < 0) return false;
    const n = this.#groups.get(key)!;
    if (n === 1) this.#groups.delete(key);
    else this.#groups.set(key, n - 1);
    if (n === 2) this.#shared -= 2;
    else if (n > 2) this.#shared -= 1;
    if (key === this.#zeroKey) this.#zero--;
    return n >= 2;
  }

  /**
   * Records the content of guest page `page` of VM `vm`. Returns 1 if the page now shares
   * a frame with another page, 0 otherwise.
   */
  hash(vm: number, page: number, hashHi: number, hashLo: number): number {
    const pk = PageSharing.pageKey(vm, page);
    const key = contentKey(hashHi, hashLo);
    const old = this.#content.get(pk);
    if (old === key) return this.#groups.get(key)! >= 2 ? 1 : 0;
    if (old !== undefined && this.#leave(old)) this.#cowBreaks++;
    this.#content.set(pk, key);
    this.#join(key);
    return this.#groups.get(key)! >= 2 ? 1 : 0;
  }

  /** Whether (vm, page) currently shares its frame. */
  isShared(vm: number, page: number): boolean {
    const key = this.#content.get(PageSharing.pageKey(vm, page));
    return key !== undefined && key >= 0 && this.#groups.get(key)! >= 2;
  }

  /**
   * A guest store to (vm, page). A shared page takes a copy-on-write break (returns true);
   * any written page's content is private until it is hashed again.
   */
  write(vm: number, page: number): boolean {
    const pk = PageSharing.pageKey(vm, page);
    const key = this.#content.get(pk);
    if (key === undefined || key < 0) return false;
    const wasShared = this.#leave(key);
    this.#content.set(pk, this.#nextPrivate--);
    if (wasShared) this.#cowBreaks++;
    return wasShared;
  }

  /** Current totals. */
  stats(): SharingStats {
    const pages = this.#content.size;
    let privatePages = 0;
    // Private pages (negative keys) are counted in pages and need a frame each.
    for (const k of this.#content.values()) if (k < 0) privatePages++;
    const frames = this.#groups.size + privatePages;
    return {
      pages,
      frames,
      sharedPages: this.#shared,
      savedPages: pages - frames,
      zeroPages: this.#zero,
      cowBreaks: this.#cowBreaks,
    };
  }
}
