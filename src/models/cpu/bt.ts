/**
 * The `bt` CPU model: binary translation in the style of VMware's software VMM (Adams &
 * Agesen 2006, section 3).
 *
 * - User code (CPL 3) runs directly on the hardware; its privileged instructions trap and
 *   its system calls enter the VMM (`bt.transition.user.<reason>`).
 * - Kernel code runs from a translation cache (TC) keyed by code address. The first
 *   execution of a block translates it at `bt.translate` cycles per guest instruction;
 *   later executions hit the cache. The cache holds `bt.tc-capacity` bytes of guest code
 *   (a platform entry; the option of the same name overrides it);
 *   when a new translation does not fit, the whole cache is flushed (the simple policy
 *   VMware's early TC used) and translation starts over.
 * - Translated code runs at native speed except that every indirect control transfer
 *   (RET, indirect JMP/CALL) pays `bt.indirect`: its target must be looked up in the TC.
 * - Sensitive instructions are translated: cheap ones (CLI, STI, PUSHF, POPF, CR reads,
 *   CR8 writes, RDTSC ...) become in-TC emulation code (`bt.tc-emulate[.<class>]`), the
 *   rest become call-outs to the VMM (`bt.callout[.<class>]`).
 * - The VMM owns the IDT: guest exceptions and interrupts enter it and are reflected into
 *   the translated handler (`bt.exception[.<vector>]`, `bt.interrupt`).
 * - Adaptive translation: a kernel store that hits a write-protected page table causes a
 *   trace fault (`bt.trace-fault`); after `bt.adapt-threshold` faults at the same code
 *   address, the block is retranslated (again `bt.translate` per instruction) so the store
 *   calls the VMM's emulation routine directly (`bt.adapted-write`), without a fault.
 *
 * @module
 */

import { ERA_OPTIONS } from "./era.ts";
import {
  type CpuModel,
  type ModelContext,
  registerModel,
  Transition,
  TRANSITION_COUNT,
} from "../../engine/model.ts";
import {
  declareOptions,
  optionError,
  optionOrPlatform,
  readOptions,
} from "../../engine/options.ts";
import type { MemoryHierarchy } from "../memory/hierarchy.ts";
import type { TraceRecord } from "../../trace/record.ts";
import { CODE_COST_KEYS, CodeCosts } from "./code_costs.ts";
import { ClassCounters, vectorTable } from "./native.ts";
import { CLASS_REASON, reasonIds, reasonTable } from "./reasons.ts";
import { markDeprivileged } from "./trap.ts";
import {
  CLASS_COUNT,
  classByName,
  classTable,
  isIoClass,
  sensitiveClass,
} from "./sensitive_class.ts";

/** Sensitive classes translated into in-TC emulation by default (the rest become call-outs). */
export const DEFAULT_TC_EMULATED: readonly string[] = [
  "cli",
  "sti",
  "pushf",
  "popf",
  "cr0-read",
  "cr2-read",
  "cr3-read",
  "cr4-read",
  "cr8-read",
  "cr8-write",
  "rdtsc",
  "rdtscp",
  "sgdt",
  "sidt",
  "sldt",
  "str",
  "smsw",
  "lar",
  "lsl",
  "verr",
  "verw",
  "mov-to-sreg",
  "mov-from-sreg",
  "push-sreg",
  "pop-sreg",
  "swapgs",
  "pause",
];

const USER_NATIVE = 0;
const USER_TRAP = 1;
const USER_ENTRY = 2;

