/**
 * The contract between the replay engine and the models: the four model families
 * (`cpu`, `mmu`, `memory`, `io`), the {@link ModelContext} a model charges cycles and
 * counts events through, the {@link GuestState} the engine keeps, the {@link Platform}
 * a model reads its costs from, and the registry through which built-in and user models
 * are found by name.
 *
 * ## How a replay drives the models
 * The engine streams a trace once and drives two model sets side by side: the baseline
 * (`cpu native`, `mmu native`, `memory none`, `io native`) and the configured set. Each
 * set has its own context. Per record kind the engine calls, in this order:
 *
 * | record          | engine (guest state first)                  | models                                                        |
 * |-----------------|---------------------------------------------|---------------------------------------------------------------|
 * | Exec/ExecPartial| `cpl`, `instructions`, `block`              | `cpu.exec(block, count)`                                      |
 * | Mem             | —                                           | `mmu.access(vaddr, paddr, size, flags)`, then `memory.access(...)` if the memory model has it |
 * | Sensitive       | `pc`; CLI/STI → `interruptsEnabled`         | `cpu.sensitive(rec)`, then CR3 write → `mmu.switchRoot(cr3)`, INVLPG → `mmu.invlpg(addr)` |
 * | PtWrite         | `pc`                                        | `mmu.ptWrite(rec)`                                            |
 * | Exception       | `pc`                                        | vector 14: `intercepted = mmu.pageFault(rec)`; then `cpu.exception(rec)` |
 * | Interrupt       | `pc`                                        | `cpu.interrupt(rec)`, then `io.interrupt(rec)`                |
 * | Pio/Mmio/Dma    | —                                           | `io.pio(rec)` / `io.mmio(rec)` / `io.dma(rec)`                |
 * | Block/NetRequest| —                                           | `io.blockRequest(rec)` / `io.netRequest(rec)`                 |
 * | Marker          | Iteration → `iteration`                     | `memory.marker(rec)`                                          |
 * | PageHash        | —                                           | `memory.pageHash(rec)`                                        |
 * | PageRun         | —                                           | `memory.pageRun?.(rec)`                                       |
 * | RepString       | `pc`                                        | `cpu.repString(rec)`, then `mmu.access` once per 4 KB page the string spans (`size` = bytes in that page) |
 *
 * After the last record the engine calls `finish()` on cpu, mmu, memory, io (in that order).
 *
 * ## Who charges what (so that no cost is counted twice)
 * - The **CPU model** charges executing instructions, and the *transition* into the VMM
 *   and back for anything the CPU technique itself intercepts: sensitive instructions
 *   (including CR3 writes and INVLPG — the MMU charges only its own work for those),
 *   exceptions and interrupts. It decides itself whether an exception is intercepted:
 *   binary translation intercepts every guest exception (the VMM owns the IDT); hardware
 *   assist exits on the vectors of its exiting set plus what the MMU requires
 *   ({@link MmuModel.intercepts}).
 * - I/O-class sensitive records (IN, OUT, INS, OUTS) are **not** charged by the CPU
 *   model; the I/O model charges them on the matching `Pio` record: the native device
 *   latency, or for a trapping device `ctx.cpu.vmmTransition(Transition.Pio, ctx.guest.pc)`
 *   plus the device model's work. Likewise MMIO: the MMU translates the `Mem` access,
 *   the I/O model charges the `Mmio` record (`Transition.Mmio` when it traps).
 * - The **MMU model** charges TLB and page-walk costs, and for events only it can see —
 *   hidden page faults, traced page-table writes — it calls
 *   `ctx.cpu.vmmTransition(Transition.HiddenFault | Transition.TracedWrite, pc)` and then
 *   charges its own handler work (filling or updating the shadow entry). For a true
 *   guest page fault, `pageFault(rec)` charges only the VMM-side work of classifying it
 *   (when the MMU intercepts faults) and returns whether it did; the CPU model charges
 *   the transition and the reflection into the guest.
 * - The **memory** and **I/O** models charge their own mechanisms (device models,
 *   world switches, rings, page sharing) and call `vmmTransition` whenever the guest
 *   must enter the VMM (`Transition.Hypercall` for a paravirtual notification).
 *
 * ## Costs
 * Every cycle figure comes from the platform (`ctx.platform.cost("hw.vm-entry")`), never
 * a constant in model code. Missing keys throw {@link ConfigError}; the E1 helper owns the
 * profiles (src/platforms/) and adds the keys a model reads — docs/platforms.md lists
 * them. Read costs once, at construction, into fields: the hot path reads fields only.
 *
 * ## Calibration contract (Adams & Agesen Figure 4 on `p4-prescott`)
 * The P4 profile splits each Figure 4 cell between the families, so the families must
 * charge exactly these keys at these points (docs/platforms.md derives every value):
 * - shadow MMU, true guest page fault (`pageFault` returns true): `mmu.shadow.true-fault`
 *   once (walking the guest table to classify the fault); no transition call.
 * - shadow MMU, traced page-table write (`ptWrite` on a write-protected page):
 *   `ctx.cpu.vmmTransition(Transition.TracedWrite, rec.pc)` then `mmu.shadow.traced-write`
 *   once (updating the shadow entry).
 * - shadow MMU, hidden fault: `ctx.cpu.vmmTransition(Transition.HiddenFault, pc)` then
 *   `mmu.shadow.hidden-fault` (filling the shadow entry).
 * - emulated I/O, port access: `ctx.cpu.vmmTransition(Transition.Pio, ctx.guest.pc)` plus
 *   `io.emulate.<class>`; native I/O: `io.native.<class>` (the nanobenchmark's port is a
 *   device named `port80`, class `post`).
 *
 * Deviations from the shared sketch (docs/brief ENGINE.md), with reasons:
 * - `pageFault(rec)` returns a boolean ("the VMM intercepted it"), so the CPU model can
 *   charge the reflection of a true fault instead of a second interception.
 * - `Transition` reasons are small integers, not strings, so `vmmTransition` costs an
 *   array load in the hot path; {@link TRANSITION_NAMES} gives their stable names.
 * - Models may implement `start()`, called once after all four models of a set exist,
 *   because some decisions need a sibling (hardware assist's exiting set depends on the
 *   MMU's {@link MmuModel.intercepts}).
 * - I/O instructions are charged by the I/O model (see above), because the I/O model
 *   alone knows whether a port is emulated, hosted or assigned.
 *
 * @module
 */

