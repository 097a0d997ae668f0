/**
 * The `.vmt` reader: opens a trace by its header and trailer, loads the chunk index and
 * code table, and streams records chunk by chunk through a pull cursor that decodes into
 * one reusable {@link TraceRecord}. Memory is one chunk (compressed and raw) plus the code
 * table, whatever the trace length; any chunk range can be read on its own, which is the
 * chunk-parallel path.
 *
 * @module
 */

import { inflateRawSync } from "node:zlib";
import { type CodeTable, decodeCodeTable } from "./code_table.ts";
import { ChunkDecodeError, ChunkDecoder } from "./chunk_codec.ts";
import { crc32 } from "./crc32.ts";
import { TraceFormatError } from "./errors.ts";
import {
  Codec,
  FILE_HEADER_SIZE,
  FORMAT_MAJOR,
  INDEX_ENTRY_SIZE,
  MAGIC,
  MAX_CHUNK_RAW,
  MAX_CHUNKS,
  MAX_CODE_RAW,
  MAX_HEADER_JSON,
  MAX_INDEX_RAW,
  MAX_JSON_DEPTH,
  MAX_SUMMARY_JSON,
  maxStoredSize,
  SECTION_HEADER_SIZE,
  Tag,
  TRAILER_MAGIC,
  TRAILER_SIZE,
} from "./format.ts";
import {
  guestMemoryBytes,
  headerProblem,
  jsonDepth,
  summaryProblem,
  type TraceHeader,
  type TraceSummary,
} from "./header.ts";
import { TraceRecord } from "./record.ts";
import { DecodedChunk } from "./decoded_chunk.ts";
import { ByteReader } from "./varint.ts";

/** One chunk as the index describes it. */
export interface ChunkInfo {
  /** Chunk number. */
  index: number;
  /** File offset of the chunk's section header. */
  offset: number;
  /** Records in the chunk. */
  records: number;
  /** Guest instructions in the chunk. */
  instructions: number;
  /** Uncompressed payload size. */
  rawSize: number;
  /** Compressed payload size. */
  storedSize: number;
  /** Instructions executed before the chunk. */
  firstInstruction: number;
  /** Records before the chunk. */
  firstRecord: number;
}

/** Random-access byte source: a file or a buffer. */
interface Source {
  readonly size: number;
  readAt(offset: number, length: number, into?: Uint8Array): Uint8Array;
  close(): void;
}

