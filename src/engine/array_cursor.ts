/**
 * Hand-built traces for unit tests: a code table and a list of records held in memory,
 * replayed through the same cursor interface as a `.vmt` reader. Tests pin a model's
 * mechanism on a dozen records whose cycles can be computed by hand, without the
 * encoder in the loop.
 *
 * @module
 */

import { type CodeInstruction, type CodeTable, CodeTableBuilder } from "../trace/code_table.ts";
import { Field, FIELD_COUNT, RecordKind, TraceRecord } from "../trace/record.ts";
import type { TraceHeaderLike } from "./model.ts";
import { PAGE_SIZE } from "../trace/page.ts";

/** What the engine pulls records from: a reader's cursor or an {@link ArrayCursor}. */
export interface RecordSource {
  /** Advances; false at the end. */
  next(): boolean;
  /** The current record (reused between calls). */
  readonly record: TraceRecord;
}

/** Steps through records stored as rows of field values. */
export class ArrayCursor implements RecordSource {
  /** The current record. */
  readonly record: TraceRecord = new TraceRecord();
  readonly #kinds: readonly number[];
  readonly #fields: readonly Float64Array[];
  #i = 0;

  /** A cursor over parallel arrays of kinds and field rows. */
  constructor(kinds: readonly number[], fields: readonly Float64Array[]) {
    this.#kinds = kinds;
    this.#fields = fields;
  }

  /** Advances to the next stored record. */
  next(): boolean {
    if (this.#i >= this.#kinds.length) return false;
    this.record.kind = this.#kinds[this.#i];
    this.record.f.set(this.#fields[this.#i]);
    this.#i++;
    return true;
  }
}

/** Field values of one hand-built record, by field name. */
export type RecordFields = Partial<Record<keyof typeof Field, number>>;

/**
 * A trace under construction in memory, with writer-shaped methods. `cursor()` may be
 * called any number of times; each replays the records from the start.
 */
export class ArrayTrace {
  /** Header the models see. */
  readonly header: TraceHeaderLike & { workload: string };
  readonly #builder = new CodeTableBuilder();
  #code: CodeTable | null = null;
  readonly #kinds: number[] = [];
  readonly #fields: Float64Array[] = [];
  #instructions = 0;
  #iterations = 0;

  /** Starts an empty trace. */
  constructor(header: Partial<TraceHeaderLike> & { workload?: string } = {}) {
    this.header = {
      workload: header.workload ?? "hand-built",
      devices: header.devices ?? [],
      pageSizes: header.pageSizes ?? [PAGE_SIZE],
      ...(header.guest ? { guest: header.guest } : {}),
    };
  }

  /** Defines a code block and returns its id. */
  block(addr: number, cpl: number, instrs: readonly CodeInstruction[]): number {
    if (this.#code) throw new Error("blocks must be defined before the code table is read");
    return this.#builder.add(addr, cpl, instrs);
  }

  /** Appends a record of `kind` with the given fields. */
  add(kind: number, fields: RecordFields = {}): this {
    const row = new Float64Array(FIELD_COUNT);
    for (const [name, value] of Object.entries(fields)) {
      row[Field[name as keyof typeof Field]] = value as number;
    }
    this.#kinds.push(kind);
    this.#fields.push(row);
    return this;
  }

  /** A whole block executed. */
  exec(block: number): this {
    const n = this.#builder.blockLength(block);
    this.#instructions += n;
    return this.add(RecordKind.Exec, { Block: block, Count: n });
  }

  /** The first `count` instructions of a block executed. */
  execPartial(block: number, count: number): this {
    this.#instructions += count;
    return this.add(RecordKind.ExecPartial, { Block: block, Count: count });
  }

  /** A memory reference (`kind` encodes size and flags as the file format does). */
  mem(vaddr: number, paddr: number, size: number, flags: number): this {
    const kind = RecordKind.Mem | Math.log2(size) | ((flags & 1) << 3) | ((flags & 2) << 3);
    return this.add(kind, { Addr: vaddr, Paddr: paddr, Size: size, Flags: flags });
  }

  /** A sensitive instruction. */
  sensitive(op: number, pc: number, reg = 0, value = 0, size = 0, flags = 0): this {
    return this.add(RecordKind.Sensitive, {
      Op: op,
      Pc: pc,
      Reg: reg,
      Value: value,
      Size: size,
      Flags: flags,
    });
  }

  /** A page-table write. */
  ptWrite(paddr: number, level: number, value: number, flags: number, pc: number): this {
    return this.add(RecordKind.PtWrite, {
      Paddr: paddr,
      Level: level,
      Value: value,
      Flags: flags,
      Pc: pc,
    });
  }

  /** An exception. */
  exception(vector: number, code: number, addr: number, pc: number, flags = 0): this {
    return this.add(RecordKind.Exception, {
      Vector: vector,
      Code: code,
      Addr: addr,
      Pc: pc,
      Flags: flags,
    });
  }

  /** An interrupt. */
  interrupt(vector: number, device: number, pc: number): this {
    return this.add(RecordKind.Interrupt, { Vector: vector, Device: device, Pc: pc });
  }

  /** A port access. */
  pio(port: number, size: number, value: number, flags: number, device: number): this {
    return this.add(RecordKind.Pio, {
      Reg: port,
      Size: size,
      Value: value,
      Flags: flags,
      Device: device,
    });
  }

  /** A marker; iteration markers are counted. */
  marker(op: number, value: number): this {
    if (op === 3) this.#iterations++;
    return this.add(RecordKind.Marker, { Op: op, Value: value });
  }

  /** The frozen code table. */
  get code(): CodeTable {
    if (!this.#code) this.#code = this.#builder.build();
    return this.#code;
  }

  /** Guest instructions appended so far. */
  get instructions(): number {
    return this.#instructions;
  }

  /** Iteration markers appended so far. */
  get iterations(): number {
    return this.#iterations;
  }

  /** A fresh cursor over every record. */
  cursor(): ArrayCursor {
    return new ArrayCursor(this.#kinds, this.#fields);
  }
}
