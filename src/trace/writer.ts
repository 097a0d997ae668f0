/**
 * The streaming `.vmt` writer. Records go into the current chunk's columns; a full chunk
 * is deflated and written at once, so memory stays bounded by one chunk plus the code
 * table. Output is a pure function of the calls made: no timestamps, fixed compression
 * level, deterministic predictor state.
 *
 * @module
 */

import { deflateSync } from "npm:fflate@0.8.3";
import { dirname } from "node:path";
import { type CodeInstruction, CodeTableBuilder } from "./code_table.ts";
import { encodeCodeTable } from "./code_table.ts";
import { ChunkEncoder, memKindCode } from "./chunk_codec.ts";
import { ContentHasher } from "./content_hash.ts";
import { crc32 } from "./crc32.ts";
import {
  Codec,
  DEFAULT_CHUNK_RECORDS,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  MAGIC,
  MAX_CHUNK_RAW,
  MAX_CHUNK_RECORDS,
  MAX_CHUNKS,
  MAX_HEADER_JSON,
  MAX_JSON_DEPTH,
  MAX_MEM_SIZE,
  MAX_SUMMARY_JSON,
  SECTION_HEADER_SIZE,
  Tag,
  TRAILER_MAGIC,
} from "./format.ts";
import {
  jsonDepth,
  type MarkerEntry,
  type TraceHeader,
  type TraceHeaderInit,
  type TraceSummary,
} from "./header.ts";
import {
  EXTENDED_SCHEMAS,
  Field,
  isMemKind,
  kindName,
  MarkerOp,
  RecordKind,
  sensitiveName,
  TraceRecord,
} from "./record.ts";
import { ByteSink } from "./varint.ts";
import { TraceLimitError } from "./errors.ts";
import { refuseSpecialFile, releaseTemp, tempPathFor } from "../util/atomic.ts";
import { environmentError } from "../util/errors.ts";

/** Writer options. */
export interface TraceWriterOptions {
  /** Records per chunk (default 1 Mi). Smaller chunks seek finer; larger compress better. */
  chunkRecords?: number;
  /** Deflate level 1–9 (default 6). */
  level?: number;
  /**
   * A pipeline of chunk compressions (another thread), so that deflating one chunk (most
   * of the writer's time) overlaps encoding the next. Results must come back in
   * submission order and be exactly what fflate's `deflateSync` produces at the same
   * level, so the file is byte-identical with or without it. The writer does not close it.
   */
  compressor?: {
    /**
     * Starts deflating a copy of `raw` at `level` and computing its CRC-32 (the section
     * header's checksum); the caller may reuse `raw` at once.
     */
    submit(raw: Uint8Array, level: number): void;
    /** Whether the oldest pending result is ready (taking it would not block). */
    ready(): boolean;
    /** The oldest pending result, waiting for it if needed. */
    take(): {
      /** The deflated bytes. */
      stored: Uint8Array;
      /** CRC-32 of the uncompressed payload. */
      crc: number;
    };
  };
}

/** The interface a {@link TraceWriterOptions} compressor implements. */
export type ChunkCompressor = NonNullable<TraceWriterOptions["compressor"]>;

/** One chunk as a {@link ChunkCompressor} returns it: deflated bytes and payload CRC. */
export type CompressedChunk = ReturnType<ChunkCompressor["take"]>;

/**
 * A chunk is closed before its payload passes this size, whatever its record count, so no
 * chunk breaks MAX_CHUNK_RAW (one record adds well under 1 KB).
 */
const CHUNK_FLUSH_BYTES = MAX_CHUNK_RAW - 4096;

/** Chunks a compressor may hold before the writer waits for the oldest. */
const MAX_IN_FLIGHT = 2;

interface ChunkEntry {
  offset: number;
  records: number;
  instructions: number;
  raw: number;
  stored: number;
  firstInstruction: number;
}

/** A chunk handed to the compressor whose section is not written yet. */
interface PendingChunk {
  records: number;
  instructions: number;
  raw: number;
  firstInstruction: number;
}

type Sink = { write(bytes: Uint8Array): void };