import type { CodeTable } from "../trace/code_table.ts";
import type { TraceRecord } from "../trace/record.ts";
import { ConfigError } from "../util/errors.ts";
import { declareOptions, OPTION_SOURCE, type OptionDecls } from "./options.ts";
import { validatePlatformData } from "../platforms/validate.ts";
import { keyRange, MAX_STRUCTURAL_PARAM } from "../platforms/ranges.ts";
import type { Pcg32 } from "../util/pcg32.ts";
import type { MemoryHierarchy } from "../models/memory/hierarchy.ts";

// ---------------------------------------------------------------------------------------
// Transitions into the VMM

/**
 * Why the guest enters the VMM. Passed to {@link CpuModel.vmmTransition}; each CPU
 * technique prices each reason its own way (a trap, an in-TC emulation, a callout, a
 * hypercall, a VM exit with its handler).
 */
export const Transition = {
  /** A guest exception the VMM intercepts (reflected into the guest afterwards). */
  Exception: 0,
  /** A true guest page fault the VMM must see (shadow paging), reflected afterwards. */
  PageFault: 1,
  /** A page fault the guest never sees: the shadow table lacked an entry the guest table has. */
  HiddenFault: 2,
  /** A store to a write-protected guest page-table page (shadow coherence). */
  TracedWrite: 3,
  /** A write to CR3 (address-space switch). */
  Cr3Write: 4,
  /** Another control-register access (CR0, CR4, CR8 ...). */
  CrAccess: 5,
  /** INVLPG / INVPCID. */
  Invlpg: 6,
  /** A port I/O access to a device the VMM emulates. */
  Pio: 7,
  /** A memory-mapped I/O access to a device the VMM emulates. */
  Mmio: 8,
  /** An external interrupt that the VMM fields before the guest. */
  Interrupt: 9,
  /** HLT / MWAIT: the guest idles. */
  Hlt: 10,
  /** An explicit call into the VMM (paravirtual hypercall, I/O notification, balloon). */
  Hypercall: 11,
  /** RDMSR / WRMSR. */
  Msr: 12,
  /** CPUID. */
  Cpuid: 13,
  /** RDTSC / RDTSCP when intercepted. */
  Rdtsc: 14,
  /** IRET / SYSRET / SYSEXIT: a return to a less privileged level or from an interrupt. */
  Return: 15,
  /** SYSCALL / SYSENTER / INT n from user mode: a system-call entry. */
  Syscall: 16,
  /** Any other sensitive instruction (descriptor tables, CLI/STI/POPF, segment loads ...). */
  Sensitive: 17,
} as const;

