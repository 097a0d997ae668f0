/**
 * The `pv` CPU model: paravirtualization in the style of Xen (Barham et al. 2003). The
 * guest kernel is modified: it runs deprivileged and asks the hypervisor for privileged
 * work with hypercalls, and it keeps its virtual interrupt flag and a few registers in
 * memory shared with the hypervisor, so those operations cost a memory access.
 *
 * - Privileged instructions become hypercalls: `pv.hypercall` (the transition into the
 *   hypervisor and back) plus `pv.handler[.<reason>]`.
 * - CLI/STI/PUSHF/POPF and CR reads touch the shared-info page: `pv.shared[.<class>]`.
 * - RDTSC and RDTSCP run natively: Xen does not set CR4.TSD for a paravirtual guest (Xen 1.0
 *   gave guests the real TSC with calibration data in the shared-info page; later Xen keeps
 *   RDTSC native unless `tsc_mode` asks for emulation).
 * - System calls and returns depend on where the guest kernel runs, the profile flag
 *   `pv.fast-syscall` (option of the same name overrides):
 *   - 1, x86-32 Xen as Barham et al. measured it (section 3.1): the guest kernel runs in
 *     ring 1 and registers a fast system-call handler that the processor enters directly,
 *     so SYSCALL/SYSENTER/INT cost what they cost natively (`pv.fast-syscalls`). Returning
 *     to user space from ring 1 is a real IRET, plus restoring the virtual interrupt flag
 *     in the shared-info page (`native.sensitive.<class>` + `pv.shared`). SWAPGS stands for
 *     the per-CPU segment reload both kernels do, at its native cost.
 *   - 0, x86-64 Xen: the guest kernel runs in ring 3, so a SYSCALL lands in Xen, which
 *     switches to the guest kernel's page tables and bounces it to the registered callback
 *     (`pv.syscall`, counted in `pv.syscall-bounces`). Every return to user space (SYSRET,
 *     SYSEXIT, IRET) is Xen's `iret` hypercall (Linux's `xen_iret`). SWAPGS is patched out
 *     of a Xen PV kernel (Linux `ALTERNATIVE "swapgs", "", X86_FEATURE_XENPV`): Xen swaps
 *     the GS base as part of its bounce, so it costs nothing (`pv.patched-out`).
 * - Exceptions enter Xen, which bounces them to the guest's registered handler
 *   (`pv.exception[.<vector>]`).
 * - Physical interrupts are taken by Xen and delivered as virtual interrupts through an
 *   event channel upcall (`pv.event-upcall`).
 * - Page-table updates are the MMU's (`pv-direct`): it validates them and batches them
 *   into multicall hypercalls of up to `mmu.pv.max-batch` updates, calling
 *   `vmmTransition(Transition.Hypercall)` once per batch.
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
import type { MemoryHierarchy } from "../memory/hierarchy.ts";
import { SensitiveOp, type TraceRecord } from "../../trace/record.ts";
import { declareOptions, readOptions } from "../../engine/options.ts";
import { CODE_COST_KEYS, CodeCosts } from "./code_costs.ts";
import { ClassCounters, vectorTable } from "./native.ts";
import { CLASS_REASON, reasonIds, reasonTable } from "./reasons.ts";
import { GUEST_ENTRIES, PRIVILEGED } from "./trap.ts";
import {
  CLASS_COUNT,
  classTable,
  CR_READ_BASE,
  CR_WRITE_BASE,
  isIoClass,
  sensitiveClass,
} from "./sensitive_class.ts";

// Kind 0: runs natively.
const SHARED = 1;
const HYPERCALL = 2;
const ENTRY = 3;
const RETURN = 4;
const SEGMENT = 5;

/** Paravirtualization: hypercalls, shared-memory flags, fast system calls, event channels. */
export class PvCpu implements CpuModel {
  /** The set's caches: a VMM entry runs its handler's footprint through them. */
  readonly #caches: MemoryHierarchy | null;
  readonly #ctx: ModelContext;
  readonly #code: CodeCosts;
  readonly #kind = new Uint8Array(CLASS_COUNT);
  readonly #shared: Float64Array;
  readonly #native: Float64Array;
  readonly #exception: Float64Array;
  readonly #hypercall: Float64Array;
  readonly #upcall: number;
  readonly #rep: number;
  readonly #fastSyscall: boolean;
  readonly #syscall: number;
  readonly #cExec: number;
  readonly #cNative: number;
  readonly #cShared: number;
  readonly #cException: number;
  readonly #cSyscall: number;
  readonly #cUpcall: number;
  readonly #cHypercall: Int32Array;
  readonly #eHypercalls: number;
  readonly #eHypercall: Int32Array;
  readonly #eBounces: number;
  readonly #eUpcalls: number;
  readonly #eFast: number;
  readonly #eSyscallBounce: number;
  readonly #eNativeReturn: number;
  readonly #ePatched: number;
  readonly #eClass: ClassCounters;

