/**
 * Minimal baseline models for the families other helpers own (`mmu native`,
 * `memory none`, `io native`), registered as fallbacks so the engine runs end to end
 * before the full models land; a full model registered under the same name replaces
 * them (see `registerModel`'s `fallback` option).
 *
 * @module
 */

import type { IoModel, MemoryModel, MmuModel, ModelContext, ModelDescription } from "./model.ts";
import { registerModel } from "./model.ts";
import type { TraceRecord } from "../trace/record.ts";

/** Native MMU placeholder: translation costs are folded into the platform CPI. */
export class FallbackNativeMmu implements MmuModel {
  /** Native paging needs no VMM. */
  readonly intercepts: number = 0;
  /** Folded into CPI. */
  access(_v: number, _p: number, _s: number, _f: number): void {}
  /** Nothing to switch. */
  switchRoot(_cr3: number): void {}
  /** Nothing to invalidate. */
  invlpg(_vaddr: number): void {}
  /** A plain store. */
  ptWrite(_rec: TraceRecord): void {}
  /** The hardware delivers it; the CPU model charges delivery. */
  pageFault(_rec: TraceRecord): boolean {
    return false;
  }
  /** Nothing cached. */
  flush(): void {}
  /** Nothing to add. */
  finish(): void {}
  /** Documentation. */
  describe(): ModelDescription {
    return { summary: "Placeholder native MMU: translation folded into CPI." };
  }
}

/** The `none` memory model: the VM's memory is simply there. */
export class FallbackNoMemory implements MemoryModel {
  /** Ignored. */
  marker(_rec: TraceRecord): void {}
  /** Ignored. */
  pageHash(_rec: TraceRecord): void {}
  /** Nothing to add. */
  finish(): void {}
  /** Documentation. */
  describe(): ModelDescription {
    return { summary: "No memory resource management." };
  }
}

/** Native I/O placeholder: each port or MMIO access costs the platform's device latency. */
export class FallbackNativeIo implements IoModel {
  readonly #ctx: ModelContext;
  readonly #pio: number;
  readonly #mmio: number;
  readonly #cat: number;

  /** Reads `io.native.pio` and `io.native.mmio`. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    this.#pio = ctx.platform.cost("io.native.pio");
    this.#mmio = ctx.platform.cost("io.native.mmio");
    this.#cat = ctx.category("io.device");
  }
  /** Device latency of a port access. */
  pio(_rec: TraceRecord): void {
    this.#ctx.cycles[this.#cat] += this.#pio;
  }
  /** Device latency of an MMIO access. */
  mmio(_rec: TraceRecord): void {
    this.#ctx.cycles[this.#cat] += this.#mmio;
  }
  /** DMA runs beside the CPU. */
  dma(_rec: TraceRecord): void {}
  /** Charged through its port and MMIO accesses. */
  blockRequest(_rec: TraceRecord): void {}
  /** Charged through its port and MMIO accesses. */
  netRequest(_rec: TraceRecord): void {}
  /** Delivery is the CPU model's. */
  interrupt(_rec: TraceRecord): void {}
  /** Nothing to add. */
  finish(): void {}
  /** Documentation. */
  describe(): ModelDescription {
    return {
      summary: "Placeholder native I/O: device latency per access.",
      costs: ["io.native.pio", "io.native.mmio"],
    };
  }
}

registerModel("mmu", "native", () => new FallbackNativeMmu(), { fallback: true });
registerModel("memory", "none", () => new FallbackNoMemory(), { fallback: true });
registerModel("io", "native", (ctx) => new FallbackNativeIo(ctx), { fallback: true });