/** Number of {@link Transition} reasons (size of per-reason cost tables). */
export const TRANSITION_COUNT: number = Object.keys(Transition).length;

/**
 * Stable names of transition reasons, indexed by code; they appear in category and event
 * names (`hw.exit.page-fault`, `exits.io`), so they are part of golden results.
 */
export const TRANSITION_NAMES: readonly string[] = [
  "exception",
  "page-fault",
  "hidden-fault",
  "traced-write",
  "cr3-write",
  "cr-access",
  "invlpg",
  "io",
  "mmio",
  "interrupt",
  "hlt",
  "hypercall",
  "msr",
  "cpuid",
  "rdtsc",
  "return",
  "syscall",
  "sensitive",
];

// ---------------------------------------------------------------------------------------
// Platforms

/** One number of a platform profile: a cost or a structural parameter, with where it came from. */
export interface PlatformEntry {
  /** The number (cycles for costs; entries, ways, levels ... for parameters). */
  value: number;
  /** Unit: `cycles`, `entries`, `ways`, `levels`, `bytes`, `instructions`, `ratio`, `us` ... */
  unit: string;
  /** Where the number comes from: paper, table or section, or a derivation from such numbers. */
  source: string;
  /** True when no source gives the number; `reason` then says why the value was chosen. */
  assumption?: boolean;
  /** Why an assumption has its value (required when `assumption` is true). */
  reason?: string;
}

/** The on-disk shape of a platform profile (src/platforms/*.json). */
export interface PlatformData {
  /** Profile name, e.g. `p4-prescott`. */
  name: string;
  /** What machine it describes. */
  description: string;
  /** Core clock in Hz (converts cycles to seconds for comparisons with published times). */
  clockHz: number;
  /** Costs and parameters by dotted key (`hw.vm-entry`, `tlb.l1d.entries`). */
  entries: Record<string, PlatformEntry>;
}

/**
 * A validated platform profile. Models read numbers through it so that a missing or bad
 * number is a one-line {@link ConfigError} naming the profile and key, not a NaN.
 */
export class Platform {
  /** Profile name. */
  readonly name: string;
  /** What machine it describes. */
  readonly description: string;
  /** Core clock in Hz. */
  readonly clockHz: number;
  /** Every entry, by key (read-only use). */
  readonly entries: Readonly<Record<string, PlatformEntry>>;
  /** Where the profile came from (file path or built-in name), for error messages. */
  readonly origin: string;

  /**
   * Validates `data` (src/platforms/validate.ts: every value in its declared range, every
   * entry sourced) and wraps it.
   */
  constructor(data: PlatformData, origin: string = data?.name) {
    this.origin = origin;
    validatePlatformData(data, origin);
    this.name = data.name;
    this.description = typeof data.description === "string" ? data.description : "";
    this.clockHz = data.clockHz;
    this.entries = data.entries;
  }