  /** Reads `pv.*` costs, the `pv.fast-syscall` profile flag and its option override. */
  constructor(ctx: ModelContext) {
    this.#ctx = ctx;
    this.#caches = ctx.caches ?? null;
    const p = ctx.platform;
    this.#code = CodeCosts.of(ctx);
    for (const op of PRIVILEGED) this.#kind[op] = HYPERCALL;
    for (let c = CR_READ_BASE; c < CR_WRITE_BASE; c++) this.#kind[c] = SHARED;
    for (let c = CR_WRITE_BASE; c < CLASS_COUNT; c++) this.#kind[c] = HYPERCALL;
    for (const op of [SensitiveOp.Cli, SensitiveOp.Sti, SensitiveOp.Pushf, SensitiveOp.Popf]) {
      this.#kind[op] = SHARED;
    }
    this.#kind[SensitiveOp.Cpuid] = HYPERCALL;
    for (const op of [SensitiveOp.Rdtsc, SensitiveOp.Rdtscp]) this.#kind[op] = 0;
    for (const op of GUEST_ENTRIES) this.#kind[op] = ENTRY;
    for (const op of [SensitiveOp.Iret, SensitiveOp.Sysret, SensitiveOp.Sysexit]) {
      this.#kind[op] = RETURN;
    }
    this.#kind[SensitiveOp.Swapgs] = SEGMENT;
    this.#fastSyscall = readOptions(ctx.options, PV_OPTIONS)["pv.fast-syscall"] ??
      p.param("pv.fast-syscall") !== 0;
    this.#syscall = p.cost("pv.syscall");
    this.#shared = classTable(p, "pv.shared", "pv.shared");
    this.#native = classTable(p, "native.sensitive", "native.sensitive");
    this.#exception = vectorTable(ctx, "pv.exception");
    this.#hypercall = reasonTable(ctx, "pv.handler");
    const base = p.cost("pv.hypercall");
    for (let r = 0; r < TRANSITION_COUNT; r++) this.#hypercall[r] += base;
    this.#upcall = p.cost("pv.event-upcall");
    this.#rep = p.cost("native.rep-iteration");
    this.#cExec = ctx.category("guest.exec");
    this.#cNative = ctx.category("guest.sensitive");
    this.#cShared = ctx.category("pv.shared");
    this.#cException = ctx.category("pv.exception-bounce");
    this.#cSyscall = ctx.category("pv.syscall-bounce");
    this.#cUpcall = ctx.category("pv.event-upcall");
    this.#cHypercall = reasonIds(ctx, "pv.hypercall", "category");
    this.#eHypercalls = ctx.counter("hypercalls");
    this.#eHypercall = reasonIds(ctx, "hypercalls", "counter");
    this.#eBounces = ctx.counter("pv.exception-bounces");
    this.#eUpcalls = ctx.counter("pv.event-channel-upcalls");
    this.#eFast = ctx.counter("pv.fast-syscalls");
    this.#eSyscallBounce = ctx.counter("pv.syscall-bounces");
    this.#eNativeReturn = ctx.counter("pv.native-returns");
    this.#ePatched = ctx.counter("pv.patched-out");
    this.#eClass = new ClassCounters(ctx, "sensitive");
  }

