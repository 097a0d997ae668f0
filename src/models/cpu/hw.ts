/**
 * The `hw` CPU model: hardware-assisted virtualization (Intel VT-x, AMD-V). The guest,
 * kernel included, runs directly in guest mode; an event in the configured exiting set
 * causes a VM exit to the VMM, which handles it and resumes the guest with a VM entry.
 * Each exit costs (Adams & Agesen 2006, Table 1 and section 7.1):
 *
 *   `hw.vm-exit[.<reason>]` + `hw.vm-entry`
 *   + `hw.vmcb-reads[.<reason>]` × `hw.vmcb-read` + `hw.vmcb-writes[.<reason>]` × `hw.vmcb-write`
 *   + `hw.handler[.<reason>]` (the VMM's software for that exit reason)
 *
 * An exception the VMM intercepts is injected back into the guest (`hw.inject`) and then
 * delivered by the hardware through the guest IDT (`native.exception[.<vector>]`);
 * every exception delivered in guest mode also pays `hw.guest.exception`. Sensitive
 * instructions outside the exiting set run in guest mode at `hw.guest.<class>` when the
 * profile gives one (a CR8 write with TPR shadowing) or else their native cost.
 *
 * The exiting set is `hw.exits` (option; default {@link DEFAULT_EXITS}) plus what the MMU
 * model needs: shadow paging adds CR3 writes, INVLPG and page faults; nested paging adds
 * nothing. External interrupts always exit (the VMM owns the physical interrupts).
 *
 * Without tagged guest TLB entries (platform `hw.vpid` = 0: VT-x before VPID, as on the
 * Pentium 4 and Core 2), every VM exit/entry pair flushes the hardware TLB, global
 * entries included (Intel SDM vol. 3, "Operations that invalidate cached mappings"); the
 * guest then refills it through walks that the MMU model charges. With VPID or AMD's
 * ASIDs (`hw.vpid` = 1) the TLB survives exits. Option `hw.vpid=true|false` overrides.
 *
 * @module
 */

import { ERA_OPTIONS } from "./era.ts";
import {
  type CpuModel,
  INTERCEPT_CR3,
  INTERCEPT_INVLPG,
  INTERCEPT_PAGE_FAULT,
  type ModelContext,
  registerModel,
  Transition,
  TRANSITION_COUNT,
  TRANSITION_NAMES,
} from "../../engine/model.ts";
import type { MemoryHierarchy } from "../memory/hierarchy.ts";
import { SensitiveOp, type TraceRecord } from "../../trace/record.ts";
import { declareOptions, optionError, readOptions } from "../../engine/options.ts";
import { type HardwareTlbFlush, hardwareTlbOf } from "../mmu/hardware_flush.ts";
import { CODE_COST_KEYS, CodeCosts } from "./code_costs.ts";
import { ClassCounters, vectorTable } from "./native.ts";
import { CLASS_REASON, reasonIds, reasonTable } from "./reasons.ts";
import {
  CLASS_COUNT,
  classByName,
  className,
  classTable,
  CR_WRITE_BASE,
  isIoClass,
  sensitiveClass,
} from "./sensitive_class.ts";

/**
 * Default exiting set: the instructions VT-x always exits on (CPUID, INVD, XSETBV), and
 * those a VMM of the time configured to exit (HLT, MSR accesses, CR0/CR4 writes, debug
 * registers, MONITOR/MWAIT, WBINVD, VMCALL). RDTSC runs with TSC offsetting and CR8 with
 * TPR shadowing, so neither exits.
 */
export const DEFAULT_EXITS: readonly string[] = [
  "cpuid",
  "invd",
  "xsetbv",
  "hlt",
  "rdmsr",
  "wrmsr",
  "cr0-write",
  "cr4-write",
  "mov-dr",
  "monitor",
  "mwait",
  "wbinvd",
  "vmcall",
];