  /** Whether the profile has an entry for `key`. */
  has(key: string): boolean {
    return Object.hasOwn(this.entries, key);
  }

  /** The entry for `key`; a missing key is a {@link ConfigError}. */
  entry(key: string): PlatformEntry {
    if (!this.has(key)) {
      throw new ConfigError(this.origin, `platform ${this.name} has no entry`, `entries.${key}`);
    }
    return this.entries[key];
  }

  /** A cost in cycles; a missing key is a {@link ConfigError}. */
  cost(key: string): number {
    return this.entry(key).value;
  }

  /**
   * A structural parameter (entries, ways, levels, flags ...): a whole number no larger
   * than {@link MAX_STRUCTURAL_PARAM} (or its key's own declared range in
   * src/platforms/ranges.ts, when that is wider), so a model may size a table from it. A missing key
   * or another value is a {@link ConfigError}.
   */
  param(key: string): number {
    const v = this.entry(key).value;
    // A key whose own declared range is wider (an accounted size, not an allocated table)
    // may go to that range's end; every other one stops at the table bound.
    const declared = keyRange(key)?.range;
    const max = declared?.integer
      ? Math.max(declared.max, MAX_STRUCTURAL_PARAM)
      : MAX_STRUCTURAL_PARAM;
    if (!Number.isInteger(v) || v > max) {
      throw new ConfigError(
        this.origin,
        `value ${v} is not a table size or count (integers 0 to ${max}; ` +
          "declare the key's range in src/platforms/ranges.ts)",
        `entries.${key}.value`,
      );
    }
    return v;
  }

  /**
   * The first of `keys` the profile has, for specific-then-general lookups
   * (`bt.tc-emulate.cr8-write`, then `bt.tc-emulate`). None present is a {@link ConfigError}.
   */
  costOf(...keys: string[]): number {
    for (const k of keys) if (this.has(k)) return this.entries[k].value;
    throw new ConfigError(this.origin, `platform ${this.name} has no entry`, `entries.${keys[0]}`);
  }
}

// ---------------------------------------------------------------------------------------
// Guest state

/**
 * Guest state that is a pure function of the trace, kept by the engine (models read it,
 * never write it). Model-private state — TLBs, shadow tables, translation caches — lives
 * in the models; the TLB is the MMU model's (`ctx.mmu`).
 */
export interface GuestState {
  /** Current privilege level: 0 kernel, 3 user (from the last executed block). */
  readonly cpl: number;
  /** Current address-space root (last CR3 value written; 0 before the first write). */
  readonly cr3: number;
  /** Guest interrupt flag (cleared by CLI, set by STI; starts set). */
  readonly interruptsEnabled: boolean;
  /** Guest instructions executed so far. */
  readonly instructions: number;
  /** Iteration markers seen so far. */
  readonly iteration: number;
  /** Code address of the last instruction the trace named (sensitive, fault, PT write ...). */
  readonly pc: number;
  /** Code-table id of the last executed block (-1 before the first). */
  readonly block: number;
}

/** The engine's writable view of {@link GuestState}. */
export class MutableGuestState implements GuestState {
  /** Current privilege level. */
  cpl = 0;
  /** Current address-space root. */
  cr3 = 0;
  /** Guest interrupt flag. */
  interruptsEnabled = true;
  /** Guest instructions executed so far. */
  instructions = 0;
  /** Iteration markers seen so far. */
  iteration = 0;
  /** Code address of the last instruction the trace named. */
  pc = 0;
  /** Last executed block id. */
  block: number = -1;
}

// ---------------------------------------------------------------------------------------
// Contexts

/**
 * Model options from the configuration (`--option bt.tc-capacity=4096`); models read them
 * through their declarations (src/engine/options.ts `readOptions`).
 */