  /** Direct execution. */
  exec(block: number, count: number): void {
    this.#ctx.cycles[this.#cExec] += this.#code.plain(block, count);
  }

  /** Shared-memory flag, hypercall, system call or return (per `pv.fast-syscall`), or native. */
  sensitive(rec: TraceRecord): void {
    const ctx = this.#ctx;
    const cls = sensitiveClass(rec.op, rec.reg);
    this.#eClass.count(cls);
    if (isIoClass(cls)) return;
    switch (this.#kind[cls]) {
      case SHARED:
        ctx.cycles[this.#cShared] += this.#shared[cls];
        break;
      case HYPERCALL:
        this.vmmTransition(CLASS_REASON[cls], rec.pc);
        break;
      case ENTRY:
        if (this.#fastSyscall) {
          ctx.cycles[this.#cNative] += this.#native[cls];
          ctx.events[this.#eFast] += 1;
        } else {
          ctx.cycles[this.#cSyscall] += this.#syscall;
          ctx.events[this.#eSyscallBounce] += 1;
          this.#caches?.vmmEntry(Transition.Syscall);
        }
        break;
      case RETURN:
        if (this.#fastSyscall) {
          ctx.cycles[this.#cNative] += this.#native[cls];
          ctx.cycles[this.#cShared] += this.#shared[cls];
          ctx.events[this.#eNativeReturn] += 1;
        } else {
          this.vmmTransition(CLASS_REASON[cls], rec.pc);
        }
        break;
      case SEGMENT:
        if (this.#fastSyscall) ctx.cycles[this.#cNative] += this.#native[cls];
        else ctx.events[this.#ePatched] += 1;
        break;
      default:
        ctx.cycles[this.#cNative] += this.#native[cls];
    }
  }

  /** Xen takes the exception and bounces it to the guest's handler. */
  exception(rec: TraceRecord): void {
    this.#ctx.cycles[this.#cException] += this.#exception[rec.vector & 255];
    this.#ctx.events[this.#eBounces] += 1;
    this.#caches?.vmmEntry(rec.vector === 14 ? Transition.PageFault : Transition.Exception);
  }

  /** Xen takes the interrupt and upcalls the guest through an event channel. */
  interrupt(_rec: TraceRecord): void {
    this.#ctx.cycles[this.#cUpcall] += this.#upcall;
    this.#ctx.events[this.#eUpcalls] += 1;
    this.#caches?.vmmEntry(Transition.Interrupt);
  }

  /** String instructions run natively. */
  repString(rec: TraceRecord): void {
    this.#ctx.cycles[this.#cExec] += rec.count * this.#rep;
  }

  /** One hypercall and its handler. */
  vmmTransition(reason: number, _pc: number): void {
    if (reason < 0 || reason >= TRANSITION_COUNT) return;
    const ctx = this.#ctx;
    this.#caches?.vmmEntry(reason);
    ctx.cycles[this.#cHypercall[reason]] += this.#hypercall[reason];
    ctx.events[this.#eHypercalls] += 1;
    ctx.events[this.#eHypercall[reason]] += 1;
  }

  /** Nothing to add. */
  finish(): void {}
}

/** The options of `pv`. */
export const PV_OPTIONS = declareOptions({
  "pv.fast-syscall": {
    type: "boolean",
    defaultDoc: "platform pv.fast-syscall",
    doc: "x86-32 Xen: system calls enter the ring-1 guest kernel directly and return with a " +
      "real IRET; false is x86-64 Xen, where both go through Xen",
  },
});

registerModel("cpu", "pv", (ctx) => new PvCpu(ctx), {
  summary: "Paravirtualization (Xen): hypercalls, shared-memory flags, fast system calls.",
  options: { ...PV_OPTIONS, ...ERA_OPTIONS },
  costs: [
    ...CODE_COST_KEYS,
    "pv.hypercall",
    "pv.handler[.<reason>]",
    "pv.shared[.<class>]",
    "native.sensitive[.<class>]",
    "pv.exception[.<vector>]",
    "pv.syscall",
    "pv.fast-syscall",
    "pv.event-upcall",
  ],
});