/** Hardware assist: direct execution with VM exits for a configurable set of events. */
export class HwCpu implements CpuModel {
  /** The set's caches: a VMM entry runs its handler's footprint through them. */
  readonly #caches: MemoryHierarchy | null;
  readonly #ctx: ModelContext;
  readonly #code: CodeCosts;
  readonly #exits = new Uint8Array(CLASS_COUNT);
  readonly #exitVectors = new Uint8Array(256);
  readonly #configured: string[];
  readonly #exitCost: Float64Array;
  readonly #guestCost: Float64Array;
  readonly #nativeExc: Float64Array;
  readonly #inject: number;
  readonly #nativeIntr: number;
  readonly #cInterrupt: number;
  readonly #guestExc: number;
  readonly #rep: number;
  readonly #cExec: number;
  readonly #cGuest: number;
  readonly #cException: number;
  readonly #cInject: number;
  readonly #cExit: Int32Array;
  readonly #eExit: Int32Array;
  readonly #eExits: number;
  readonly #eClass: ClassCounters;
  readonly #eInjections: number;
  readonly #vpid: boolean;
  readonly #eFlushes: number;
  #tlb: HardwareTlbFlush | null = null;

  /** Reads `hw.*` costs and the `hw.exits` option. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    this.#caches = ctx.caches ?? null;
    const p = ctx.platform;
    this.#code = CodeCosts.of(ctx);
    const o = readOptions(ctx.options, HW_OPTIONS);
    this.#configured = [...o["hw.exits"]];
    const names = classByName();
    for (const n of this.#configured) {
      const m = /^vector:(\d+)$/.exec(n);
      if (m && Number(m[1]) < 256) {
        this.#exitVectors[Number(m[1])] = 1;
        continue;
      }
      const c = names.get(n);
      if (c === undefined) {
        throw optionError("hw.exits", `unknown exit "${n}" (a sensitive class or vector:N)`);
      }
      this.#exits[c] = 1;
    }
    const entry = p.cost("hw.vm-entry");
    const read = p.cost("hw.vmcb-read");
    const write = p.cost("hw.vmcb-write");
    const handler = reasonTable(ctx, "hw.handler");
    this.#exitCost = new Float64Array(TRANSITION_COUNT);
    for (let r = 0; r < TRANSITION_COUNT; r++) {
      const name = TRANSITION_NAMES[r];
      const reads = p.costOf(`hw.vmcb-reads.${name}`, "hw.vmcb-reads");
      const writes = p.costOf(`hw.vmcb-writes.${name}`, "hw.vmcb-writes");
      // A profile may price the hardware exit per reason; the published figure (Adams &
      // Agesen's Table 1) is a page-fault exit, which the profiles use for every reason.
      const exitHw = p.costOf(`hw.vm-exit.${name}`, "hw.vm-exit");
      this.#exitCost[r] = exitHw + entry + reads * read + writes * write + handler[r];
    }
    this.#guestCost = new Float64Array(CLASS_COUNT);
    const native = classTable(p, "native.sensitive", "native.sensitive");
    for (let c = 0; c < CLASS_COUNT; c++) {
      const key = `hw.guest.${className(c)}`;
      this.#guestCost[c] = p.has(key) ? p.cost(key) : native[c];
    }
    this.#nativeExc = vectorTable(ctx, "native.exception");
    this.#inject = p.cost("hw.inject");
    this.#nativeIntr = p.cost("native.interrupt");
    this.#cInterrupt = ctx.category("guest.interrupt");
    this.#guestExc = p.cost("hw.guest.exception");
    this.#rep = p.cost("native.rep-iteration");
    this.#cExec = ctx.category("guest.exec");
    this.#cGuest = ctx.category("guest.sensitive");
    this.#cException = ctx.category("guest.exception");
    this.#cInject = ctx.category("hw.inject");
    this.#cExit = reasonIds(ctx, "hw.exit", "category");
    this.#eExit = reasonIds(ctx, "exits", "counter");
    this.#eExits = ctx.counter("exits.total");
    this.#eClass = new ClassCounters(ctx, "sensitive");
    this.#eInjections = ctx.counter("hw.injections");
    this.#vpid = o["hw.vpid"] ?? p.param("hw.vpid") !== 0;
    this.#eFlushes = this.#vpid ? -1 : ctx.counter("hw.tlb-flushes");
  }

  /** Adds the exits the MMU technique needs (shadow paging: CR3 writes, INVLPG, #PF). */
  start(): void {
    const need = this.#ctx.mmu.intercepts;
    if (need & INTERCEPT_CR3) this.#exits[CR_WRITE_BASE + 3] = 1;
    if (need & INTERCEPT_INVLPG) {
      this.#exits[SensitiveOp.Invlpg] = 1;
      this.#exits[SensitiveOp.Invpcid] = 1;
    }
    if (need & INTERCEPT_PAGE_FAULT) this.#exitVectors[14] = 1;
    if (!this.#vpid) this.#tlb = hardwareTlbOf(this.#ctx.mmu);
  }

  /** Direct execution in guest mode. */
  exec(block: number, count: number): void {
    this.#ctx.cycles[this.#cExec] += this.#code.plain(block, count);
  }

  /** Exits when the class is in the exiting set; otherwise runs in guest mode. */
  sensitive(rec: TraceRecord): void {
    const cls = sensitiveClass(rec.op, rec.reg);
    this.#eClass.count(cls);
    if (isIoClass(cls)) return;
    if (this.#exits[cls] !== 0) this.vmmTransition(CLASS_REASON[cls], rec.pc);
    else this.#ctx.cycles[this.#cGuest] += this.#guestCost[cls];
  }

  /** Intercepted vectors exit and are injected; all are delivered through the guest IDT. */
  exception(rec: TraceRecord): void {
    const ctx = this.#ctx;
    const v = rec.vector & 255;
    if (this.#exitVectors[v] !== 0) {
      this.vmmTransition(v === 14 ? Transition.PageFault : Transition.Exception, rec.pc);
      ctx.cycles[this.#cInject] += this.#inject;
      ctx.events[this.#eInjections] += 1;
    }
    ctx.cycles[this.#cException] += this.#nativeExc[v] + this.#guestExc;
  }

  /** External interrupts exit; the VMM injects a virtual one, delivered through the guest IDT. */
  interrupt(rec: TraceRecord): void {
    this.vmmTransition(Transition.Interrupt, rec.pc);
    this.#ctx.cycles[this.#cInject] += this.#inject;
    this.#ctx.events[this.#eInjections] += 1;
    this.#ctx.cycles[this.#cInterrupt] += this.#nativeIntr;
  }

  /** String instructions run in guest mode. */
  repString(rec: TraceRecord): void {
    this.#ctx.cycles[this.#cExec] += rec.count * this.#rep;
  }

  /** One VM exit, its handler, and the VM entry back (flushing an untagged TLB). */
  vmmTransition(reason: number, _pc: number): void {
    if (reason < 0 || reason >= TRANSITION_COUNT) return;
    const ctx = this.#ctx;
    this.#caches?.vmmEntry(reason);
    ctx.cycles[this.#cExit[reason]] += this.#exitCost[reason];
    ctx.events[this.#eExit[reason]] += 1;
    ctx.events[this.#eExits] += 1;
    if (this.#tlb !== null) {
      this.#tlb.flushHardwareTlb();
      ctx.events[this.#eFlushes] += 1;
    }
  }

  /** Nothing to add. */
  finish(): void {}
}

/** The options of `hw`. */
export const HW_OPTIONS = declareOptions({
  "hw.exits": {
    type: "list",
    default: DEFAULT_EXITS,
    items: "sensitive classes and vector:N",
    doc: "the exiting set, besides what the MMU model requires and external interrupts",
  },
  "hw.vpid": {
    type: "boolean",
    defaultDoc: "platform hw.vpid",
    doc: "true: tagged guest TLB entries survive exits; false: every exit flushes the TLB",
  },
});

registerModel("cpu", "hw", (ctx) => new HwCpu(ctx), {
  summary: "Hardware assist: direct execution, VM exits for a configurable exiting set.",
  options: { ...HW_OPTIONS, ...ERA_OPTIONS },
  costs: [
    ...CODE_COST_KEYS,
    "hw.vm-exit[.<reason>]",
    "hw.vm-entry",
    "hw.vmcb-read",
    "hw.vmcb-write",
    "hw.vmcb-reads[.<reason>]",
    "hw.vmcb-writes[.<reason>]",
    "hw.handler[.<reason>]",
    "hw.inject",
    "hw.guest.exception",
    "hw.guest.<class>",
    "native.sensitive[.<class>]",
    "native.exception[.<vector>]",
    "native.interrupt",
    "hw.vpid",
  ],
});
