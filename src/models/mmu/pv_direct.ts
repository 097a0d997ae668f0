/**
 * The `pv-direct` MMU model: Xen-style direct paging (Barham et al., SOSP 2003). The
 * hardware walks the guest's own tables, so there are no shadow tables and no hidden
 * faults; the guest maps its tables read-only and asks the VMM to validate and apply every
 * page-table update, batching them into one hypercall of up to `mmu.pv-batch` updates
 * (Xen allows at most 2048 per call). A new root is pinned (validated) once; later
 * switches to it only load it. Page faults enter the VMM first, which bounces them to the
 * guest: the bounce is the CPU model's (`pv.exception.pf`); `mmu.pv.fault` is any fault
 * work of direct paging beyond it (0 in the built-in profiles, so the bounce is not
 * charged twice).
 *
 * When a batch is sent: when it is full, and before anything that depends on the updates
 * having been applied — a CR3 write, an INVLPG, a page fault, a full flush, the guest
 * returning to user mode (the first access at CPL 3), and the end of the trace.
 *
 * A write to an upper-level entry whose new value (when the trace knows it) points to a
 * page not validated before makes the VMM validate that whole new table
 * (`mmu.pv.pin-table`).
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
import { FLAG_VALUE_KNOWN, type TraceRecord } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { PAGE_4K, rootKeyOf } from "./geometry.ts";
import { contextHost, type MmuHost } from "./host.ts";
import { checkDefault, declareOptions, optionError, readOptions } from "../../engine/options.ts";
import {
  TRANSLATOR_COSTS,
  TRANSLATOR_OPTIONS,
  translatorConfig,
  translatorCosts,
} from "./options.ts";
import { Translator } from "./translator.ts";

/** VMM work of direct paging, in cycles (transitions for CR3/INVLPG/faults are the CPU model's). */
export interface PvDirectCosts {
  /** Validating and applying one page-table update inside a batch. */
  validate: number;
  /** Validating a whole newly referenced page-table page (pinning it). */
  pinTable: number;
  /** Loading a new root that is already pinned. */
  switchRoot: number;
  /** VMM page-fault work of direct paging beyond the CPU model's bounce (`pv.exception.pf`). */
  fault: number;
}

/** Paravirtual direct paging over a hardware {@link Translator}. */
export class PvDirectMmu implements MmuModel {
  /** Page faults enter the VMM first; CR3 writes and INVLPG are hypercalls. */
  readonly intercepts = INTERCEPT_PAGE_FAULT | INTERCEPT_CR3 | INTERCEPT_INVLPG;
  /** The hardware TLBs and walker (walking the guest's own tables). */
  readonly translator: Translator;
  readonly #host: MmuHost;
  readonly #costs: PvDirectCosts;
  readonly #batch: number;
  #pending = 0;
  #pendingPc = 0;
  /** Pages validated as page tables (pinned roots and tables). */
  readonly #validated = new Set<number>();
  readonly #cat: { update: number; switchRoot: number; fault: number };
  readonly #ev: { updates: number; batches: number; pins: number; faults: number };

