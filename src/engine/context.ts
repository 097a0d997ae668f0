/**
 * The concrete {@link ModelContext} of one model set: the cycle and event accounts,
 * the warning list, and the four sibling models. The engine builds one for the native
 * baseline and one for the configured set.
 *
 * @module
 */

import type { CodeTable } from "../trace/code_table.ts";
import { Pcg32 } from "../util/pcg32.ts";
import { MemoryHierarchy } from "../models/memory/hierarchy.ts";
import { hierarchyEnabled, hierarchyShape } from "../models/memory/hierarchy_config.ts";
import {
  type CpuModel,
  createModel,
  type GuestState,
  type IoModel,
  MAX_ACCOUNTS,
  type MemoryModel,
  type MmuModel,
  type ModelContext,
  type ModelOptions,
  type Platform,
  type TraceHeaderLike,
} from "./model.ts";

/** Which model of each family a set runs. */
export interface ModelChoice {
  /** CPU model name. */
  cpu: string;
  /** MMU model name. */
  mmu: string;
  /** Memory model name. */
  memory: string;
  /** I/O model name. */
  io: string;
}

const idle = (): void => {};

/**
 * The models of an idle set: they charge nothing and keep no state. A machine whose
 * native baseline another machine of a group replay runs (src/engine/group.ts) steps
 * these in its place, so the engine loop keeps one shape for both cases.
 */
const IDLE = {
  cpu: {
    exec: idle,
    sensitive: idle,
    exception: idle,
    interrupt: idle,
    repString: idle,
    vmmTransition: idle,
    finish: idle,
  } satisfies CpuModel,
  mmu: {
    intercepts: 0,
    access: idle,
    switchRoot: idle,
    invlpg: idle,
    ptWrite: idle,
    pageFault: () => false,
    flush: idle,
    finish: idle,
  } satisfies MmuModel,
  memory: { marker: idle, pageHash: idle, finish: idle } satisfies MemoryModel,
  io: {
    pio: idle,
    mmio: idle,
    dma: idle,
    blockRequest: idle,
    netRequest: idle,
    interrupt: idle,
    finish: idle,
  } satisfies IoModel,
};

/** Named accounts (cycle categories or event counters) over a fixed-capacity typed array. */
class Accounts {
  readonly values: Float64Array = new Float64Array(MAX_ACCOUNTS);
  /** Values at the end of the warm-up, subtracted from every reported figure. */
  readonly base: Float64Array = new Float64Array(MAX_ACCOUNTS);
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  id(name: string): number {
    const found = this.#ids.get(name);
    if (found !== undefined) return found;
    if (!/^[a-z0-9][a-z0-9.\-_]*$/.test(name)) {
      throw new RangeError(`${this.#what} name "${name}" must be dotted lowercase`);
    }
    if (this.names.length >= MAX_ACCOUNTS) {
      throw new RangeError(`more than ${MAX_ACCOUNTS} ${this.#what} names`);
    }
    const id = this.names.length;
    this.names.push(name);
    this.#ids.set(name, id);
    return id;
  }

  /** Name → value for non-zero accounts, sorted by name (the result's fixed key order). */
  sorted(round: (x: number) => number): Record<string, number> {
    const pairs: [string, number][] = [];
    for (let i = 0; i < this.names.length; i++) {
      const v = this.values[i] - this.base[i];
      if (v !== 0) pairs.push([this.names[i], round(v)]);
    }
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return Object.fromEntries(pairs);
  }

  total(): number {
    let s = 0;
    for (let i = 0; i < this.names.length; i++) s += this.values[i] - this.base[i];
    return s;
  }
}

/** One model set and the context its models share. */
export class SetContext implements ModelContext {
  readonly platform: Platform;
  readonly code: CodeTable;
  readonly header: TraceHeaderLike;
  readonly guest: GuestState;
  readonly options: ModelOptions;
  readonly rng: Pcg32;
  readonly baseline: boolean;
  readonly cycles: Float64Array;
  readonly events: Float64Array;
  /** The set's cache hierarchy, or null when switched off. */
  readonly caches: MemoryHierarchy | null;
  readonly #categories = new Accounts("category");
  readonly #counters = new Accounts("counter");
  readonly #warnings = new Map<string, string>();
  readonly #warningOrder: string[] = [];
  #cpu: CpuModel | null = null;
  #mmu: MmuModel | null = null;
  #memory: MemoryModel | null = null;
  #io: IoModel | null = null;

