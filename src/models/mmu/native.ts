/**
 * The `native` and `nested` MMU models: hardware translation with no VMM involvement.
 * `native` is the baseline every slowdown is measured against (TLBs plus 1-D walks);
 * `nested` is AMD NPT / Intel EPT: the same TLBs filled by 2-D walks through guest and
 * nested tables, with the page-walk cache and nested TLB of Bhargava et al. (ASPLOS 2008).
 * Neither needs the VMM to see guest page faults, CR3 writes or INVLPG.
 *
 * @module
 */

import type { MmuModel, ModelContext, ModelDescription } from "../../engine/model.ts";
import { registerModel } from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";
import type { HardwareTlbFlush } from "./hardware_flush.ts";
import { contextHost } from "./host.ts";
import { translatorConfig, translatorCosts } from "./options.ts";
import { Translator } from "./translator.ts";
import { HIERARCHY_OPTIONS } from "../memory/hierarchy_config.ts";

/** Option keys shared by every MMU model (documented in docs/mmu.md). */
export const TRANSLATOR_OPTIONS: Readonly<Record<string, string>> = {
  "mmu.levels": "guest paging levels (default: trace header, else 4)",
  "mmu.l1-entries": "L1 data TLB entries (default: platform tlb.l1d.entries)",
  "mmu.l1-ways": "L1 TLB ways, 0 = fully associative (default: platform tlb.l1d.ways)",
  "mmu.l2-entries": "L2 TLB entries, 0 = none (default: platform tlb.l2.entries)",
  "mmu.l2-ways": "L2 TLB ways (default: platform tlb.l2.ways)",
  "mmu.asid": "tag user TLB entries per address space (ASID/PCID/VPID) (default false)",
  "mmu.asids": "number of tags when mmu.asid (default: platform tlb.asids)",
  "mmu.global-kernel": "kernel-half entries are global and survive CR3 writes (default true)",
  "mmu.large-pages":
    "none|kernel|all guest 2 MB pages (default kernel if the trace lists 2 MB pages)",
  "mmu.pwc": "none|1d|2d page-walk cache contents (default 1d; nested: 2d)",
  "mmu.pwc-entries": "page-walk cache entries (default: platform mmu.pwc.entries)",
  "mmu.guest-pages": "guest memory in 4 KB pages where derived tables are placed (default 2^20)",
  "mmu.cache":
    "walk references compete with data in a modelled L2 (default false; only with cache.hierarchy=false, the hierarchy subsumes it)",
  "mmu.cache-lines": "modelled L2 lines (default: platform cache.l2.lines)",
  "mmu.cache-ways": "modelled L2 ways (default: platform cache.l2.ways)",
  ...HIERARCHY_OPTIONS,
};

/** Platform keys read by the translator. */
export const TRANSLATOR_COSTS: readonly string[] = [
  "mmu.tlb.l2-hit",
  "mmu.walk.ref",
  "mmu.pwc.hit",
  "tlb.l1d.entries",
  "tlb.l1d.ways",
  "tlb.l2.entries",
  "tlb.l2.ways",
  "mmu.pwc.entries",
];

/** Hardware-only translation: a {@link Translator} behind the {@link MmuModel} interface. */
export class HardwareMmu implements MmuModel, HardwareTlbFlush {
  /** No guest event needs the VMM. */
  readonly intercepts = 0;
  /** The TLBs and walker. */
  readonly translator: Translator;
  readonly #nested: boolean;

  /** Wraps `translator` (1-D for native, 2-D for nested). */
  constructor(translator: Translator) {
    this.translator = translator;
    this.#nested = translator.config.twoD;
  }

  /** Translates; an L1 TLB hit costs nothing. */
  access(vaddr: number, paddr: number, _size: number, _flags: number): void {
    this.translator.translate(vaddr, paddr);
  }

  /** Loads the new root: untagged TLBs and the PWC flush; nested TLB entries survive. */
  switchRoot(cr3: number): void {
    this.translator.setRoot(cr3);
  }

  /** Drops the page's TLB entries. */
  invlpg(vaddr: number): void {
    this.translator.invlpg(vaddr);
  }

  /** A plain store: the hardware reads guest tables directly. */
  ptWrite(_rec: TraceRecord): void {}

  /** Delivered by the hardware to the guest; the CPU model charges delivery. */
  pageFault(_rec: TraceRecord): boolean {
    return false;
  }

  /** Full TLB flush. */
  flush(): void {
    this.translator.flush();
  }

  /** A VM transition without VPID emptied the TLBs and PWC (the nested TLB survives). */
  flushHardwareTlb(): void {
    this.translator.flush();
  }

  /** Nothing to add. */
  finish(): void {}

  /** Documentation. */
  describe(): ModelDescription {
    return this.#nested
      ? {
        summary:
          "Nested paging: 2-D walks (n*m+n+m references), page-walk cache, nested TLB, 4 KB or 2 MB nested pages.",
        options: {
          ...TRANSLATOR_OPTIONS,
          "mmu.nested-levels": "nested paging levels (default 4)",
          "mmu.nested-page-size": "4096 or 2097152 (default 4096)",
          "mmu.ntlb-entries": "nested TLB entries, 0 = none (default: platform mmu.ntlb.entries)",
        },
        costs: [...TRANSLATOR_COSTS, "mmu.ntlb.hit", "mmu.ntlb.entries"],
      }
      : {
        summary: "Native paging: set-associative TLBs, 4-level walks, page-walk cache.",
        options: TRANSLATOR_OPTIONS,
        costs: [...TRANSLATOR_COSTS],
      };
  }
}

/** Builds a hardware MMU for a context. */
export function createHardwareMmu(ctx: ModelContext, twoD: boolean): HardwareMmu {
  const host = contextHost(ctx);
  const where = twoD ? "--mmu nested" : "--mmu native";
  const config = translatorConfig(ctx, twoD);
  return new HardwareMmu(new Translator(host, config, translatorCosts(host, config), where));
}

registerModel("mmu", "native", (ctx) => createHardwareMmu(ctx, false));
registerModel("mmu", "nested", (ctx) => createHardwareMmu(ctx, true));