/** Binary translation with a translation cache and adaptive translation. */
export class BtCpu implements CpuModel {
  /** The set's caches: a VMM entry runs its handler's footprint through them. */
  readonly #caches: MemoryHierarchy | null;
  readonly #ctx: ModelContext;
  readonly #code: CodeCosts;
  // Translation cache state, indexed by canonical block (first block id at a code address).
  readonly #canon: Int32Array;
  readonly #blockBytes: Uint32Array;
  readonly #translated: Uint8Array;
  #tcUsed = 0;
  readonly #capacity: number;
  // Adaptive translation state, by code address of the faulting store.
  readonly #faults = new Map<number, number>();
  readonly #adapted = new Set<number>();
  readonly #threshold: number;
  readonly #adaptive: boolean;
  // Costs.
  readonly #translate: number;
  readonly #indirect: number;
  readonly #inTc = new Uint8Array(CLASS_COUNT);
  readonly #userKind = new Uint8Array(CLASS_COUNT);
  readonly #tcEmulate: Float64Array;
  readonly #callout: Float64Array;
  readonly #native: Float64Array;
  readonly #exception: Float64Array;
  readonly #interrupt: number;
  readonly #traceFault: number;
  readonly #adaptedWrite: number;
  readonly #kernelT: Float64Array;
  readonly #userT: Float64Array;
  readonly #rep: number;
  // Accounts.
  readonly #cExec: number;
  readonly #cTranslate: number;
  readonly #cIndirect: number;
  readonly #cTcEmulate: number;
  readonly #cCallout: number;
  readonly #cNative: number;
  readonly #cException: number;
  readonly #cInterrupt: number;
  readonly #cTraceFault: number;
  readonly #cAdapted: number;
  readonly #cTransition: Int32Array;
  readonly #eTranslations: number;
  readonly #eTranslatedInstr: number;
  readonly #eHits: number;
  readonly #eFlushes: number;
  readonly #eIndirect: number;
  readonly #eTcEmulations: number;
  readonly #eCallouts: ClassCounters;
  readonly #eClass: ClassCounters;
  readonly #eExceptions: number;
  readonly #eInterrupts: number;
  readonly #eTraceFaults: number;
  readonly #eAdaptations: number;
  readonly #eAdaptedWrites: number;
  readonly #eTransition: Int32Array;