  /**
   * Builds the context and its four models (constructed in family order, then started).
   * `models` null builds an idle set: no caches, models that do nothing.
   */
  constructor(init: {
    platform: Platform;
    code: CodeTable;
    header: TraceHeaderLike;
    guest: GuestState;
    options: ModelOptions;
    seed: number;
    baseline: boolean;
    models: ModelChoice | null;
  }) {
    this.platform = init.platform;
    this.code = init.code;
    this.header = init.header;
    this.guest = init.guest;
    this.options = init.options;
    this.baseline = init.baseline;
    this.rng = new Pcg32(init.seed, init.baseline ? 1 : 2);
    this.cycles = this.#categories.values;
    this.events = this.#counters.values;
    if (init.models === null) {
      this.caches = null;
      this.#cpu = IDLE.cpu;
      this.#mmu = IDLE.mmu;
      this.#memory = IDLE.memory;
      this.#io = IDLE.io;
      return;
    }
    // Built before the models, which keep a reference to it for their own references.
    this.caches = hierarchyEnabled(init.options, init.platform)
      ? new MemoryHierarchy(hierarchyShape(init.platform), this, init.code)
      : null;
    this.#cpu = createModel("cpu", init.models.cpu, this);
    this.#mmu = createModel("mmu", init.models.mmu, this);
    this.#memory = createModel("memory", init.models.memory, this);
    this.#io = createModel("io", init.models.io, this);
    this.#cpu.start?.();
    this.#mmu.start?.();
    this.#memory.start?.();
    this.#io.start?.();
  }

  /** Registers or finds a cycle category. */
  category(name: string): number {
    return this.#categories.id(name);
  }

  /** Registers or finds an event counter. */
  counter(name: string): number {
    return this.#counters.id(name);
  }

  /** Records a warning once per key, in first-seen order (trace order, hence deterministic). */
  warn(key: string, message: string): void {
    if (this.#warnings.has(key)) return;
    this.#warnings.set(key, message);
    this.#warningOrder.push(key);
  }

  /** The CPU model (throws while the set is still being built). */
  get cpu(): CpuModel {
    if (!this.#cpu) throw new Error("ctx.cpu read before the CPU model was built; use start()");
    return this.#cpu;
  }
  /** The MMU model. */
  get mmu(): MmuModel {
    if (!this.#mmu) throw new Error("ctx.mmu read before the MMU model was built; use start()");
    return this.#mmu;
  }
  /** The memory model. */
  get memory(): MemoryModel {
    if (!this.#memory) {
      throw new Error("ctx.memory read before the memory model was built; use start()");
    }
    return this.#memory;
  }
  /** The I/O model. */
  get io(): IoModel {
    if (!this.#io) throw new Error("ctx.io read before the I/O model was built; use start()");
    return this.#io;
  }

  /** Calls every model's `finish()` in family order. */
  finish(): void {
    this.cpu.finish();
    this.mmu.finish();
    this.memory.finish();
    this.io.finish();
  }

  /**
   * Ends the warm-up: what was charged and counted so far is left out of every figure
   * reported later (models keep their state: caches stay warm).
   */
  endWarmup(): void {
    this.#categories.base.set(this.#categories.values);
    this.#counters.base.set(this.#counters.values);
  }

  /** Total cycles over all categories (after the warm-up). */
  totalCycles(): number {
    return this.#categories.total();
  }

  /** Non-zero categories, sorted by name. */
  breakdown(round: (x: number) => number): Record<string, number> {
    return this.#categories.sorted(round);
  }

  /** Non-zero counters, sorted by name. */
  eventCounts(): Record<string, number> {
    return this.#counters.sorted((x) => x);
  }

  /** Warnings in first-seen order. */
  warnings(): string[] {
    return this.#warningOrder.map((k) => this.#warnings.get(k)!);
  }
}
