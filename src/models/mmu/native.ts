/**
 * The `native` and `nested` MMU models: hardware translation with no VMM involvement.
 * `native` is the baseline every slowdown is measured against (TLBs plus 1-D walks);
 * `nested` is AMD NPT / Intel EPT: the same TLBs filled by 2-D walks through guest and
 * nested tables, with the page-walk cache and nested TLB of Bhargava et al. (ASPLOS 2008).
 * Neither needs the VMM to see guest page faults, CR3 writes or INVLPG.
 *
 * @module
 */

import type { MmuModel, ModelContext } from "../../engine/model.ts";
import { registerModel } from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";
import type { HardwareTlbFlush } from "./hardware_flush.ts";
import { contextHost } from "./host.ts";
import {
  NESTED_OPTIONS,
  TRANSLATOR_COSTS,
  TRANSLATOR_OPTIONS,
  translatorConfig,
  translatorCosts,
} from "./options.ts";
import { Translator } from "./translator.ts";

/** Hardware-only translation: a {@link Translator} behind the {@link MmuModel} interface. */
export class HardwareMmu implements MmuModel, HardwareTlbFlush {
  /** No guest event needs the VMM. */
  readonly intercepts = 0;
  /** The TLBs and walker. */
  readonly translator: Translator;

  /** Wraps `translator` (1-D for native, 2-D for nested). */
  constructor(translator: Translator) {
    this.translator = translator;
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
}

/** Builds a hardware MMU for a context. */
export function createHardwareMmu(ctx: ModelContext, twoD: boolean): HardwareMmu {
  const host = contextHost(ctx);
  const where = twoD ? "--mmu nested" : "--mmu native";
  const config = translatorConfig(ctx, twoD);
  return new HardwareMmu(new Translator(host, config, translatorCosts(host, config), where));
}

registerModel("mmu", "native", (ctx) => createHardwareMmu(ctx, false), {
  summary: "Native paging: set-associative TLBs, 4-level walks, page-walk cache.",
  options: TRANSLATOR_OPTIONS,
  costs: TRANSLATOR_COSTS,
});
registerModel("mmu", "nested", (ctx) => createHardwareMmu(ctx, true), {
  summary: "Nested paging: 2-D walks (n*m+n+m references), page-walk cache, nested TLB, " +
    "4 KB or 2 MB nested pages.",
  options: { ...TRANSLATOR_OPTIONS, ...NESTED_OPTIONS },
  costs: [...TRANSLATOR_COSTS, "mmu.ntlb.hit", "mmu.ntlb.entries"],
});