export type ModelOptions = Readonly<Record<string, number | string | boolean>>;

/** Most cycle categories / event counters one context can register. */
export const MAX_ACCOUNTS = 1024;

/**
 * What a model sees: costs, code, guest state, options, randomness, its siblings, and
 * the two accounts it charges. Register categories and counters once (at construction)
 * and keep the ids; in the hot path write `ctx.cycles[id] += c` / `ctx.events[id] += 1`.
 */
export interface ModelContext {
  /** Costs and parameters, with sources. */
  readonly platform: Platform;
  /** The trace's code table. */
  readonly code: CodeTable;
  /** The trace header (workload, devices table, page sizes ...). */
  readonly header: TraceHeaderLike;
  /** Engine-kept guest state. */
  readonly guest: GuestState;
  /** Model-specific configuration. */
  readonly options: ModelOptions;
  /** Seeded generator (each set has its own, seeded from `config.seed`). */
  readonly rng: Pcg32;
  /** Whether this context is the native baseline (models usually do not need to know). */
  readonly baseline: boolean;
  /** Registers (or finds) a cycle category by dotted name; returns its id. */
  category(name: string): number;
  /** Registers (or finds) an event counter by dotted name; returns its id. */
  counter(name: string): number;
  /** Cycles by category id. */
  readonly cycles: Float64Array;
  /** Event counts by counter id. */
  readonly events: Float64Array;
  /** Records a warning for the result (deduplicated by `key`; first message kept). */
  warn(key: string, message: string): void;
  /** The CPU model of this set. */
  readonly cpu: CpuModel;
  /** The MMU model of this set. */
  readonly mmu: MmuModel;
  /** The memory model of this set. */
  readonly memory: MemoryModel;
  /** The I/O model of this set. */
  readonly io: IoModel;
  /**
   * The set's cache hierarchy (null when switched off with `--option cache.hierarchy=false`;
   * absent in hand-built test contexts). The engine charges guest references and fetches
   * through it; models send their own references (walks, VMM footprints) through it.
   */
  readonly caches?: MemoryHierarchy | null;
}

