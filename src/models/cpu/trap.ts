/**
 * The `trap` CPU model: classic trap-and-emulate. The guest kernel runs directly but
 * deprivileged; every privileged instruction faults into the VMM, which emulates it and
 * resumes the guest; the VMM owns the real IDT, so exceptions, interrupts and system
 * calls enter the VMM and are reflected into the guest.
 *
 * On x86 this is not a complete virtualization (Popek & Goldberg 1974: an architecture is
 * virtualizable by trap-and-emulate only if its sensitive instructions are a subset of its
 * privileged ones; Robin & Irvine 2000 list the x86 instructions that break the rule).
 * Those sensitive-but-unprivileged instructions — PUSHF, POPF, SGDT, SIDT, SLDT, STR,
 * SMSW, LAR, LSL, VERR, VERW and the segment-register moves — execute without trapping and
 * silently see or change the real machine state. The model charges them their native cost
 * (that is what happens) and reports each class as an event
 * (`trap.unvirtualizable.<class>`) and a warning in the result.
 *
 * Costs: `trap.trap` (fault into the VMM and return), `trap.emulate[.<class>]`
 * (emulating one privileged instruction), `trap.reflect` (building the guest's exception
 * frame), `trap.handler[.<reason>]` (VMM work for transitions other families request).
 *
 * @module
 */

import { ERA_OPTIONS } from "./era.ts";
import { type CpuModel, type ModelContext, registerModel, Transition } from "../../engine/model.ts";
import type { MemoryHierarchy } from "../memory/hierarchy.ts";
import { SensitiveOp, type TraceRecord } from "../../trace/record.ts";
import { CODE_COST_KEYS, CodeCosts } from "./code_costs.ts";
import { ClassCounters, vectorTable } from "./native.ts";
import { reasonIds, reasonTable } from "./reasons.ts";
import {
  CLASS_COUNT,
  className,
  classTable,
  CR_READ_BASE,
  isIoClass,
  sensitiveClass,
} from "./sensitive_class.ts";

/** Sensitive but unprivileged x86 instructions (Robin & Irvine 2000), which never trap. */
export const UNVIRTUALIZABLE: readonly number[] = [
  SensitiveOp.Pushf,
  SensitiveOp.Popf,
  SensitiveOp.Sgdt,
  SensitiveOp.Sidt,
  SensitiveOp.Sldt,
  SensitiveOp.Str,
  SensitiveOp.Smsw,
  SensitiveOp.Lar,
  SensitiveOp.Lsl,
  SensitiveOp.Verr,
  SensitiveOp.Verw,
  SensitiveOp.MovToSreg,
  SensitiveOp.MovFromSreg,
  SensitiveOp.PushSreg,
  SensitiveOp.PopSreg,
];

/** Instructions that fault when the guest kernel runs deprivileged (or that the VMM makes fault, RDTSC via CR4.TSD). */
export const PRIVILEGED: readonly number[] = [
  SensitiveOp.Invlpg,
  SensitiveOp.Invpcid,
  SensitiveOp.Cli,
  SensitiveOp.Sti,
  SensitiveOp.Rdmsr,
  SensitiveOp.Wrmsr,
  SensitiveOp.Rdtsc,
  SensitiveOp.Rdtscp,
  SensitiveOp.Hlt,
  SensitiveOp.Sysret,
  SensitiveOp.Sysexit,
  SensitiveOp.Swapgs,
  SensitiveOp.Lgdt,
  SensitiveOp.Lidt,
  SensitiveOp.Lldt,
  SensitiveOp.Ltr,
  SensitiveOp.Lmsw,
  SensitiveOp.Clts,
  SensitiveOp.Wbinvd,
  SensitiveOp.Invd,
  SensitiveOp.MovDr,
  SensitiveOp.Xsetbv,
  SensitiveOp.Monitor,
  SensitiveOp.Mwait,
];

/** Instructions by which guest code enters its kernel (system calls and software interrupts). */
export const GUEST_ENTRIES: readonly number[] = [
  SensitiveOp.Syscall,
  SensitiveOp.Sysenter,
  SensitiveOp.Int,
  SensitiveOp.Into,
];

/**
 * Marks, in a per-class kind table, what deprivileged guest code cannot run by itself:
 * the {@link PRIVILEGED} instructions and every CR access fault (`trap`), and the
 * {@link GUEST_ENTRIES} enter the VMM, which owns the IDT and system-call MSRs (`entry`).
 * Trap-and-emulate applies it to all guest code, binary translation to user code.
 */
export function markDeprivileged(kinds: Uint8Array, trap: number, entry: number): void {
  for (const op of PRIVILEGED) kinds[op] = trap;
  for (let c = CR_READ_BASE; c < CLASS_COUNT; c++) kinds[c] = trap;
  for (const op of GUEST_ENTRIES) kinds[op] = entry;
}

// Kind 0: runs natively.
const KIND_TRAP = 1;
const KIND_UNVIRT = 2;
const KIND_ENTRY = 3;

