/**
 * One chunk's records decoded once and kept in columns, so that every cursor of a trace
 * (the VMs of a host simulation, which loop over the same chunks and often run the same
 * trace) copies records out instead of decoding them again. Copying is a kind byte and
 * the fields that kind defines, which is what the decoder writes, so a cursor's
 * {@link TraceRecord} goes through exactly the states a private decode gives it, stale
 * fields included; a skip leaves each field as the last skipped record that defines it
 * left it, as decoding the skipped records one by one would.
 *
 * @module
 */

import type { ChunkDecoder } from "./chunk_codec.ts";
import { EXTENDED_SCHEMAS, Field, FIELD_COUNT, RecordKind, TraceRecord } from "./record.ts";

/** Bit mask of the record fields each kind code defines (0: the kind is not stored). */
const KIND_FIELDS = new Int32Array(256);
{
  const bit = (f: number) => 1 << f;
  for (let k = 0x80; k <= 0x9f; k++) {
    KIND_FIELDS[k] = bit(Field.Addr) | bit(Field.Paddr) | bit(Field.Size) | bit(Field.Flags);
  }
  KIND_FIELDS[RecordKind.Exec] = bit(Field.Block) | bit(Field.Count);
  KIND_FIELDS[RecordKind.ExecPartial] = bit(Field.Block) | bit(Field.Count);
  for (const [kind, schema] of Object.entries(EXTENDED_SCHEMAS)) {
    let m = 0;
    for (const f of schema) m |= bit(f);
    KIND_FIELDS[Number(kind)] = m;
  }
}

/** Extended kinds' field lists, indexed by kind code (empty: not an extended kind). */
const SCHEMAS: readonly (readonly number[])[] = Array.from(
  { length: 256 },
  (_, k) => EXTENDED_SCHEMAS[k] ?? [],
);

/** Every record field. */
const ALL_FIELDS = (1 << FIELD_COUNT) - 1;

/**
 * A chunk's records in columns: the kind, then two numbers per record (a memory
 * reference's virtual and physical address, an executed block's id and instruction
 * count, or an extended record's offset into `ext` and its field count). Never changed
 * once built, so a cursor may go on reading one that its reader has stopped keeping.
 */
export class DecodedChunk {
  /** Records held. */
  readonly count: number;
  /** Kind code per record. */
  readonly kinds: Uint8Array;
  /** First number per record (see the class comment). */
  readonly a: Float64Array;
  /** Second number per record. */
  readonly b: Float64Array;
  /** Extended records' fields, in their schema order. */
  readonly ext: Float64Array;
  /** Bytes of the columns (what a reader's budget counts). */
  readonly bytes: number;
  /**
   * The fewest bytes `records` records take (a kind byte and two numbers each, before any
   * extended record's fields): what a reader checks against its budget before decoding.
   */
  static leastBytes(records: number): number {
    return records * (1 + 2 * Float64Array.BYTES_PER_ELEMENT);
  }

  /** Per field, the first record that defines it (`count`: none), so a skip stops early. */
  readonly #firstDefined = new Float64Array(FIELD_COUNT);

  private constructor(kinds: Uint8Array, a: Float64Array, b: Float64Array, ext: Float64Array) {
    this.count = kinds.length;
    this.kinds = kinds;
    this.a = a;
    this.b = b;
    this.ext = ext;
    this.bytes = kinds.byteLength + a.byteLength + b.byteLength + ext.byteLength;
    this.#firstDefined.fill(kinds.length);
    let seen = 0;
    for (let i = 0; i < kinds.length && seen !== ALL_FIELDS; i++) {
      const m = KIND_FIELDS[kinds[i]] & ~seen;
      if (m === 0) continue;
      seen |= m;
      for (let fld = 0; fld < FIELD_COUNT; fld++) if (m & (1 << fld)) this.#firstDefined[fld] = i;
    }
  }

