/**
 * Test doubles for the I/O mechanisms: an accounting env whose CPU transition has a known
 * cost, a cost table from a plain object, and builders for the records the models read.
 * Tests only; the models never import this module.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";
import { Field, FLAG_WRITE, NetOp, RecordKind, TraceRecord } from "../../trace/record.ts";
import { TRANSITION_NAMES } from "../../engine/model.ts";
import type { IoCostSource, IoEnv } from "./env.ts";

/** The category the test env charges CPU transitions to. */
export const TRANSITION_CATEGORY = "cpu.transition";

/** An {@link IoEnv} that records categories and counters by name and charges each transition a fixed cost. */
export class TestEnv implements IoEnv {
  readonly #names: string[] = [];
  readonly #counters: string[] = [];
  /** Cycles by category id. */
  cycles: Float64Array = new Float64Array(64);
  /** Events by counter id. */
  events: Float64Array = new Float64Array(64);
  /** Every transition asked for, as `reason@pc`. */
  readonly transitions: string[] = [];
  /** The pc `currentPc` reports. */
  pc = 0;
  /** The instruction count `currentInstructions` reports. */
  instructions = 0;
  readonly #transitionCost: number;
  readonly #transitionId: number;

  /** Creates an env whose every `vmmTransition` costs `transitionCost` cycles. */
  constructor(transitionCost = 0) {
    this.#transitionCost = transitionCost;
    this.#transitionId = this.category(TRANSITION_CATEGORY);
  }
  /** Registers or finds a category. */
  category(name: string): number {
    let i = this.#names.indexOf(name);
    if (i < 0) i = this.#names.push(name) - 1;
    return i;
  }
  /** Registers or finds a counter. */
  counter(name: string): number {
    let i = this.#counters.indexOf(name);
    if (i < 0) i = this.#counters.push(name) - 1;
    return i;
  }
  /** Records and charges one transition. */
  vmmTransition(reason: number, pc: number): void {
    this.transitions.push(`${TRANSITION_NAMES[reason]}@${pc}`);
    this.cycles[this.#transitionId] += this.#transitionCost;
  }
  /** The configured pc. */
  currentPc(): number {
    return this.pc;
  }
  /** The configured instruction count. */
  currentInstructions(): number {
    return this.instructions;
  }
  /** Cycles charged to a category (0 if never registered). */
  cyclesOf(name: string): number {
    const i = this.#names.indexOf(name);
    return i < 0 ? 0 : this.cycles[i];
  }
  /** Count of an event (0 if never registered). */
  eventsOf(name: string): number {
    const i = this.#counters.indexOf(name);
    return i < 0 ? 0 : this.events[i];
  }
  /** Sum of every category. */
  total(): number {
    let s = 0;
    for (let i = 0; i < this.#names.length; i++) s += this.cycles[i];
    return s;
  }
  /** Nonzero categories by name, for readable assertion failures. */
  breakdown(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < this.#names.length; i++) {
      if (this.cycles[i] !== 0) out[this.#names[i]] = this.cycles[i];
    }
    return out;
  }
}

/** A cost source over a plain object of cycles; missing keys throw like a platform would. */
export class TestCosts implements IoCostSource {
  readonly #table: Readonly<Record<string, number>>;
  /** Every key read, so tests can check which keys a model needs. */
  readonly read: Set<string> = new Set();
  /** Wraps a table of costs in cycles. */
  constructor(table: Readonly<Record<string, number>>) {
    this.#table = table;
  }
  /** Names the table in errors. */
  readonly origin = "test platform";
  /** Whether the key is present. */
  has(key: string): boolean {
    return Object.hasOwn(this.#table, key);
  }
  /** A structural parameter, read like a cost. */
  param(key: string): number {
    return this.cycles(key);
  }
  /** The cost, or a ConfigError naming the key. */
  cycles(key: string): number {
    this.read.add(key);
    if (!this.has(key)) throw new ConfigError("test platform", "missing cost", key);
    return this.#table[key];
  }
}

/** A port access record (an OUT when `write`). */
export function pioRecord(device: number, port: number, write: boolean, size = 1): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.Pio;
  r.f[Field.Reg] = port;
  r.f[Field.Size] = size;
  r.f[Field.Flags] = write ? FLAG_WRITE : 0;
  r.f[Field.Device] = device;
  return r;
}

/** An MMIO access record. */
export function mmioRecord(device: number, paddr: number, write: boolean, size = 4): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.Mmio;
  r.f[Field.Paddr] = paddr;
  r.f[Field.Size] = size;
  r.f[Field.Flags] = write ? FLAG_WRITE : 0;
  r.f[Field.Device] = device;
  return r;
}

/** A network request record (transmit unless `op` says otherwise). */
export function netRecord(
  device: number,
  length: number,
  op: number = NetOp.Transmit,
): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.NetRequest;
  r.f[Field.Device] = device;
  r.f[Field.Op] = op;
  r.f[Field.Length] = length;
  return r;
}

/** A block request record. */
export function blockRecord(
  device: number,
  op: number,
  offset: number,
  length: number,
): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.BlockRequest;
  r.f[Field.Device] = device;
  r.f[Field.Op] = op;
  r.f[Field.Addr] = offset;
  r.f[Field.Length] = length;
  return r;
}

/** A DMA record (`write`: the device writes guest memory). */
export function dmaRecord(
  device: number,
  paddr: number,
  length: number,
  write: boolean,
): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.Dma;
  r.f[Field.Device] = device;
  r.f[Field.Paddr] = paddr;
  r.f[Field.Length] = length;
  r.f[Field.Flags] = write ? FLAG_WRITE : 0;
  return r;
}

/** An interrupt record from a device-table entry. */
export function interruptRecord(device: number, vector: number, pc = 0): TraceRecord {
  const r = new TraceRecord();
  r.kind = RecordKind.Interrupt;
  r.f[Field.Device] = device;
  r.f[Field.Vector] = vector;
  r.f[Field.Pc] = pc;
  return r;
}
