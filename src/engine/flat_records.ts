/**
 * Decoded records kept in memory for benchmarks that must leave the decoder out of the
 * timed loop: each record is its kind byte plus only the fields that kind defines, packed
 * in one Float64Array (a memory reference takes 4 numbers, not the 17 slots of a
 * {@link TraceRecord}). {@link FlatCursor} replays them through the engine's
 * {@link RecordSource} interface without allocating.
 *
 * @module
 */

import type { RecordSource } from "./array_cursor.ts";
import { EXTENDED_SCHEMAS, Field, isMemKind, RecordKind, TraceRecord } from "../trace/record.ts";

const EXEC_FIELDS: readonly number[] = [Field.Block, Field.Count];
const MEM_FIELDS: readonly number[] = [Field.Addr, Field.Paddr, Field.Size, Field.Flags];

/** The fields a record of `kind` defines, in storage order (empty for an unknown kind). */
export function fieldsOf(kind: number): readonly number[] {
  if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) return EXEC_FIELDS;
  if (isMemKind(kind)) return MEM_FIELDS;
  return EXTENDED_SCHEMAS[kind] ?? [];
}

/**
 * Field layouts of all 256 kind codes, as typed arrays for the cursors' inner loops and
 * the replay machine's batch loop (src/engine/replay.ts `stepBatch`), which reads a
 * batch's values without a cursor.
 */
export const LAYOUTS: readonly Int8Array[] = Array.from(
  { length: 256 },
  (_, k) => Int8Array.from(fieldsOf(k)),
);

/** Records (or the subset `keep` selects) decoded once from any record source. */
export class FlatRecords {
  /** Kind code of each record. */
  readonly kinds: Uint8Array;
  /** The records' defined fields, back to back. */
  readonly values: Float64Array;
  /** Guest instructions of the kept Exec/ExecPartial records. */
  readonly instructions: number;

  /** Decodes every record of `source` for which `keep(kind)` holds (default: all). */
  constructor(source: RecordSource, keep: (kind: number) => boolean = () => true) {
    let kinds = new Uint8Array(1 << 16);
    let values = new Float64Array(1 << 18);
    let n = 0, o = 0, instructions = 0;
    const r = source.record;
    while (source.next()) {
      const kind = r.kind;
      if (!keep(kind)) continue;
      const layout = LAYOUTS[kind];
      if (n === kinds.length) {
        const k = new Uint8Array(kinds.length * 2);
        k.set(kinds);
        kinds = k;
      }
      if (o + layout.length > values.length) {
        const v = new Float64Array(values.length * 2);
        v.set(values);
        values = v;
      }
      kinds[n++] = kind;
      for (let j = 0; j < layout.length; j++) values[o++] = r.f[layout[j]];
      if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) {
        instructions += r.f[Field.Count];
      }
    }
    this.kinds = kinds.slice(0, n);
    this.values = values.slice(0, o);
    this.instructions = instructions;
  }

  /** Number of records. */
  get length(): number {
    return this.kinds.length;
  }

  /** A fresh cursor from the first record. */
  cursor(): FlatCursor {
    return new FlatCursor(this);
  }
}

/** Steps through {@link FlatRecords}, copying one record's fields per step. */
export class FlatCursor implements RecordSource {
  /** The current record (reused). */
  readonly record: TraceRecord = new TraceRecord();
  readonly #kinds: Uint8Array;
  readonly #values: Float64Array;
  #i = 0;
  #o = 0;

  /** A cursor over `flat`. */
  constructor(flat: FlatRecords) {
    this.#kinds = flat.kinds;
    this.#values = flat.values;
  }

  /** Advances; false after the last record. */
  next(): boolean {
    if (this.#i >= this.#kinds.length) return false;
    const kind = this.#kinds[this.#i++];
    const layout = LAYOUTS[kind];
    const f = this.record.f, v = this.#values;
    this.record.kind = kind;
    let o = this.#o;
    for (let j = 0; j < layout.length; j++) f[layout[j]] = v[o++];
    this.#o = o;
    return true;
  }
}

/** The most fields any record kind defines. */
const MAX_FIELDS = LAYOUTS.reduce((m, l) => Math.max(m, l.length), 0);

/**
 * One batch of records decoded once and stepped through by several machines (a group
 * replay, src/engine/group.ts): fixed-capacity arrays refilled batch after batch, so
 * memory stays constant in trace length and nothing is allocated per record.
 */
export class FlatBatch {
  /** Kind code of each record of the batch. */
  readonly kinds: Uint8Array;
  /** The records' defined fields, back to back. */
  readonly values: Float64Array;
  /** Records in the batch. */
  length = 0;

  /** A batch holding up to `capacity` records. */
  constructor(readonly capacity: number) {
    this.kinds = new Uint8Array(capacity);
    this.values = new Float64Array(capacity * MAX_FIELDS);
  }

  /** Replaces the batch with up to {@link capacity} records of `source`; returns how many. */
  fill(source: RecordSource): number {
    const kinds = this.kinds, values = this.values, r = source.record, f = r.f;
    let n = 0, o = 0;
    while (n < this.capacity && source.next()) {
      const kind = r.kind;
      kinds[n++] = kind;
      // The two hot kinds copy their fixed fields without the layout loop (the order of
      // MEM_FIELDS and EXEC_FIELDS): its trip count changes from record to record.
      if (kind >= 0x80 && kind <= 0x9f) {
        values[o] = f[Field.Addr];
        values[o + 1] = f[Field.Paddr];
        values[o + 2] = f[Field.Size];
        values[o + 3] = f[Field.Flags];
        o += 4;
        continue;
      }
      if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) {
        values[o] = f[Field.Block];
        values[o + 1] = f[Field.Count];
        o += 2;
        continue;
      }
      const layout = LAYOUTS[kind];
      for (let j = 0; j < layout.length; j++) values[o++] = f[layout[j]];
    }
    this.length = n;
    return n;
  }
}