/** Trap-and-emulate: privileged instructions trap; sensitive unprivileged ones are reported. */
export class TrapCpu implements CpuModel {
  /** The set's caches: a VMM entry runs its handler's footprint through them. */
  readonly #caches: MemoryHierarchy | null;
  readonly #ctx: ModelContext;
  readonly #code: CodeCosts;
  readonly #kind = new Uint8Array(CLASS_COUNT);
  readonly #native: Float64Array;
  readonly #emulate: Float64Array;
  readonly #trap: number;
  readonly #reflect: number;
  readonly #nativeExc: Float64Array;
  readonly #handler: Float64Array;
  readonly #rep: number;
  readonly #nativeIntr: number;
  readonly #catExec: number;
  readonly #catNative: number;
  readonly #catTrap: Int32Array;
  readonly #catEmulate: number;
  readonly #catReflect: number;
  readonly #evTraps: Int32Array;
  readonly #evTrapsTotal: number;
  readonly #evClass: ClassCounters;
  readonly #evUnvirt: ClassCounters;

  /** Reads `trap.*` and `native.*` costs. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    this.#caches = ctx.caches ?? null;
    const p = ctx.platform;
    this.#code = CodeCosts.of(ctx);
    markDeprivileged(this.#kind, KIND_TRAP, KIND_ENTRY);
    for (const op of UNVIRTUALIZABLE) this.#kind[op] = KIND_UNVIRT;
    this.#native = classTable(p, "native.sensitive", "native.sensitive");
    this.#emulate = classTable(p, "trap.emulate", "trap.emulate");
    this.#trap = p.cost("trap.trap");
    this.#reflect = p.cost("trap.reflect");
    this.#nativeExc = vectorTable(ctx, "native.exception");
    this.#handler = reasonTable(ctx, "trap.handler");
    this.#rep = p.cost("native.rep-iteration");
    this.#nativeIntr = p.cost("native.interrupt");
    this.#catExec = ctx.category("guest.exec");
    this.#catNative = ctx.category("guest.sensitive");
    this.#catTrap = reasonIds(ctx, "trap.trap", "category");
    this.#catEmulate = ctx.category("trap.emulate");
    this.#catReflect = ctx.category("trap.reflect");
    this.#evTraps = reasonIds(ctx, "traps", "counter");
    this.#evTrapsTotal = ctx.counter("traps.total");
    this.#evClass = new ClassCounters(ctx, "sensitive");
    this.#evUnvirt = new ClassCounters(ctx, "trap.unvirtualizable");
  }

  /** Direct execution at native speed. */
  exec(block: number, count: number): void {
    this.#ctx.cycles[this.#catExec] += this.#code.plain(block, count);
  }

  /** Privileged: trap and emulate. Unvirtualizable: runs natively, reported. Others: native. */
  sensitive(rec: TraceRecord): void {
    const ctx = this.#ctx;
    const cls = sensitiveClass(rec.op, rec.reg);
    this.#evClass.count(cls);
    if (isIoClass(cls)) return;
    switch (this.#kind[cls]) {
      case KIND_TRAP:
        this.vmmTransition(Transition.Sensitive, rec.pc);
        ctx.cycles[this.#catEmulate] += this.#emulate[cls];
        break;
      case KIND_ENTRY:
        // The VMM owns the IDT and the system-call MSRs: the entry faults into it and is reflected.
        this.vmmTransition(Transition.Syscall, rec.pc);
        ctx.cycles[this.#catReflect] += this.#reflect;
        break;
      case KIND_UNVIRT:
        this.#evUnvirt.count(cls);
        ctx.warn(
          `trap.unvirtualizable.${cls}`,
          `${className(cls)} is sensitive but unprivileged on x86 (Robin & Irvine 2000): ` +
            "trap-and-emulate cannot intercept it, so the guest sees or changes real machine state",
        );
        ctx.cycles[this.#catNative] += this.#native[cls];
        break;
      default:
        ctx.cycles[this.#catNative] += this.#native[cls];
    }
  }

  /** The VMM owns the IDT: every exception traps into it and is reflected into the guest. */
  exception(rec: TraceRecord): void {
    this.vmmTransition(Transition.Exception, rec.pc);
    this.#ctx.cycles[this.#catReflect] += this.#reflect + this.#nativeExc[rec.vector & 255];
  }

  /** Interrupts enter the VMM and are reflected through the guest IDT. */
  interrupt(rec: TraceRecord): void {
    this.vmmTransition(Transition.Interrupt, rec.pc);
    this.#ctx.cycles[this.#catReflect] += this.#reflect + this.#nativeIntr;
  }

  /** String instructions run natively. */
  repString(rec: TraceRecord): void {
    this.#ctx.cycles[this.#catExec] += rec.count * this.#rep;
  }

  /** A trap into the VMM plus its handler for `reason`. */
  vmmTransition(reason: number, _pc: number): void {
    const ctx = this.#ctx;
    this.#caches?.vmmEntry(reason);
    ctx.cycles[this.#catTrap[reason]] += this.#trap + this.#handler[reason];
    ctx.events[this.#evTraps[reason]] += 1;
    ctx.events[this.#evTrapsTotal] += 1;
  }

  /** Nothing to add. */
  finish(): void {}
}

registerModel("cpu", "trap", (ctx) => new TrapCpu(ctx), {
  summary: "Classic trap-and-emulate; reports x86's sensitive unprivileged instructions.",
  options: ERA_OPTIONS,
  costs: [
    ...CODE_COST_KEYS,
    "trap.trap",
    "trap.emulate[.<class>]",
    "trap.reflect",
    "trap.handler[.<reason>]",
    "native.sensitive[.<class>]",
  ],
});