  /**
   * Decodes the `records` records of the chunk that `decoder` has just been started on,
   * to its end and its trailing-bytes check. Returns null when the chunk holds records of
   * kinds this reader does not know (the decoder counts those as it skips them, which a
   * shared copy would not reproduce); throws whatever the decoder throws.
   */
  static decode(decoder: ChunkDecoder, records: number): DecodedChunk | null {
    const kinds = new Uint8Array(records);
    const a = new Float64Array(records);
    const b = new Float64Array(records);
    let ext = new Float64Array(64);
    let extLen = 0;
    const rec = new TraceRecord();
    const f = rec.f;
    const unknown = decoder.skippedUnknown;
    let n = 0;
    while (decoder.next(rec)) {
      if (n >= records) return null;
      const k = rec.kind;
      kinds[n] = k;
      if (k >= 0x80) {
        a[n] = f[Field.Addr];
        b[n] = f[Field.Paddr];
      } else if (k === RecordKind.Exec || k === RecordKind.ExecPartial) {
        a[n] = f[Field.Block];
        b[n] = f[Field.Count];
      } else {
        const schema = SCHEMAS[k];
        if (extLen + schema.length > ext.length) {
          const grown = new Float64Array(Math.max(ext.length * 2, extLen + schema.length));
          grown.set(ext);
          ext = grown;
        }
        a[n] = extLen;
        b[n] = schema.length;
        for (let i = 0; i < schema.length; i++) ext[extLen++] = f[schema[i]];
      }
      n++;
    }
    decoder.finish();
    if (n !== records || decoder.skippedUnknown !== unknown) return null;
    return new DecodedChunk(kinds, a, b, ext.slice(0, extLen));
  }

  /** Fills `rec` with record `i` (the fields its kind defines; the others keep theirs). */
  copy(i: number, rec: TraceRecord): void {
    const k = this.kinds[i];
    const f = rec.f;
    rec.kind = k;
    if (k >= 0x80) {
      f[Field.Addr] = this.a[i];
      f[Field.Paddr] = this.b[i];
      f[Field.Size] = 1 << (k & 7);
      f[Field.Flags] = (k >> 3) & 3;
    } else if (k === RecordKind.Exec || k === RecordKind.ExecPartial) {
      f[Field.Block] = this.a[i];
      f[Field.Count] = this.b[i];
    } else {
      const schema = SCHEMAS[k];
      const at = this.a[i];
      for (let j = 0; j < schema.length; j++) f[schema[j]] = this.ext[at + j];
    }
  }

  /**
   * Leaves `rec` as reading records `[from, to)` one by one would: each field as the
   * last of them that defines it set it (untouched if none does), the kind that of
   * record `to - 1`. Walks back from `to - 1` only until every field is settled.
   */
  settle(rec: TraceRecord, from: number, to: number): void {
    if (to <= from) return;
    const kinds = this.kinds;
    const f = rec.f;
    rec.kind = kinds[to - 1];
    let open = 0;
    for (let fld = 0; fld < FIELD_COUNT; fld++) if (this.#firstDefined[fld] < to) open |= 1 << fld;
    for (let i = to - 1; i >= from && open !== 0; i--) {
      const k = kinds[i];
      const m = KIND_FIELDS[k] & open;
      if (m === 0) continue;
      open &= ~m;
      if (k >= 0x80) {
        if (m & (1 << Field.Addr)) f[Field.Addr] = this.a[i];
        if (m & (1 << Field.Paddr)) f[Field.Paddr] = this.b[i];
        if (m & (1 << Field.Size)) f[Field.Size] = 1 << (k & 7);
        if (m & (1 << Field.Flags)) f[Field.Flags] = (k >> 3) & 3;
      } else if (k === RecordKind.Exec || k === RecordKind.ExecPartial) {
        if (m & (1 << Field.Block)) f[Field.Block] = this.a[i];
        if (m & (1 << Field.Count)) f[Field.Count] = this.b[i];
      } else {
        const schema = SCHEMAS[k];
        const at = this.a[i];
        for (let j = 0; j < schema.length; j++) {
          if (m & (1 << schema[j])) f[schema[j]] = this.ext[at + j];
        }
      }
    }
  }
}