class FileSource implements Source {
  readonly size: number;
  readonly #file: Deno.FsFile;
  readonly #name: string;
  constructor(file: Deno.FsFile, size: number, name: string) {
    this.#file = file;
    this.size = size;
    this.#name = name;
  }
  readAt(offset: number, length: number, into?: Uint8Array): Uint8Array {
    const buf = into && into.length >= length ? into.subarray(0, length) : new Uint8Array(length);
    this.#file.seekSync(offset, Deno.SeekMode.Start);
    let done = 0;
    while (done < length) {
      const n = this.#file.readSync(buf.subarray(done));
      if (n === null || n === 0) {
        throw new TraceFormatError(this.#name, "file ends early", offset + done);
      }
      done += n;
    }
    return buf;
  }
  close(): void {
    this.#file.close();
  }
}

class BytesSource implements Source {
  readonly size: number;
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.length;
  }
  readAt(offset: number, length: number): Uint8Array {
    return this.#bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

/** A section header as read from the file (see docs/trace-format.md, "Sections"). */
export interface SectionHeader {
  /** Section tag (`Tag`). */
  tag: number;
  /** Payload codec (`Codec`). */
  codec: number;
  /** Records, blocks or chunks, by section kind. */
  items: number;
  /** Uncompressed payload size. */
  raw: number;
  /** Stored payload size. */
  stored: number;
  /** CRC-32 of the uncompressed payload. */
  crc: number;
  /** Guest instructions (chunks only). */
  instructions: number;
}

/** An open trace. */
export class TraceReader {
  /** File path or in-memory name, used in error messages. */
  readonly name: string;
  /** The header JSON. */
  readonly header: TraceHeader;
  /** The summary JSON (counts, markers, content hash). */
  readonly summary: TraceSummary;
  /** The code table. */
  readonly code: CodeTable;
  /** The chunk index. */
  readonly chunks: readonly ChunkInfo[];
  /** Total file size in bytes. */
  readonly size: number;
  /** Format minor version of the file. */
  readonly minorVersion: number;
  /**
   * Most bytes one record may move (string instruction, DMA, block or network request):
   * the guest's memory size from the header, or the format default.
   */
  readonly maxTransferBytes: number;
  readonly #source: Source;

  private constructor(name: string, source: Source) {
    this.name = name;
    this.#source = source;
    this.size = source.size;
    const fail = (reason: string, offset: number) => new TraceFormatError(name, reason, offset);
    if (source.size < FILE_HEADER_SIZE + TRAILER_SIZE) {
      throw fail(`file is ${source.size} bytes, too short to be a trace`, 0);
    }
    const fixed = source.readAt(0, FILE_HEADER_SIZE).slice();
    if (!equalBytes(fixed.subarray(0, 8), MAGIC)) throw fail("not a vmmlab trace (bad magic)", 0);
    const major = fixed[8] | (fixed[9] << 8);
    this.minorVersion = fixed[10] | (fixed[11] << 8);
    if (major !== FORMAT_MAJOR) {
      throw fail(`format version ${major} is not supported (this reader reads ${FORMAT_MAJOR})`, 8);
    }
    const headerLen = u32(fixed, 12);
    if (headerLen > MAX_HEADER_JSON) {
      throw fail(`header is ${headerLen} bytes, more than the limit of ${MAX_HEADER_JSON}`, 12);
    }
    if (headerLen > source.size - FILE_HEADER_SIZE - TRAILER_SIZE) {
      throw fail(`header length ${headerLen} runs past the end of the file`, 12);
    }
    const headerBytes = source.readAt(FILE_HEADER_SIZE, headerLen).slice();
    if (crc32(headerBytes) !== u32(fixed, 16)) throw fail("header checksum mismatch", 16);
    this.header = parseJson(headerBytes, name, FILE_HEADER_SIZE, headerProblem) as TraceHeader;
    this.maxTransferBytes = guestMemoryBytes(this.header);

    const trailerAt = source.size - TRAILER_SIZE;
    const trailer = source.readAt(trailerAt, TRAILER_SIZE).slice();
    if (!equalBytes(trailer.subarray(8), TRAILER_MAGIC)) {
      throw fail("file is truncated or unfinished (no trailer)", trailerAt);
    }
    const indexOffset = new DataView(trailer.buffer).getFloat64(0, true);
    const dataStart = FILE_HEADER_SIZE + headerLen;
    if (
      !Number.isSafeInteger(indexOffset) || indexOffset < dataStart ||
      indexOffset > trailerAt - SECTION_HEADER_SIZE
    ) {
      throw fail(
        Number.isSafeInteger(indexOffset)
          ? `index offset ${indexOffset} is outside the file`
          : "index offset is not a whole number of bytes",
        trailerAt,
      );
    }
    const indexSection = this.#readSection(indexOffset, Tag.Index, "index", trailerAt);
    const index = new ByteReader(indexSection);
    let summary: TraceSummary;
    const chunks: ChunkInfo[] = [];
    let codeOffset: number;
    try {
      const jsonLen = index.u32();
      if (jsonLen > MAX_SUMMARY_JSON) {
        throw fail(
          `summary is ${jsonLen} bytes, more than the limit of ${MAX_SUMMARY_JSON}`,
          indexOffset,
        );
      }
      summary = parseJson(index.take(jsonLen), name, indexOffset, summaryProblem) as TraceSummary;
      const n = index.u32();
      if (n > MAX_CHUNKS) {
        throw fail(`index lists ${n} chunks, more than the limit of ${MAX_CHUNKS}`, indexOffset);
      }
      if (n * INDEX_ENTRY_SIZE + 8 !== index.remaining) {
        throw fail(
          `index lists ${n} chunks but holds ${index.remaining} bytes of entries`,
          indexOffset,
        );
      }
      let expectOffset = dataStart;
      let firstRecord = 0;
      let firstInstruction = 0;
      for (let i = 0; i < n; i++) {
        const c: ChunkInfo = {
          index: i,
          offset: index.f64(),
          records: index.f64(),
          instructions: index.f64(),
          rawSize: index.f64(),
          storedSize: index.f64(),
          firstInstruction: index.f64(),
          firstRecord,
        };
        if (c.offset !== expectOffset || !Number.isSafeInteger(c.storedSize) || c.storedSize < 0) {
          throw fail(`index entry for chunk ${i} has a bad offset or size`, indexOffset);
        }
        if (
          !(c.records >= 1 && c.records <= 0xffffffff) || c.firstInstruction !== firstInstruction
        ) {
          throw fail(`index entry for chunk ${i} has impossible counts`, indexOffset);
        }
        expectOffset = c.offset + SECTION_HEADER_SIZE + c.storedSize;
        firstRecord += c.records;
        firstInstruction += c.instructions;
        chunks.push(c);
      }
      codeOffset = index.f64();
      if (codeOffset !== expectOffset) {
        throw fail("code table is not where the index says", indexOffset);
      }
      if (firstRecord !== summary.records || firstInstruction !== summary.instructions) {
        throw fail(
          "index and summary disagree on the number of records or instructions",
          indexOffset,
        );
      }
    } catch (e) {
      if (e instanceof TraceFormatError) throw e;
      throw fail(`index is malformed: ${(e as Error).message}`, indexOffset);
    }
    this.summary = summary;
    this.chunks = chunks;
    const codeBytes = this.#readSection(codeOffset, Tag.Code, "code table", indexOffset);
    try {
      this.code = decodeCodeTable(new ByteReader(codeBytes));
    } catch (e) {
      throw fail(`code table is malformed: ${(e as Error).message}`, codeOffset);
    }
    if (this.code.blockCount !== summary.codeBlocks) {
      throw fail("code table and summary disagree on the number of blocks", codeOffset);
    }
  }

  /** Opens a trace file. Throws {@link TraceFormatError} for anything malformed. */
  static open(path: string): TraceReader {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new TraceFormatError(path, "no such file");
      if (e instanceof Deno.errors.IsADirectory) throw new TraceFormatError(path, "is a directory");
      throw new TraceFormatError(path, `cannot be opened: ${(e as Error).message}`);
    }
    const info = file.statSync();
    if (info.isDirectory) {
      file.close();
      throw new TraceFormatError(path, "is a directory");
    }
    try {
      return new TraceReader(path, new FileSource(file, info.size, path));
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** Opens a trace held in memory; `name` appears in error messages. */
  static fromBytes(bytes: Uint8Array, name = "<memory>"): TraceReader {
    return new TraceReader(name, new BytesSource(bytes));
  }

  /** Reads and checks one section, returning its uncompressed payload. */
  #readSection(offset: number, tag: number, what: string, limit: number, chunk = -1): Uint8Array {
    const h = this.readSectionHeader(offset, chunk);
    if (h.tag !== tag) {
      throw new TraceFormatError(this.name, `expected the ${what} section here`, offset, chunk);
    }
    if (offset + SECTION_HEADER_SIZE + h.stored > limit) {
      throw new TraceFormatError(this.name, `${what} section runs past its end`, offset, chunk);
    }
    const stored = this.#source.readAt(offset + SECTION_HEADER_SIZE, h.stored);
    return this.decodePayload(h, stored, offset, chunk);
  }

  /** Reads a section header at `offset` (used by cursors and `trace inspect`). */
  readSectionHeader(offset: number, chunk = -1): SectionHeader {
    if (offset + SECTION_HEADER_SIZE > this.size) {
      throw new TraceFormatError(
        this.name,
        "section header runs past the end of the file",
        offset,
        chunk,
      );
    }
    const b = this.#source.readAt(offset, SECTION_HEADER_SIZE);
    const h: SectionHeader = {
      tag: u32(b, 0),
      codec: b[4],
      items: u32(b, 8),
      raw: u32(b, 12),
      stored: u32(b, 16),
      crc: u32(b, 20),
      instructions: u32(b, 24),
    };
    if (h.codec !== Codec.Stored && h.codec !== Codec.Deflate) {
      throw new TraceFormatError(this.name, `unknown codec ${h.codec}`, offset + 4, chunk);
    }
    // Reserved bytes are zero in version 1: anything else is corruption the CRC (which
    // covers only the payload) would not catch.
    for (const at of [5, 6, 7, 28, 29, 30, 31]) {
      if (b[at] !== 0) {
        throw new TraceFormatError(
          this.name,
          "reserved section header byte is not zero",
          offset + at,
          chunk,
        );
      }
    }
    // Limits per section kind (docs/trace-format.md, "Limits"), checked before anything
    // of that size is allocated. Deflate cannot expand more than about 1032:1, so a larger
    // claim is corruption.
    const limit = h.tag === Tag.Chunk
      ? MAX_CHUNK_RAW
      : h.tag === Tag.Code
      ? MAX_CODE_RAW
      : MAX_INDEX_RAW;
    if (h.raw > limit) {
      throw new TraceFormatError(
        this.name,
        `section claims ${h.raw} uncompressed bytes, more than the limit of ${limit}`,
        offset + 12,
        chunk,
      );
    }
    if (h.codec === Codec.Deflate && h.raw > h.stored * 1040 + 1024) {
      throw new TraceFormatError(
        this.name,
        `section claims ${h.raw} uncompressed bytes from ${h.stored} compressed`,
        offset + 12,
        chunk,
      );
    }
    if (h.stored > maxStoredSize(h.raw)) {
      throw new TraceFormatError(
        this.name,
        `section stores ${h.stored} bytes for ${h.raw} uncompressed`,
        offset + 16,
        chunk,
      );
    }
    return h;
  }

  /** Decompresses and checksums a section payload. */
  decodePayload(
    h: SectionHeader,
    stored: Uint8Array,
    offset: number,
    chunk: number,
  ): Uint8Array {
    let raw: Uint8Array;
    if (h.codec === Codec.Stored) {
      if (h.stored !== h.raw) {
        throw new TraceFormatError(this.name, "stored section sizes disagree", offset, chunk);
      }
      raw = stored;
    } else {
      // Inflation stops as soon as the output passes the declared size, so a stream that
      // inflates to gigabytes costs neither that memory nor the time to produce it.
      let got: Uint8Array;
      try {
        got = inflateRawSync(stored, {
          maxOutputLength: Math.max(1, h.raw),
          // One output buffer a byte larger than the declared size, so an honest stream
          // ends inside it: no second buffer, no pieces joined at the end.
          chunkSize: Math.max(64, h.raw + 1),
        });
      } catch (e) {
        const tooLong = (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ||
          e instanceof RangeError;
        throw new TraceFormatError(
          this.name,
          tooLong
            ? `decompresses to more than the declared ${h.raw} bytes`
            : `compressed data is corrupt (${(e as Error).message})`,
          offset + SECTION_HEADER_SIZE,
          chunk,
        );
      }
      if (got.length !== h.raw) {
        throw new TraceFormatError(
          this.name,
          `decompressed to ${got.length} bytes, expected ${h.raw}`,
          offset + SECTION_HEADER_SIZE,
          chunk,
        );
      }
      raw = got;
    }
    if (crc32(raw) !== h.crc) {
      throw new TraceFormatError(this.name, "checksum mismatch", offset, chunk);
    }
    return raw;
  }

  #payloads: Map<number, Uint8Array> | null = null;
  #payloadBytes = 0;
  #payloadBudget = 0;

  /**
   * Keeps up to `bytes` of inflated, checksummed chunk payloads for every cursor of this
   * reader to reuse (0: none, the default). Many cursors over one trace (the VMs of a host
   * simulation, which loop and jump through it) then inflate and checksum each chunk once
   * instead of at every visit. Chunks are kept in the order they are first inflated until
   * the budget is spent, so memory is bounded by it and by the trace, whatever the run's
   * length; the records decoded are the same either way.
   */
  cachePayloads(bytes: number): void {
    this.#payloadBudget = Math.max(0, bytes);
    if (this.#payloads === null && bytes > 0) this.#payloads = new Map();
  }

  /** The kept payload of chunk `i` (null: not kept). Decoders only read it. */
  cachedPayload(i: number): Uint8Array | null {
    return this.#payloads?.get(i) ?? null;
  }

  /** Keeps chunk `i`'s inflated payload if the budget of {@link cachePayloads} allows. */
  keepPayload(i: number, raw: Uint8Array): void {
    const kept = this.#payloads;
    if (kept === null || kept.has(i)) return;
    if (this.#payloadBytes + raw.length > this.#payloadBudget) return;
    kept.set(i, raw);
    this.#payloadBytes += raw.length;
  }

  #decoded: Map<number, DecodedChunk | null> | null = null;
  #decodedBytes = 0;
  #decodedBudget = 0;

  /**
   * Keeps up to `bytes` of decoded records ({@link DecodedChunk}, about 17 bytes a record)
   * for every cursor of this reader to copy out (0: none, the default). Cursors over one
   * trace that visit the same chunks (a host's VMs on one trace; a VM looping over its
   * trace) then decode each chunk once instead of at every visit, and a skip within a kept
   * chunk costs no decoding. Chunks are kept in the order they are first decoded until the
   * budget is spent, so memory is bounded by it, whatever the run's length; a chunk that
   * does not fit is decoded by each cursor as before. The records are the same either way.
   */
  cacheRecords(bytes: number): void {
    this.#decodedBudget = Math.max(0, bytes);
    if (this.#decoded === null && bytes > 0) this.#decoded = new Map();
  }

  /**
   * Chunk `i`'s kept records, or null when cursors decode it themselves; `decode` (given a
   * decoder just started on the chunk) makes them when the budget of {@link cacheRecords}
   * has room. A chunk whose decoding throws, or that holds unknown kinds, is left to the
   * cursors, so that they fail (or count) exactly where a private decode does.
   */
  sharedRecords(i: number, decode: () => DecodedChunk | null): DecodedChunk | null {
    const kept = this.#decoded;
    if (kept === null) return null;
    const got = kept.get(i);
    if (got !== undefined) return got;
    if (
      this.#decodedBytes + DecodedChunk.leastBytes(this.chunks[i].records) > this.#decodedBudget
    ) {
      return null;
    }
    const d = tryDecode(decode);
    // Past the budget (the extended records' fields were more than estimated): this
    // cursor reads it, later visits decode it themselves.
    if (d === null || this.#decodedBytes + d.bytes > this.#decodedBudget) {
      kept.set(i, null);
      return d;
    }
    kept.set(i, d);
    this.#decodedBytes += d.bytes;
    // Its inflated payload is not read again.
    const raw = this.#payloads?.get(i);
    if (raw !== undefined) {
      this.#payloads!.delete(i);
      this.#payloadBytes -= raw.length;
    }
    return d;
  }

  /** Bytes of decoded records kept ({@link cacheRecords}). */
  get keptRecordBytes(): number {
    return this.#decodedBytes;
  }

  /** Reads the compressed bytes of a chunk into `into` when it is large enough. */
  readStored(offset: number, length: number, into?: Uint8Array): Uint8Array {
    return this.#source.readAt(offset, length, into);
  }

  /** A cursor over chunks `[from, to)`; each cursor has its own buffers and record. */
  cursor(from = 0, to: number = this.chunks.length): RecordCursor {
    if (
      !(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to &&
        to <= this.chunks.length)
    ) {
      throw new RangeError(`chunk range ${from}..${to} is outside 0..${this.chunks.length}`);
    }
    return new RecordCursor(this, from, to);
  }

  /** Releases the file. */
  close(): void {
    this.#source.close();
  }
}

/** Pull-based record iterator. `next()` decodes into `record`, allocating nothing per record. */
export class RecordCursor {
  /** The record the last successful `next()` filled in. */
  readonly record: TraceRecord = new TraceRecord();
  readonly #trace: TraceReader;
  /**
   * The cursor's own decoder, made at its first chunk that the reader does not keep
   * decoded (its predictor tables are megabytes: a host of 128 VMs on one kept trace
   * would otherwise allocate and clear 128 of them).
   */
  #decoderOrNull: ChunkDecoder | null = null;
  readonly #to: number;
  #chunk: number;
  #active = false;
  #stored: Uint8Array = new Uint8Array(0);
  #info: ChunkInfo | null = null;
  /** The kept records of the current chunk (null: this cursor's decoder reads it). */
  #shared: DecodedChunk | null = null;
  /** Next record of `#shared`. */
  #pos = 0;

  /** Creates a cursor over chunks `[from, to)` of `trace`. */
  constructor(trace: TraceReader, from: number, to: number) {
    this.#trace = trace;
    this.#chunk = from;
    this.#to = to;
  }

  /**
   * Moves the cursor to the start of chunk `from` of its range, keeping its decoder and
   * buffers (a new cursor allocates megabytes of predictor tables): the next `next()`
   * returns that chunk's first record. Seeking readers (a looping host VM) reuse one cursor.
   */
  restart(from: number): void {
    if (!(Number.isInteger(from) && 0 <= from && from <= this.#to)) {
      throw new RangeError(`chunk ${from} is outside the cursor's range 0..${this.#to}`);
    }
    this.#chunk = from;
    this.#active = false;
    this.#shared = null;
  }

  /**
   * Moves `n` records ahead (fewer at the end of the range; returns how many), leaving
   * `record` as `n` calls of {@link next} would. Within a chunk whose records the reader
   * keeps ({@link TraceReader.cacheRecords}) nothing is decoded.
   */
  skip(n: number): number {
    let done = 0;
    while (done < n) {
      const shared = this.#shared;
      if (shared !== null && this.#pos < shared.count) {
        const m = Math.min(shared.count - this.#pos, n - done);
        shared.settle(this.record, this.#pos, this.#pos + m);
        this.#pos += m;
        done += m;
        continue;
      }
      if (!this.next()) break;
      done++;
    }
    return done;
  }

  /** Index of the chunk the current record came from. */
  get chunk(): number {
    return this.#active ? this.#chunk : this.#chunk - 1;
  }

  /** Records of unknown kinds skipped so far. */
  get skippedUnknown(): number {
    return this.#decoderOrNull?.skippedUnknown ?? 0;
  }

  get #decoder(): ChunkDecoder {
    return this.#decoderOrNull ??= new ChunkDecoder(
      this.#trace.code,
      this.#trace.maxTransferBytes,
    );
  }

  /** Advances to the next record; false at the end of the range. */
  next(): boolean {
    for (;;) {
      const shared = this.#shared;
      if (shared !== null) {
        const i = this.#pos;
        if (i < shared.count) {
          this.#pos = i + 1;
          shared.copy(i, this.record);
          return true;
        }
        this.#shared = null;
        this.#active = false;
        this.#chunk++;
      } else if (this.#active) {
        let more: boolean;
        try {
          more = this.#decoderOrNull!.next(this.record);
        } catch (e) {
          throw this.#wrap(e);
        }
        if (more) return true;
        try {
          this.#decoderOrNull!.finish();
        } catch (e) {
          throw this.#wrap(e);
        }
        this.#active = false;
        this.#chunk++;
      }
      if (this.#chunk >= this.#to) return false;
      this.#load(this.#chunk);
    }
  }

  #wrap(e: unknown): Error {
    const info = this.#info!;
    if (e instanceof ChunkDecodeError) {
      return new TraceFormatError(
        this.#trace.name,
        `${e.message} (payload byte ${e.position})`,
        info.offset,
        info.index,
      );
    }
    return e as Error;
  }

  #load(i: number): void {
    const t = this.#trace;
    const info = t.chunks[i];
    this.#info = info;
    const h = t.readSectionHeader(info.offset, i);
    if (h.tag !== Tag.Chunk) {
      throw new TraceFormatError(t.name, "expected a chunk here", info.offset, i);
    }
    if (
      h.items !== info.records || h.raw !== info.rawSize || h.stored !== info.storedSize ||
      h.instructions !== info.instructions
    ) {
      throw new TraceFormatError(t.name, "chunk header disagrees with the index", info.offset, i);
    }
    const kept = t.sharedRecords(i, () => {
      const decoder = this.#decoder;
      const unknown = decoder.skippedUnknown;
      try {
        decoder.start(this.#payload(i, h), h.raw, h.items);
        return DecodedChunk.decode(decoder, h.items);
      } finally {
        // A chunk not kept is decoded again below and its unknown kinds counted then: this
        // pass must not count them too (a kept chunk has none, so this changes nothing).
        decoder.skippedUnknown = unknown;
      }
    });
    this.#shared = kept;
    this.#pos = 0;
    if (kept === null) {
      const raw = this.#payload(i, h);
      try {
        this.#decoder.start(raw, h.raw, h.items);
      } catch (e) {
        throw this.#wrap(e);
      }
    }
    this.#active = true;
  }

  /** Chunk `i`'s inflated, checksummed payload (the reader's kept copy if it has one). */
  #payload(i: number, h: SectionHeader): Uint8Array {
    const t = this.#trace;
    const info = t.chunks[i];
    if (this.#stored.length < h.stored) this.#stored = new Uint8Array(h.stored);
    let raw = t.cachedPayload(i);
    if (raw === null) {
      const stored = t.readStored(info.offset + SECTION_HEADER_SIZE, h.stored, this.#stored);
      raw = t.decodePayload(h, stored, info.offset, i);
      // A stored (uncompressed) payload is this cursor's reusable buffer: never shared.
      if (raw !== stored) t.keepPayload(i, raw);
    }
    return raw;
  }
}

/** `decode()`, or null when it throws (the cursor's own decode then reports the error). */
function tryDecode(decode: () => DecodedChunk | null): DecodedChunk | null {
  try {
    return decode();
  } catch {
    return null;
  }
}

function parseJson(
  bytes: Uint8Array,
  name: string,
  offset: number,
  problem: (v: unknown) => string | null,
): unknown {
  const depth = jsonDepth(bytes, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new TraceFormatError(
      name,
      `metadata nests deeper than the limit of ${MAX_JSON_DEPTH} levels`,
      offset,
    );
  }
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw new TraceFormatError(
      name,
      `metadata is not valid JSON (${(e as Error).message})`,
      offset,
    );
  }
  const p = problem(v);
  if (p) throw new TraceFormatError(name, p, offset);
  return v;
}