/** The parts of a trace header the models may read (structurally matches the trace API's header). */
export interface TraceHeaderLike {
  /** Workload name. */
  readonly workload: string;
  /** Device table: `device` fields of records index it. */
  readonly devices: readonly string[];
  /** Page sizes the guest used, in bytes. */
  readonly pageSizes: readonly number[];
  /** The guest: `pagingLevels` (2 to 5, absent = 4) sizes every page walk. */
  readonly guest?: { readonly pagingLevels?: number; readonly arch?: string };
  /** Recorder facts beyond the schema (e.g. `pageSummaryInterval` of a page-access summary). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------
// Families

/** The four model families. */
export type Family = "cpu" | "mmu" | "memory" | "io";

/** The families in the engine's order (construction, `start`, `finish`). */
export const FAMILIES: readonly Family[] = ["cpu", "mmu", "memory", "io"];

/** What every model implements. */
export interface Model {
  /** Optional: called once after all four models of the set exist (siblings are readable). */
  start?(): void;
  /** Called after the last record; may add end-of-run charges. */
  finish(): void;
}

/** CPU virtualization technique: native, trap-and-emulate, binary translation, paravirtual, hardware assist. */
export interface CpuModel extends Model {
  /** `count` instructions of code-table block `block` executed (the whole block unless cut short). */
  exec(block: number, count: number): void;
  /** A sensitive instruction (except I/O-class ones, which the I/O model charges; see module doc). */
  sensitive(rec: TraceRecord): void;
  /** A guest exception; for vector 14, `ctx.mmu.pageFault` ran first. */
  exception(rec: TraceRecord): void;
  /** An external interrupt delivered to the guest. */
  interrupt(rec: TraceRecord): void;
  /** A collapsed repeated string instruction (`rec.count` iterations). */
  repString(rec: TraceRecord): void;
  /**
   * Charges getting from the guest into the VMM and back for `reason` (a {@link Transition}
   * code) at code address `pc`, under this CPU technique. Native charges nothing.
   */
  vmmTransition(reason: number, pc: number): void;
}

/** {@link MmuModel.intercepts} bit: the VMM must see every guest page fault. */
export const INTERCEPT_PAGE_FAULT = 1;
/** {@link MmuModel.intercepts} bit: the VMM must see every CR3 write. */
export const INTERCEPT_CR3 = 2;
/** {@link MmuModel.intercepts} bit: the VMM must see every INVLPG. */
export const INTERCEPT_INVLPG = 4;

/** Address translation: TLBs and walks, and how guest page tables are virtualized. */
export interface MmuModel extends Model {
  /**
   * Which guest events this MMU technique needs the VMM to intercept
   * (`INTERCEPT_*` bits): shadow paging needs all three; nested paging none.
   */
  readonly intercepts: number;
  /** A guest memory reference (translate it: TLB lookup, walk on a miss, hidden fault ...). */
  access(vaddr: number, paddr: number, size: number, flags: number): void;
  /** The guest wrote CR3 (`cr3` = new root); the CPU model already charged the instruction. */
  switchRoot(cr3: number): void;
  /** The guest invalidated the translation of `vaddr`; the CPU model already charged the instruction. */
  invlpg(vaddr: number): void;
  /** A store to a guest page-table entry. */
  ptWrite(rec: TraceRecord): void;
  /** A true guest page fault; returns whether the VMM intercepted it (and charged its classification). */
  pageFault(rec: TraceRecord): boolean;
  /** A full TLB flush (e.g. CR4.PGE toggle). */
  flush(): void;
}

/** Memory resource management: ballooning, host swapping, page sharing, idle memory tax. */
export interface MemoryModel extends Model {
  /** A workload marker (iteration boundaries, snapshots). */
  marker(rec: TraceRecord): void;
  /** The content hash of one guest-physical page. */
  pageHash(rec: TraceRecord): void;
  /**
   * Optional: a run of guest-physical pages one interval of the run's page-access summary
   * touched (`PageRun`), for models that follow the whole run's memory use around the
   * replayed window. Models without it ignore summaries.
   */
  pageRun?(rec: TraceRecord): void;
  /**
   * Optional: every guest memory reference (after the MMU saw it), for models that track
   * page use (working-set sampling, swapped pages, copy-on-write breaks). Models without
   * it cost the replay nothing per reference.
   */
  access?(vaddr: number, paddr: number, size: number, flags: number): void;
}

/** I/O virtualization: native, emulated, hosted, paravirtual, passthrough, channel. */
export interface IoModel extends Model {
  /** A port access reaching a device (the IN/OUT instruction itself was not charged by the CPU). */
  pio(rec: TraceRecord): void;
  /** An MMIO access reaching a device. */
  mmio(rec: TraceRecord): void;
  /** A DMA transfer. */
  dma(rec: TraceRecord): void;
  /** A block-device request. */
  blockRequest(rec: TraceRecord): void;
  /** A network request. */
  netRequest(rec: TraceRecord): void;
  /** An external interrupt (after the CPU model charged its delivery). */
  interrupt(rec: TraceRecord): void;
}

/** Maps a family to its interface. */
export interface FamilyModels {
  /** CPU models. */
  cpu: CpuModel;
  /** MMU models. */
  mmu: MmuModel;
  /** Memory models. */
  memory: MemoryModel;
  /** I/O models. */
  io: IoModel;
}

/** Builds a model for one replay. Called once per model set (baseline and configured). */
export type ModelFactory<F extends Family> = (ctx: ModelContext) => FamilyModels[F];

// ---------------------------------------------------------------------------------------
// Registry

/**
 * What a model declares when it registers: `vmmlab models` and docs/models.md print it, and
 * the engine checks options against it. Declare once, here; the model reads its options
 * with `readOptions(ctx.options, SAME_DECLS)` and its costs from the keys listed.
 */
export interface ModelInfo {
  /** One-line summary. */
  readonly summary: string;
  /** Every option the model reads (see src/engine/options.ts). */
  readonly options?: OptionDecls;
  /**
   * Every platform key the model reads. `[.<class>]` marks a specific-then-general lookup
   * (`bt.tc-emulate.cr8-write`, then `bt.tc-emulate`); `<name>` alone marks a family of keys.
   */
  readonly costs?: readonly string[];
}

interface Registration {
  factory: ModelFactory<Family>;
  info: ModelInfo;
}

const registry: Record<Family, Map<string, Registration>> = {
  cpu: new Map(),
  mmu: new Map(),
  memory: new Map(),
  io: new Map(),
};

/**
 * Makes a model available by name, with what it declares ({@link ModelInfo}). Built-in
 * models call it at module load; a user's model file (`vmmlab replay --model
 * ./my_model.ts`) calls it when imported. Registering a name twice is a
 * {@link ConfigError}.
 */
export function registerModel<F extends Family>(
  family: F,
  name: string,
  factory: ModelFactory<F>,
  info: ModelInfo,
): void {
  if (!(family in registry)) {
    throw new ConfigError("registerModel", `unknown model family "${family}"`);
  }
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new ConfigError("registerModel", `model name "${name}" must be lowercase-dashed`);
  }
  if (typeof info !== "object" || info === null || typeof info.summary !== "string") {
    throw new ConfigError("registerModel", `${family} model "${name}" needs a summary`);
  }
  if (registry[family].has(name)) {
    throw new ConfigError("registerModel", `${family} model "${name}" is already registered`);
  }
  const options = declareOptions(info.options ?? {});
  registry[family].set(name, {
    factory: factory as ModelFactory<Family>,
    info: { summary: info.summary, options, costs: [...(info.costs ?? [])] },
  });
}

