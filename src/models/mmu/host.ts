/**
 * The narrow view of the replay engine that the MMU and memory mechanisms use: register
 * and bump cycle categories and event counters by id, read a platform cost, and ask the
 * CPU model for a guest→VMM→guest transition. Keeping the mechanisms behind this interface
 * lets them be unit-tested with {@link RecordingHost} and wired to the engine's
 * `ModelContext` by a thin adapter.
 *
 * @module
 */

import type { ModelContext } from "../../engine/model.ts";
import type { MemoryHierarchy } from "../memory/hierarchy.ts";
import { TRANSITION_NAMES } from "../../engine/model.ts";

/** The guest state a mechanism reads (the engine keeps it). */
export interface HostGuest {
  /** Current privilege level (0 kernel, 3 user). */
  readonly cpl: number;
  /** Code address of the last instruction the trace named. */
  readonly pc: number;
}

/** What a mechanism needs from the engine. */
export interface MmuHost {
  /** Engine-kept guest state. */
  readonly guest: HostGuest;
  /** Registers (or finds) a cycle category and returns its id. */
  category(name: string): number;
  /** Registers (or finds) an event counter and returns its id. */
  counter(name: string): number;
  /** Cycles by category id. */
  readonly cycles: Float64Array;
  /** Event counts by counter id. */
  readonly events: Float64Array;
  /** A platform cost in cycles (throws ConfigError if the platform lacks it). */
  cost(key: string): number;
  /** Whether the platform has `key` (optional structural parameters). */
  has(key: string): boolean;
  /** The set's cache hierarchy, when modelled: walk and shadow-table references go through it. */
  readonly caches?: MemoryHierarchy | null;
  /**
   * Charges one guest→VMM→guest transition for `reason` (an engine `Transition` code) under
   * the configured CPU technique.
   */
  transition(reason: number, pc: number): void;
}

/** Adapts an engine {@link ModelContext} to {@link MmuHost}. */
export function contextHost(ctx: ModelContext): MmuHost {
  return {
    guest: ctx.guest,
    category: (name) => ctx.category(name),
    counter: (name) => ctx.counter(name),
    get cycles() {
      return ctx.cycles;
    },
    get events() {
      return ctx.events;
    },
    cost: (key) => ctx.platform.cost(key),
    has: (key) => ctx.platform.has(key),
    caches: ctx.caches ?? null,
    transition: (reason, pc) => ctx.cpu.vmmTransition(reason, pc),
  };
}

/**
 * A self-contained {@link MmuHost} for tests and tools: fixed costs from a table, growable
 * counters, and a log of requested transitions.
 */
export class RecordingHost implements MmuHost {
  readonly #categories = new Map<string, number>();
  readonly #counters = new Map<string, number>();
  readonly #costs: Readonly<Record<string, number>>;
  /** Cycles by category id (room for 256 categories). */
  readonly cycles: Float64Array = new Float64Array(256);
  /** Events by counter id (room for 256 counters). */
  readonly events: Float64Array = new Float64Array(256);
  /** Every transition requested, in order, as `reason@pc` (reason by its engine name). */
  readonly transitions: string[] = [];
  /** Guest state the test sets directly. */
  readonly guest: { cpl: number; pc: number } = { cpl: 0, pc: 0 };
  /** Cost keys read, in first-read order. */
  readonly costKeysRead: string[] = [];

  /** Creates a host whose platform costs are `costs`. */
  constructor(costs: Readonly<Record<string, number>> = {}) {
    this.#costs = costs;
  }

  /** Registers a category. */
  category(name: string): number {
    let id = this.#categories.get(name);
    if (id === undefined) this.#categories.set(name, id = this.#categories.size);
    return id;
  }

  /** Registers a counter. */
  counter(name: string): number {
    let id = this.#counters.get(name);
    if (id === undefined) this.#counters.set(name, id = this.#counters.size);
    return id;
  }

  /** Reads a cost; a missing key is an error, as on a real platform. */
  cost(key: string): number {
    const v = this.#costs[key];
    if (v === undefined) throw new Error(`test platform has no cost ${key}`);
    if (!this.costKeysRead.includes(key)) this.costKeysRead.push(key);
    return v;
  }

  /** Whether the test platform has `key`. */
  has(key: string): boolean {
    return Object.hasOwn(this.#costs, key);
  }

  /** Logs a transition. */
  transition(reason: number, pc: number): void {
    this.transitions.push(`${TRANSITION_NAMES[reason]}@${pc}`);
  }

  /** Cycles charged to a category by name (0 if never registered). */
  cyclesOf(name: string): number {
    const id = this.#categories.get(name);
    return id === undefined ? 0 : this.cycles[id];
  }

  /** Count of an event by name (0 if never registered). */
  eventOf(name: string): number {
    const id = this.#counters.get(name);
    return id === undefined ? 0 : this.events[id];
  }

  /** Every non-zero counter by name, sorted by name (stable test output). */
  eventTable(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of [...this.#counters.keys()].sort()) {
      const v = this.events[this.#counters.get(name)!];
      if (v !== 0) out[name] = v;
    }
    return out;
  }
}