  /** Creates a direct-paging MMU sending batches of at most `batch` updates. */
  constructor(host: MmuHost, translator: Translator, costs: PvDirectCosts, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) {
      throw new ConfigError("--mmu pv-direct", "batch must be a positive integer", "mmu.pv-batch");
    }
    this.#host = host;
    this.translator = translator;
    this.#costs = costs;
    this.#batch = batch;
    this.#cat = {
      update: host.category("mmu.pv.update"),
      switchRoot: host.category("mmu.pv.switch"),
      fault: host.category("mmu.pv.fault"),
    };
    this.#ev = {
      updates: host.counter("mmu.pv.updates"),
      batches: host.counter("mmu.pv.batches"),
      pins: host.counter("mmu.pv.pinned-tables"),
      faults: host.counter("mmu.true-faults"),
    };
  }

  /** Updates queued and not yet sent. */
  get pending(): number {
    return this.#pending;
  }

  /** Sends the queued updates as one hypercall. */
  #send(): void {
    const n = this.#pending;
    if (n === 0) return;
    const host = this.#host;
    this.#pending = 0;
    host.events[this.#ev.batches]++;
    host.transition(Transition.Hypercall, this.#pendingPc);
    host.cycles[this.#cat.update] += n * this.#costs.validate;
  }

  /** Translates through the guest tables; leaving the kernel sends queued updates first. */
  access(vaddr: number, paddr: number, _size: number, _flags: number): void {
    if (this.#pending !== 0 && this.#host.guest.cpl === 3) this.#send();
    this.translator.translate(vaddr, paddr);
  }

  /** CR3 write (a hypercall the CPU model charged): send updates, pin a new root, load it. */
  switchRoot(cr3: number): void {
    this.#send();
    const host = this.#host;
    const page = rootKeyOf(cr3, this.translator.config.levels);
    let c = this.#costs.switchRoot;
    if (!this.#validated.has(page)) {
      this.#validated.add(page);
      host.events[this.#ev.pins]++;
      c += this.#costs.pinTable;
    }
    host.cycles[this.#cat.switchRoot] += c;
    this.translator.setRoot(cr3);
  }

  /** INVLPG (a hypercall the CPU model charged): send updates, drop the TLB entry. */
  invlpg(vaddr: number): void {
    this.#send();
    this.translator.invlpg(vaddr);
  }

  /** A page-table update: queued for validation; a full batch is sent. */
  ptWrite(rec: TraceRecord): void {
    const host = this.#host;
    host.events[this.#ev.updates]++;
    if (this.#pending === 0) this.#pendingPc = rec.pc;
    this.#pending++;
    if (rec.level >= 2 && (rec.flags & FLAG_VALUE_KNOWN) !== 0 && rec.value !== 0) {
      const child = Math.floor(rec.value / PAGE_4K) % 2 ** 40;
      if (!this.#validated.has(child)) {
        this.#validated.add(child);
        host.events[this.#ev.pins]++;
        host.cycles[this.#cat.update] += this.#costs.pinTable;
      }
    }
    if (this.#pending >= this.#batch) this.#send();
  }

  /** A page fault enters the VMM, which bounces it to the guest. */
  pageFault(_rec: TraceRecord): boolean {
    this.#send();
    const host = this.#host;
    host.events[this.#ev.faults]++;
    host.cycles[this.#cat.fault] += this.#costs.fault;
    return true;
  }

  /** Full flush: send updates, flush TLBs. */
  flush(): void {
    this.#send();
    this.translator.flush();
  }

  /** Sends the last batch. */
  finish(): void {
    this.#send();
  }
}

/** Platform keys of direct paging's VMM work. */
export const PV_COST_KEYS: readonly string[] = [
  "mmu.pv.validate",
  "mmu.pv.pin-table",
  "mmu.pv.switch",
  "mmu.pv.fault",
];

/** Builds the direct-paging MMU for a context. */
export function createPvDirectMmu(ctx: ModelContext): PvDirectMmu {
  const host = contextHost(ctx);
  const decl = PV_DIRECT_OPTIONS["mmu.pv-batch"];
  const p = ctx.platform;
  const max = checkDefault(decl, p.param("mmu.pv.max-batch"), p.origin, "entries.mmu.pv.max-batch");
  const batch = readOptions(ctx.options, PV_DIRECT_OPTIONS)["mmu.pv-batch"] ?? max;
  if (batch > max) {
    throw optionError(
      "mmu.pv-batch",
      `must be at most platform mmu.pv.max-batch (${max}), not ${batch}`,
    );
  }
  const config = translatorConfig(ctx, false);
  const translator = new Translator(
    host,
    config,
    translatorCosts(host, config),
    "--mmu pv-direct",
  );
  return new PvDirectMmu(host, translator, {
    validate: host.cost("mmu.pv.validate"),
    pinTable: host.cost("mmu.pv.pin-table"),
    switchRoot: host.cost("mmu.pv.switch"),
    fault: host.cost("mmu.pv.fault"),
  }, batch);
}

/** The options only direct paging reads (besides the translator's). */
export const PV_DIRECT_OPTIONS = declareOptions({
  "mmu.pv-batch": {
    type: "integer",
    min: 1,
    max: 1 << 20,
    defaultDoc: "platform mmu.pv.max-batch, also its maximum",
    doc: "page-table updates per hypercall",
  },
});

registerModel("mmu", "pv-direct", createPvDirectMmu, {
  summary: "Paravirtual direct paging: guest tables walked by hardware, updates validated by " +
    "the VMM in batches.",
  options: { ...TRANSLATOR_OPTIONS, ...PV_DIRECT_OPTIONS },
  costs: [...TRANSLATOR_COSTS, ...PV_COST_KEYS, "mmu.pv.max-batch"],
});