/** What model `name` of `family` declared; an unknown name is a {@link ConfigError}. */
export function modelInfo(family: Family, name: string): ModelInfo {
  const reg = registry[family].get(name);
  if (!reg) {
    throw new ConfigError(
      `--${family}`,
      `unknown ${family} model "${name}" (known: ${modelNames(family).join(", ")})`,
    );
  }
  return reg.info;
}

/**
 * Rejects option keys that no registered model declares (a typo), in the one message form
 * of src/engine/options.ts. A key that some model declares but the configured ones do not
 * is not an error: experiments pass one option set to several configurations.
 */
export function checkOptionKeys(
  options: Readonly<Record<string, unknown>>,
  source: string = OPTION_SOURCE,
): void {
  const known = new Set<string>();
  for (const family of FAMILIES) {
    for (const reg of registry[family].values()) {
      for (const key of Object.keys(reg.info.options ?? {})) known.add(key);
    }
  }
  for (const key of Object.keys(options).sort()) {
    if (!known.has(key)) {
      throw new ConfigError(
        source,
        "no registered model has this option (vmmlab models lists them)",
        key,
      );
    }
  }
}

/** Whether a model name is registered in a family. */
export function hasModel(family: Family, name: string): boolean {
  return registry[family].has(name);
}

/** The registered names of a family, sorted. */
export function modelNames(family: Family): string[] {
  return [...registry[family].keys()].sort();
}

/** Builds model `name` of `family` for a context; an unknown name is a {@link ConfigError}. */
export function createModel<F extends Family>(
  family: F,
  name: string,
  ctx: ModelContext,
): FamilyModels[F] {
  const reg = registry[family].get(name);
  if (!reg) {
    throw new ConfigError(
      `--${family}`,
      `unknown ${family} model "${name}" (known: ${modelNames(family).join(", ")})`,
    );
  }
  return reg.factory(ctx) as FamilyModels[F];
}
