/**
 * A worked example of a user model (docs/models.md): a direct-mapped TLB MMU, loaded
 * without editing the engine:
 *
 *     deno task vmmlab replay TRACE --model docs/example_model.ts --mmu direct-mapped-tlb
 *
 * It shows the whole contract: read costs from the platform once (never constants), declare
 * options once and read them typed, register categories and counters at construction, charge
 * `ctx.cycles[id]` and count `ctx.events[id]` in the hot path without allocating, and
 * register a name. A file outside this repository imports the same names from vmmlab's
 * `mod.ts` instead of the relative path.
 *
 * @module
 */

import { type MmuModel, type ModelContext, registerModel } from "../src/engine/model.ts";
import { declareOptions, optionError, readOptions } from "../src/engine/options.ts";
import type { TraceRecord } from "../src/trace/record.ts";
import { PAGE_SIZE } from "../src/trace/page.ts";

/**
 * The example's options, declared once: `readOptions` checks and types them, and
 * `vmmlab models` lists them from the same declaration.
 */
export const EXAMPLE_OPTIONS = declareOptions({
  "example.tlb-entries": {
    type: "integer",
    default: 32,
    min: 1,
    max: 1 << 20,
    unit: "entries",
    doc: "TLB entries, a power of two",
  },
});

/** A direct-mapped, untagged TLB: a miss walks the 4-level table at `mmu.walk.ref` per level. */
export class DirectMappedTlb implements MmuModel {
  /** Native hardware translation: the VMM never needs to see a guest event. */
  readonly intercepts: number = 0;
  readonly #ctx: ModelContext;
  readonly #tags: Float64Array;
  readonly #mask: number;
  readonly #walk: number;
  readonly #catWalk: number;
  readonly #evMiss: number;
  readonly #evFlush: number;

  /** Reads `example.tlb-entries` (a power of two, default 32) and the platform's `mmu.walk.ref`. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    const entries = readOptions(ctx.options, EXAMPLE_OPTIONS)["example.tlb-entries"];
    if ((entries & (entries - 1)) !== 0) {
      throw optionError("example.tlb-entries", `must be a power of two, not ${entries}`);
    }
    this.#tags = new Float64Array(entries).fill(-1);
    this.#mask = entries - 1;
    this.#walk = 4 * ctx.platform.cost("mmu.walk.ref");
    this.#catWalk = ctx.category("example.walk");
    this.#evMiss = ctx.counter("example.tlb-misses");
    this.#evFlush = ctx.counter("example.tlb-flushes");
  }

  /** Looks the page up in its one slot; a miss walks and refills the slot. */
  access(vaddr: number, _paddr: number, _size: number, _flags: number): void {
    const page = Math.floor(vaddr / PAGE_SIZE);
    const slot = page & this.#mask;
    if (this.#tags[slot] === page) return;
    this.#tags[slot] = page;
    this.#ctx.cycles[this.#catWalk] += this.#walk;
    this.#ctx.events[this.#evMiss] += 1;
  }

  /** An untagged TLB forgets everything on an address-space switch. */
  switchRoot(_cr3: number): void {
    this.flush();
  }

  /** Drops the page's slot if it holds the page. */
  invlpg(vaddr: number): void {
    const page = Math.floor(vaddr / PAGE_SIZE);
    if (this.#tags[page & this.#mask] === page) this.#tags[page & this.#mask] = -1;
  }

  /** The hardware reads the guest's tables directly: nothing to do. */
  ptWrite(_rec: TraceRecord): void {}

  /** Delivered by the hardware; the CPU model charges delivery. */
  pageFault(_rec: TraceRecord): boolean {
    return false;
  }

  /** Empties the TLB. */
  flush(): void {
    this.#tags.fill(-1);
    this.#ctx.events[this.#evFlush] += 1;
  }

  /** Nothing to add at the end. */
  finish(): void {}
}

registerModel("mmu", "direct-mapped-tlb", (ctx) => new DirectMappedTlb(ctx), {
  summary: "Example: a direct-mapped, untagged TLB with 4-level walks.",
  options: EXAMPLE_OPTIONS,
  costs: ["mmu.walk.ref"],
});