  /** Reads `bt.*` costs and options `bt.tc-capacity`, `bt.adapt-threshold`, `bt.adaptive`, `bt.tc-emulated`. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    this.#caches = ctx.caches ?? null;
    const p = ctx.platform;
    const code = ctx.code;
    this.#code = CodeCosts.of(ctx);
    this.#canon = new Int32Array(code.blockCount);
    this.#blockBytes = new Uint32Array(code.blockCount);
    const byAddr = new Map<number, number>();
    for (let b = 0; b < code.blockCount; b++) {
      const a = code.blockAddr[b];
      const c = byAddr.get(a);
      this.#canon[b] = c === undefined ? b : c;
      if (c === undefined) byAddr.set(a, b);
      let bytes = 0;
      const first = code.blockFirst[b];
      for (let i = first; i < first + code.blockLength[b]; i++) bytes += code.instrLength[i];
      this.#blockBytes[b] = bytes;
    }
    this.#translated = new Uint8Array(code.blockCount);
    const o = readOptions(ctx.options, BT_OPTIONS);
    this.#capacity = optionOrPlatform(
      p,
      BT_OPTIONS["bt.tc-capacity"],
      o["bt.tc-capacity"],
      "bt.tc-capacity",
    );
    this.#threshold = o["bt.adapt-threshold"];
    this.#adaptive = o["bt.adaptive"];
    const names = classByName();
    for (const n of o["bt.tc-emulated"]) {
      const c = names.get(n);
      if (c === undefined) throw optionError("bt.tc-emulated", `unknown sensitive class "${n}"`);
      this.#inTc[c] = 1;
    }
    markDeprivileged(this.#userKind, USER_TRAP, USER_ENTRY);
    this.#translate = p.cost("bt.translate");
    this.#indirect = p.cost("bt.indirect");
    this.#tcEmulate = classTable(p, "bt.tc-emulate", "bt.tc-emulate");
    this.#callout = classTable(p, "bt.callout", "bt.callout");
    this.#native = classTable(p, "native.sensitive", "native.sensitive");
    this.#exception = vectorTable(ctx, "bt.exception");
    this.#interrupt = p.cost("bt.interrupt");
    this.#traceFault = p.cost("bt.trace-fault");
    this.#adaptedWrite = p.cost("bt.adapted-write");
    this.#kernelT = reasonTable(ctx, "bt.transition.kernel");
    this.#userT = reasonTable(ctx, "bt.transition.user");
    this.#rep = p.cost("native.rep-iteration");
    this.#cExec = ctx.category("guest.exec");
    this.#cTranslate = ctx.category("bt.translate");
    this.#cIndirect = ctx.category("bt.indirect");
    this.#cTcEmulate = ctx.category("bt.tc-emulate");
    this.#cCallout = ctx.category("bt.callout");
    this.#cNative = ctx.category("guest.sensitive");
    this.#cException = ctx.category("bt.exception");
    this.#cInterrupt = ctx.category("bt.interrupt");
    this.#cTraceFault = ctx.category("bt.trace-fault");
    this.#cAdapted = ctx.category("bt.adapted-write");
    this.#cTransition = reasonIds(ctx, "bt.vmm", "category");
    this.#eTranslations = ctx.counter("bt.translations");
    this.#eTranslatedInstr = ctx.counter("bt.translated-instructions");
    this.#eHits = ctx.counter("bt.tc-hits");
    this.#eFlushes = ctx.counter("bt.tc-flushes");
    this.#eIndirect = ctx.counter("bt.indirect");
    this.#eTcEmulations = ctx.counter("bt.tc-emulations");
    this.#eCallouts = new ClassCounters(ctx, "bt.callouts");
    this.#eClass = new ClassCounters(ctx, "sensitive");
    this.#eExceptions = ctx.counter("bt.exceptions");
    this.#eInterrupts = ctx.counter("bt.interrupts");
    this.#eTraceFaults = ctx.counter("bt.trace-faults");
    this.#eAdaptations = ctx.counter("bt.adaptations");
    this.#eAdaptedWrites = ctx.counter("bt.adapted-writes");
    this.#eTransition = reasonIds(ctx, "bt.transitions", "counter");
  }

  /** Translates a canonical block into the TC, flushing the cache first if it is full. */
  #translateBlock(c: number, block: number): void {
    const ctx = this.#ctx;
    const bytes = this.#blockBytes[block];
    if (this.#tcUsed + bytes > this.#capacity) {
      this.#translated.fill(0);
      this.#tcUsed = 0;
      ctx.events[this.#eFlushes] += 1;
    }
    this.#translated[c] = 1;
    this.#tcUsed += bytes;
    const n = ctx.code.blockLength[block];
    ctx.cycles[this.#cTranslate] += n * this.#translate;
    ctx.events[this.#eTranslations] += 1;
    ctx.events[this.#eTranslatedInstr] += n;
  }

  /** User code runs directly; kernel code from the TC (translated on first use). */
  exec(block: number, count: number): void {
    const ctx = this.#ctx;
    ctx.cycles[this.#cExec] += this.#code.plain(block, count);
    if (ctx.code.blockCpl[block] === 3) return;
    const c = this.#canon[block];
    if (this.#translated[c] === 0) this.#translateBlock(c, block);
    else ctx.events[this.#eHits] += 1;
    const ind = this.#code.indirect(block, count);
    if (ind !== 0) {
      ctx.cycles[this.#cIndirect] += ind * this.#indirect;
      ctx.events[this.#eIndirect] += ind;
    }
  }

  /** Kernel: in-TC emulation or call-out. User: direct, with traps for privileged instructions. */
  sensitive(rec: TraceRecord): void {
    const ctx = this.#ctx;
    const cls = sensitiveClass(rec.op, rec.reg);
    this.#eClass.count(cls);
    if (isIoClass(cls)) return;
    if (ctx.guest.cpl === 3) {
      const k = this.#userKind[cls];
      if (k === USER_NATIVE) ctx.cycles[this.#cNative] += this.#native[cls];
      else this.vmmTransition(k === USER_ENTRY ? Transition.Syscall : CLASS_REASON[cls], rec.pc);
      return;
    }
    if (this.#inTc[cls] !== 0) {
      ctx.cycles[this.#cTcEmulate] += this.#tcEmulate[cls];
      ctx.events[this.#eTcEmulations] += 1;
    } else {
      ctx.cycles[this.#cCallout] += this.#callout[cls];
      this.#eCallouts.count(cls);
      this.#caches?.vmmEntry(CLASS_REASON[cls]);
    }
  }

  /** The VMM fields the exception and reflects it into the translated guest handler. */
  exception(rec: TraceRecord): void {
    const ctx = this.#ctx;
    ctx.cycles[this.#cException] += this.#exception[rec.vector & 255];
    ctx.events[this.#eExceptions] += 1;
    this.#caches?.vmmEntry(rec.vector === 14 ? Transition.PageFault : Transition.Exception);
  }

  /** The VMM fields the interrupt and reflects it. */
  interrupt(_rec: TraceRecord): void {
    this.#ctx.cycles[this.#cInterrupt] += this.#interrupt;
    this.#ctx.events[this.#eInterrupts] += 1;
    this.#caches?.vmmEntry(Transition.Interrupt);
  }

  /** String instructions run natively (user) or as translated loops (kernel). */
  repString(rec: TraceRecord): void {
    this.#ctx.cycles[this.#cExec] += rec.count * this.#rep;
  }

  /** Traced writes go through adaptive translation; other reasons by privilege level. */
  vmmTransition(reason: number, pc: number): void {
    const ctx = this.#ctx;
    const kernel = ctx.guest.cpl !== 3;
    this.#caches?.vmmEntry(reason);
    if (reason === Transition.TracedWrite && kernel) {
      if (this.#adapted.has(pc)) {
        ctx.cycles[this.#cAdapted] += this.#adaptedWrite;
        ctx.events[this.#eAdaptedWrites] += 1;
        return;
      }
      ctx.cycles[this.#cTraceFault] += this.#traceFault;
      ctx.events[this.#eTraceFaults] += 1;
      if (!this.#adaptive) return;
      const n = (this.#faults.get(pc) ?? 0) + 1;
      this.#faults.set(pc, n);
      if (n >= this.#threshold) {
        this.#adapted.add(pc);
        this.#faults.delete(pc);
        ctx.events[this.#eAdaptations] += 1;
        const b = ctx.guest.block;
        if (b >= 0) this.#translateBlock(this.#canon[b], b);
      }
      return;
    }
    if (reason < 0 || reason >= TRANSITION_COUNT) return;
    ctx.cycles[this.#cTransition[reason]] += kernel ? this.#kernelT[reason] : this.#userT[reason];
    ctx.events[this.#eTransition[reason]] += 1;
  }

  /** Nothing to add. */
  finish(): void {}
}

/** The options of `bt`. */
export const BT_OPTIONS = declareOptions({
  "bt.tc-capacity": {
    type: "integer",
    defaultDoc: "platform bt.tc-capacity",
    min: 1,
    max: 1 << 30,
    unit: "bytes",
    doc: "translation cache size in bytes of guest code",
  },
  "bt.adapt-threshold": {
    type: "integer",
    default: 2,
    min: 1,
    max: 1 << 30,
    doc: "trace faults at one store before its block is retranslated",
  },
  "bt.adaptive": { type: "boolean", default: true, doc: "adaptive translation on or off" },
  "bt.tc-emulated": {
    type: "list",
    default: DEFAULT_TC_EMULATED,
    items: "sensitive classes",
    doc: "sensitive classes emulated in the translation cache (the others call out)",
  },
});

registerModel("cpu", "bt", (ctx) => new BtCpu(ctx), {
  summary: "Binary translation: direct user code, translated kernel code, adaptive translation.",
  options: { ...BT_OPTIONS, ...ERA_OPTIONS },
  costs: [
    ...CODE_COST_KEYS,
    "bt.translate",
    "bt.tc-capacity",
    "bt.indirect",
    "bt.tc-emulate[.<class>]",
    "bt.callout[.<class>]",
    "native.sensitive[.<class>]",
    "bt.exception[.<vector>]",
    "bt.interrupt",
    "bt.trace-fault",
    "bt.adapted-write",
    "bt.transition.kernel[.<reason>]",
    "bt.transition.user[.<reason>]",
  ],
});
