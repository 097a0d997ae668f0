/**
 * The guest kernel's symbol table, dumped from `/proc/kallsyms` over the guest's second
 * serial port (Debian's packaged System.map is a placeholder). It names kernel functions,
 * finds the interrupt and exception entry points (so the recorder can line up `-d int`
 * entries with the instruction stream), and tells which functions write page tables.
 *
 * @module
 */

/** A sorted table of kernel text symbols. */
export class KernelSymbols {
  /** Symbol addresses as signed numbers (kernel addresses are negative), ascending. */
  readonly addrs: Float64Array;
  /** Names, parallel to `addrs`. */
  readonly names: readonly string[];
  readonly #byName = new Map<string, number>();

  /** Builds the table from parallel arrays (sorted here). */
  constructor(entries: { addr: number; name: string }[]) {
    const sorted = [...entries].sort((a, b) => a.addr - b.addr || (a.name < b.name ? -1 : 1));
    this.addrs = Float64Array.from(sorted, (e) => e.addr);
    this.names = sorted.map((e) => e.name);
    for (let i = 0; i < sorted.length; i++) {
      if (!this.#byName.has(sorted[i].name)) this.#byName.set(sorted[i].name, sorted[i].addr);
    }
  }

  /**
   * Parses `/proc/kallsyms` text (`ADDR TYPE NAME [module]` lines); keeps text symbols.
   * A 64-bit kernel's 16-digit addresses are sign-extended; a 32-bit kernel's 8-digit ones
   * go through `map32` (the trace's address convention, e.g. `traceAddress`).
   */
  static parse(text: string, map32: (va: number) => number = (va) => va): KernelSymbols {
    const entries: { addr: number; name: string }[] = [];
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const m = line.match(/^([0-9a-f]{16}|[0-9a-f]{8}) ([tTwW]) (\S+)/);
      if (!m) continue;
      const addr = m[1].length === 16 ? signedHex(m[1]) : map32(parseInt(m[1], 16));
      entries.push({ addr, name: m[3] });
    }
    return new KernelSymbols(entries);
  }

  /** Number of symbols. */
  get size(): number {
    return this.addrs.length;
  }

  /** Address of a named symbol, or undefined. */
  address(name: string): number | undefined {
    return this.#byName.get(name);
  }

  /** Index of the symbol containing `addr` (the last one at or below it), or -1. */
  indexOf(addr: number): number {
    const a = this.addrs;
    let lo = 0;
    let hi = a.length - 1;
    if (hi < 0 || addr < a[0]) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (a[mid] <= addr) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Name of the function containing `addr` (`name+0xoff`), or null. */
  describe(addr: number): string | null {
    const i = this.indexOf(addr);
    if (i < 0) return null;
    const off = addr - this.addrs[i];
    return off === 0 ? this.names[i] : `${this.names[i]}+0x${off.toString(16)}`;
  }

  /** Name of the function containing `addr`, or null. */
  functionAt(addr: number): string | null {
    const i = this.indexOf(addr);
    return i < 0 ? null : this.names[i];
  }
}

/** A 16-digit hex address as a signed number (canonical x86-64 sign extension). */
export function signedHex(hex: string): number {
  const hi = parseInt(hex.slice(0, 8), 16) | 0;
  const lo = parseInt(hex.slice(8, 16), 16);
  return hi * 4294967296 + lo;
}

/**
 * Whether a symbol is an entry point the CPU reaches only through the IDT (so a block
 * starting there marks the delivery of an exception or interrupt). Device interrupts
 * enter through the per-vector stubs from `irq_entries_start` (and
 * `spurious_entries_start`), which jump on to `asm_common_interrupt` (and
 * `asm_spurious_interrupt`): those two are not IDT entries, or one delivery would be
 * seen twice. A 32-bit kernel's INT 0x80 system calls enter at `entry_INT80_32`.
 */
export function isIdtEntry(name: string): boolean {
  return name.startsWith("asm_exc_") || name.startsWith("asm_sysvec_") ||
    name === "entry_INT80_compat" || name === "asm_int80_emulation" ||
    name === "entry_INT80_32";
}

/**
 * Page-table level a function writes, when its name says so: 1 PTE, 2 PMD, 3 PUD, 4 P4D/PGD;
 * 0 for functions that write page tables at several levels or an unknown one; -1 for a
 * function that is not a page-table writer. Leaf setters (`native_set_pte` and friends)
 * only ever store page-table entries; the others (zapping, copying at fork, faults) store
 * other data too, so the converter also checks that the target is a known table page.
 * `change_protection` is listed because the i386 686 kernel inlines `change_pte_range`
 * into it, so mprotect's entry stores would otherwise go unseen on a 32-bit guest.
 */
export function pageTableWriterLevel(name: string): number {
  if (/^(native_)?(set_pte|pte_clear|ptep_|set_pte_at|native_ptep)/.test(name)) return 1;
  if (/^(native_)?(set_pmd|pmd_clear|pmdp_|pmd_populate|set_pmd_at)/.test(name)) return 2;
  if (/^(native_)?(set_pud|pud_clear|pudp_|pud_populate)/.test(name)) return 3;
  if (/^(native_)?(set_p4d|p4d_clear|p4d_populate|set_pgd|pgd_clear|pgd_populate)/.test(name)) {
    return 4;
  }
  if (
    /^(zap_pte_range|copy_pte_range|copy_present_pte|copy_nonpresent_pte|do_anonymous_page|wp_page_copy|do_set_pte|finish_fault|remap_pte_range|change_pte_range|move_ptes|vmf_insert|insert_page|__handle_mm_fault|handle_mm_fault|filemap_map_pages|handle_pte_fault|do_wp_page|set_pte_range|do_swap_page|do_fault|change_protection)/
      .test(name)
  ) return 1;
  if (
    /^(zap_pmd_range|copy_pmd_range|__pte_alloc|pmd_install|free_pte_range|free_pmd_range|change_pmd_range)/
      .test(name)
  ) return 2;
  if (/^(zap_pud_range|copy_pud_range|__pmd_alloc|free_pud_range)/.test(name)) return 3;
  if (
    /^(zap_p4d_range|copy_p4d_range|__pud_alloc|__p4d_alloc|free_p4d_range|free_pgd_range|pgd_alloc|pgd_free|pgd_ctor|unmap_page_range|copy_page_range|free_pgtables)/
      .test(name)
  ) return 4;
  return -1;
}

/** Whether a page-table writer is a leaf setter whose every store is a page-table entry. */
export function isLeafPageTableSetter(name: string): boolean {
  return /^native_(set_p(te|md|ud|4d|gd)|p(te|md|ud)_clear|ptep_|pmdp_)/.test(name);
}

/** Whether a function clears or copies whole pages (a table page cleared here is reused). */
export function isPageClearer(name: string): boolean {
  return /^(clear_page|copy_page|memset|__memset|copy_mc_|kernel_init_pages|clear_highpage)/.test(
    name,
  );
}