/** Writes a trace to a file (atomically, via a temporary file) or to memory. */
export class TraceWriter {
  readonly #sink: Sink;
  readonly #file: Deno.FsFile | null;
  readonly #path: string | null;
  readonly #tmp: string | null;
  readonly #memory: ByteSink | null;
  readonly #chunkRecords: number;
  readonly #level: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  readonly #compressor: ChunkCompressor | null;
  readonly #inFlight: PendingChunk[] = [];
  readonly #code = new CodeTableBuilder();
  readonly #enc = new ChunkEncoder();
  readonly #hasher = new ContentHasher();
  readonly #rec = new TraceRecord();
  readonly #payload = new ByteSink(1 << 20);
  readonly #chunks: ChunkEntry[] = [];
  readonly #kinds = new Float64Array(256);
  readonly #sensitive = new Float64Array(256);
  readonly #exceptions = new Float64Array(256);
  readonly #markers: MarkerEntry[] = [];
  #offset = 0;
  #records = 0;
  #instructions = 0;
  #repIterations = 0;
  #done = false;

  private constructor(
    header: TraceHeaderInit,
    options: TraceWriterOptions,
    target: { file: Deno.FsFile; path: string; tmp: string } | null,
  ) {
    const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS;
    if (!Number.isInteger(chunkRecords) || chunkRecords < 1) {
      throw new RangeError(`chunkRecords must be a positive integer, not ${chunkRecords}`);
    }
    if (chunkRecords > MAX_CHUNK_RECORDS) {
      throw new TraceLimitError(
        target?.path ?? "<memory>",
        "maximum records per chunk",
        MAX_CHUNK_RECORDS,
        `${chunkRecords} records per chunk asked for`,
      );
    }
    const level = options.level ?? 6;
    if (!Number.isInteger(level) || level < 1 || level > 9) {
      throw new RangeError(`deflate level must be 1-9, not ${level}`);
    }
    this.#chunkRecords = chunkRecords;
    this.#level = level as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
    this.#compressor = options.compressor ?? null;
    if (target) {
      this.#file = target.file;
      this.#path = target.path;
      this.#tmp = target.tmp;
      this.#memory = null;
      const file = target.file;
      const path = target.path;
      this.#sink = {
        write(bytes: Uint8Array) {
          let done = 0;
          try {
            while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
          } catch (e) {
            // A full disk names the trace being written, not an anonymous file handle.
            throw environmentError(e, path) ?? e;
          }
        },
      };
    } else {
      this.#file = null;
      this.#path = null;
      this.#tmp = null;
      const mem = new ByteSink(1 << 16);
      this.#memory = mem;
      this.#sink = { write: (bytes: Uint8Array) => mem.bytes(bytes) };
    }
    this.#writeHeader(header);
    this.#enc.reset(0);
  }

  /** Opens a writer that produces `path` when closed (nothing appears there before). */
  static create(
    path: string,
    header: TraceHeaderInit,
    options: TraceWriterOptions = {},
  ): TraceWriter {
    refuseSpecialFile(path);
    const tmp = tempPathFor(path);
    let file: Deno.FsFile;
    try {
      Deno.mkdirSync(dirname(path), { recursive: true });
      file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    } catch (e) {
      releaseTemp(tmp);
      throw environmentError(e, path) ?? e;
    }
    try {
      return new TraceWriter(header, options, { file, path, tmp });
    } catch (e) {
      file.close();
      Deno.removeSync(tmp);
      releaseTemp(tmp);
      throw e;
    }
  }

  /** Opens a writer that keeps the trace in memory; {@link finish} returns the bytes. */
  static inMemory(header: TraceHeaderInit, options: TraceWriterOptions = {}): TraceWriter {
    return new TraceWriter(header, options, null);
  }

  #writeHeader(init: TraceHeaderInit): void {
    const header: TraceHeader = { format: "vmmlab.trace", version: FORMAT_MAJOR, ...init };
    const json = new TextEncoder().encode(JSON.stringify(header));
    if (jsonDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      throw new TraceLimitError(
        this.#path ?? "<memory>",
        "maximum JSON nesting depth",
        MAX_JSON_DEPTH,
        "the header JSON nests too deeply",
      );
    }
    if (json.length > MAX_HEADER_JSON) {
      throw new TraceLimitError(
        this.#path ?? "<memory>",
        "maximum header size",
        MAX_HEADER_JSON,
        `the header JSON is ${json.length} bytes`,
      );
    }
    const fixed = new ByteSink(20);
    fixed.bytes(MAGIC);
    fixed.byte(FORMAT_MAJOR & 0xff);
    fixed.byte(FORMAT_MAJOR >> 8);
    fixed.byte(FORMAT_MINOR & 0xff);
    fixed.byte(FORMAT_MINOR >> 8);
    fixed.u32(json.length);
    fixed.u32(crc32(json));
    this.#emitBytes(fixed.view());
    this.#emitBytes(json);
  }

  #emitBytes(bytes: Uint8Array): void {
    this.#sink.write(bytes);
    this.#offset += bytes.length;
  }

  /** Number of records written so far. */
  get records(): number {
    return this.#records;
  }

  /** Number of guest instructions written so far. */
  get instructions(): number {
    return this.#instructions;
  }

  /** Defines a basic block in the code table; returns its id for {@link exec}. */
  defineBlock(addr: number, cpl: number, instructions: readonly CodeInstruction[]): number {
    const id = this.#code.add(addr, cpl, instructions);
    this.#enc.reserveBlocks(id + 1);
    return id;
  }

  /** Records that a whole block executed. */
  exec(block: number): void {
    this.#execRecord(block, -1);
  }

  /** Records that the first `count` instructions of a block executed. */
  execPartial(block: number, count: number): void {
    this.#execRecord(block, count);
  }

  #execRecord(block: number, count: number): void {
    if (!(Number.isInteger(block) && block >= 0 && block < this.#code.blockCount)) {
      throw new RangeError(`block ${block} is not defined`);
    }
    const length = this.#code.blockLength(block);
    const full = count < 0 || count === length;
    const n = full ? length : count;
    if (!full && !(Number.isInteger(count) && count >= 1 && count < length)) {
      throw new RangeError(`partial count ${count} for a block of ${length} instructions`);
    }
    if (this.#enc.records >= this.#chunkRecords || this.#enc.size > CHUNK_FLUSH_BYTES) {
      this.#flushChunk();
    }
    const rec = this.#rec;
    rec.kind = full ? RecordKind.Exec : RecordKind.ExecPartial;
    rec.f[Field.Block] = block;
    rec.f[Field.Count] = n;
    this.#enc.exec(block, n, full);
    this.#count(rec);
    this.#instructions += n;
  }

  /**
   * Records a memory reference. Sizes that are not a power of two are rounded up, and
   * accesses larger than 128 bytes are split into 128-byte pieces.
   */
  mem(vaddr: number, paddr: number, size: number, flags: number): void {
    if (!Number.isSafeInteger(vaddr) || !Number.isSafeInteger(paddr) || paddr < 0) {
      throw new RangeError(`memory reference at ${vaddr}/${paddr} is not a valid address`);
    }
    if (!(size >= 1)) throw new RangeError(`memory reference size ${size} is not positive`);
    while (size > MAX_MEM_SIZE) {
      this.#memRecord(vaddr, paddr, MAX_MEM_SIZE, flags);
      vaddr += MAX_MEM_SIZE;
      paddr += MAX_MEM_SIZE;
      size -= MAX_MEM_SIZE;
    }
    let pow = 1;
    while (pow < size) pow *= 2;
    this.#memRecord(vaddr, paddr, pow, flags);
  }

  #memRecord(vaddr: number, paddr: number, size: number, flags: number): void {
    // Memory references stay with their block unless a chunk has grown to twice its size.
    if (this.#enc.records >= 2 * this.#chunkRecords || this.#enc.size > CHUNK_FLUSH_BYTES) {
      this.#flushChunk();
    }
    const code = memKindCode(size, flags);
    const rec = this.#rec;
    rec.kind = code;
    rec.f[Field.Addr] = vaddr;
    rec.f[Field.Paddr] = paddr;
    this.#enc.mem(code, vaddr, paddr);
    this.#count(rec);
  }

  // The extended kinds' writers take their values in the order of the kind's schema in
  // record.ts (EXTENDED_SCHEMAS), the file's field order; #ext stores them by that schema,
  // so the field lists live in one place.

  /** Records a sensitive instruction (`SensitiveOp`) with its operands. */
  sensitive(op: number, pc: number, reg: number, value: number, size: number, flags: number): void {
    this.#ext(RecordKind.Sensitive, [op, pc, reg, value, size, flags]);
  }

  /** Records a store to a guest page-table entry at `paddr` of the given level (0 unknown). */
  ptWrite(paddr: number, level: number, value: number, flags: number, pc: number): void {
    this.#ext(RecordKind.PtWrite, [paddr, level, value, flags, pc]);
  }

  /** Records an exception taken by the guest. */
  exception(vector: number, errorCode: number, addr: number, pc: number, flags: number): void {
    this.#ext(RecordKind.Exception, [vector, errorCode, addr, pc, flags]);
  }

  /** Records an external interrupt delivered to the guest. */
  interrupt(vector: number, device: number, pc: number): void {
    this.#ext(RecordKind.Interrupt, [vector, device, pc]);
  }

  /** Records a port I/O access reaching a device. */
  pio(port: number, size: number, value: number, flags: number, device: number): void {
    this.#ext(RecordKind.Pio, [port, size, value, flags, device]);
  }

  /** Records an MMIO access reaching a device. */
  mmio(paddr: number, size: number, value: number, flags: number, device: number): void {
    this.#ext(RecordKind.Mmio, [paddr, size, value, flags, device]);
  }

  /** Records a DMA transfer. */
  dma(device: number, paddr: number, length: number, flags: number): void {
    this.#ext(RecordKind.Dma, [device, paddr, length, flags]);
  }

  /** Records a block-device request (`BlockOp`) at a byte offset. */
  blockRequest(device: number, op: number, offset: number, length: number): void {
    this.#ext(RecordKind.BlockRequest, [device, op, offset, length]);
  }

  /** Records a network request (`NetOp`) of `length` bytes. */
  netRequest(device: number, op: number, length: number): void {
    this.#ext(RecordKind.NetRequest, [device, op, length]);
  }

  /** Records a marker (`MarkerOp`); markers are also listed in the summary. */
  marker(op: number, value: number): void {
    this.#ext(RecordKind.Marker, [op, value]);
  }

  /** Records the 64-bit content hash of a guest-physical page of VM `vm`. */
  pageHash(paddr: number, hashHi: number, hashLo: number, vm: number): void {
    this.#ext(RecordKind.PageHash, [paddr, hashHi, hashLo, vm]);
  }

  /** Records a repeated string instruction whose `count` iterations were collapsed. */
  repString(
    pc: number,
    op: number,
    count: number,
    size: number,
    addr: number,
    paddr: number,
    flags: number,
  ): void {
    this.#ext(RecordKind.RepString, [pc, op, count, size, addr, paddr, flags]);
  }

  /** Writes a decoded record as it is (re-encoding, filtering, merging traces). */
  copy(r: TraceRecord): void {
    const k = r.kind;
    if (k === RecordKind.Exec) return this.exec(r.block);
    if (k === RecordKind.ExecPartial) return this.execPartial(r.block, r.count);
    if (isMemKind(k)) return this.mem(r.addr, r.paddr, r.size, r.flags);
    const schema = EXTENDED_SCHEMAS[k];
    if (schema === undefined) {
      throw new RangeError(`record kind 0x${k.toString(16)} cannot be written`);
    }
    this.#ext(k, schema.map((field) => r.f[field]));
  }

  /** Writes an extended record from its values in schema order, and counts it in the summary. */
  #ext(kind: number, values: readonly number[]): void {
    const schema = EXTENDED_SCHEMAS[kind];
    if (values.length !== schema.length) {
      throw new RangeError(`${kindName(kind)} takes ${schema.length} fields, not ${values.length}`);
    }
    if (this.#enc.records >= this.#chunkRecords || this.#enc.size > CHUNK_FLUSH_BYTES) {
      this.#flushChunk();
    }
    const rec = this.#rec;
    rec.kind = kind;
    rec.f.fill(0);
    for (let i = 0; i < schema.length; i++) {
      const v = values[i];
      if (!Number.isSafeInteger(v)) {
        throw new RangeError(`${kindName(kind)} field ${schema[i]} is not an integer: ${v}`);
      }
      rec.f[schema[i]] = v;
    }
    // The summary's per-kind histograms and marker list.
    if (kind === RecordKind.Sensitive) this.#sensitive[rec.f[Field.Op] & 0xff]++;
    else if (kind === RecordKind.Exception) this.#exceptions[rec.f[Field.Vector] & 0xff]++;
    else if (kind === RecordKind.RepString) this.#repIterations += rec.f[Field.Count];
    else if (kind === RecordKind.Marker) {
      this.#markers.push({
        op: rec.f[Field.Op],
        value: rec.f[Field.Value],
        record: this.#records,
        instruction: this.#instructions,
      });
    }
    this.#enc.extended(rec);
    this.#count(rec);
  }

  #count(rec: TraceRecord): void {
    this.#records++;
    this.#kinds[rec.kind]++;
    this.#hasher.add(rec);
  }

  #flushChunk(): void {
    const enc = this.#enc;
    if (enc.records === 0) return;
    enc.payload(this.#payload);
    const raw = this.#payload.view();
    const firstInstruction = this.#instructions - enc.instructions;
    const compressor = this.#compressor;
    if (compressor === null) {
      const stored = deflateSync(raw, { level: this.#level });
      this.#writeChunk(
        enc.records,
        enc.instructions,
        raw.length,
        crc32(raw),
        stored,
        firstInstruction,
      );
    } else {
      this.#inFlight.push({
        records: enc.records,
        instructions: enc.instructions,
        raw: raw.length,
        firstInstruction,
      });
      compressor.submit(raw, this.#level);
      this.#drain(MAX_IN_FLIGHT);
    }
    enc.reset(this.#code.blockCount);
  }

  /** Writes finished chunks in order, waiting while more than `keep` are in flight. */
  #drain(keep: number): void {
    const compressor = this.#compressor;
    if (compressor === null) return;
    while (this.#inFlight.length > 0 && (this.#inFlight.length > keep || compressor.ready())) {
      const c = this.#inFlight.shift()!;
      const { stored, crc } = compressor.take();
      this.#writeChunk(c.records, c.instructions, c.raw, crc, stored, c.firstInstruction);
    }
  }

  #writeChunk(
    records: number,
    instructions: number,
    raw: number,
    crc: number,
    stored: Uint8Array,
    firstInstruction: number,
  ): void {
    if (this.#chunks.length >= MAX_CHUNKS) {
      throw new TraceLimitError(
        this.#path ?? "<memory>",
        "maximum number of chunks",
        MAX_CHUNKS,
        "it needs more chunks; use more records per chunk",
      );
    }
    this.#chunks.push({
      offset: this.#offset,
      records,
      instructions,
      raw,
      stored: stored.length,
      firstInstruction,
    });
    this.#sectionHeader(Tag.Chunk, Codec.Deflate, records, raw, crc, stored.length, instructions);
    this.#emitBytes(stored);
  }

  #section(
    tag: number,
    codec: number,
    items: number,
    raw: Uint8Array,
    stored: Uint8Array,
    instructions: number,
  ): void {
    this.#sectionHeader(tag, codec, items, raw.length, crc32(raw), stored.length, instructions);
    this.#emitBytes(stored);
  }

  #sectionHeader(
    tag: number,
    codec: number,
    items: number,
    raw: number,
    crc: number,
    stored: number,
    instructions: number,
  ): void {
    const h = new ByteSink(SECTION_HEADER_SIZE);
    h.u32(tag);
    h.byte(codec);
    h.byte(0);
    h.byte(0);
    h.byte(0);
    h.u32(items);
    h.u32(raw);
    h.u32(stored);
    h.u32(crc);
    h.u32(instructions);
    h.u32(0);
    this.#emitBytes(h.view());
  }

  #finishSections(): TraceSummary {
    if (this.#done) throw new Error("trace writer is already closed");
    this.#done = true;
    this.#flushChunk();
    // The code table is encoded, deflated and hashed while a compressor still works on the
    // last chunks; its section goes after them, so the bytes are as without a compressor.
    const code = this.#code.build();
    const codeRaw = new ByteSink(1 << 16);
    encodeCodeTable(code, codeRaw);
    const codeBytes = codeRaw.view();
    const codeStored = deflateSync(codeBytes, { level: this.#level });
    const contentHash = this.#hasher.digest(code);
    this.#drain(0);
    const codeOffset = this.#offset;
    this.#section(Tag.Code, Codec.Deflate, code.blockCount, codeBytes, codeStored, 0);

    const summary = this.#summary(code.blockCount, code.instructionCount, contentHash);
    const index = new ByteSink(1 << 12);
    const json = new TextEncoder().encode(JSON.stringify(summary));
    if (json.length > MAX_SUMMARY_JSON) {
      throw new TraceLimitError(
        this.#path ?? "<memory>",
        "maximum summary size",
        MAX_SUMMARY_JSON,
        `the summary JSON (${this.#markers.length} markers) is ${json.length} bytes`,
      );
    }
    index.u32(json.length);
    index.bytes(json);
    index.u32(this.#chunks.length);
    for (const c of this.#chunks) {
      index.f64(c.offset);
      index.f64(c.records);
      index.f64(c.instructions);
      index.f64(c.raw);
      index.f64(c.stored);
      index.f64(c.firstInstruction);
    }
    index.f64(codeOffset);
    const indexOffset = this.#offset;
    const indexRaw = index.view();
    this.#section(
      Tag.Index,
      Codec.Deflate,
      this.#chunks.length,
      indexRaw,
      deflateSync(indexRaw, { level: this.#level }),
      0,
    );
    const trailer = new ByteSink(16);
    trailer.f64(indexOffset);
    trailer.bytes(TRAILER_MAGIC);
    this.#emitBytes(trailer.view());
    return summary;
  }

  #summary(blocks: number, codeInstructions: number, contentHash: string): TraceSummary {
    const kinds: Record<string, number> = {};
    for (let k = 0; k < 256; k++) {
      if (this.#kinds[k] > 0) kinds[kindName(k)] = (kinds[kindName(k)] ?? 0) + this.#kinds[k];
    }
    const sensitive: Record<string, number> = {};
    for (let op = 0; op < 256; op++) {
      if (this.#sensitive[op] > 0) sensitive[sensitiveName(op)] = this.#sensitive[op];
    }
    const exceptions: Record<string, number> = {};
    for (let v = 0; v < 256; v++) if (this.#exceptions[v] > 0) exceptions[v] = this.#exceptions[v];
    return {
      records: this.#records,
      instructions: this.#instructions,
      repIterations: this.#repIterations,
      kinds,
      sensitive,
      exceptions,
      iterations: this.#markers.filter((m) => m.op === MarkerOp.Iteration).length,
      markers: this.#markers,
      codeBlocks: blocks,
      codeInstructions,
      chunkRecords: this.#chunkRecords,
      contentHash,
    };
  }

  /** Finishes a file trace: writes the code table, index and trailer, then renames into place. */
  close(): TraceSummary {
    if (!this.#file || !this.#path || !this.#tmp) {
      throw new Error("close() is for file writers; use finish()");
    }
    let summary: TraceSummary;
    try {
      summary = this.#finishSections();
      this.#file.close();
    } catch (e) {
      this.abort();
      throw e;
    }
    try {
      Deno.renameSync(this.#tmp, this.#path);
      releaseTemp(this.#tmp);
    } catch (e) {
      // e.g. the target is a folder: leave nothing behind, as every other failure does.
      this.abort();
      throw environmentError(e, this.#path) ?? e;
    }
    return summary;
  }

  /** Finishes an in-memory trace and returns its bytes. */
  finish(): Uint8Array {
    if (!this.#memory) throw new Error("finish() is for in-memory writers; use close()");
    this.#finishSections();
    return this.#memory.view().slice();
  }

  /** Abandons a file trace: closes and deletes the temporary file; `path` is untouched. */
  abort(): void {
    this.#done = true;
    if (this.#file && this.#tmp) {
      try {
        this.#file.close();
      } catch { /* already closed */ }
      try {
        Deno.removeSync(this.#tmp);
      } catch { /* already gone */ }
      releaseTemp(this.#tmp);
    }
  }
}
