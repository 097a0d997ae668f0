/**
 * Encoding and decoding of one chunk's records into four byte columns. Splitting kinds,
 * block ids, addresses and the rest into separate columns, and predicting block ids and
 * addresses from what the same code did last time, turns the common case (a loop running
 * the same blocks over nearby addresses) into long runs of zero bytes that deflate
 * squeezes to almost nothing. Predictor state is reset at every chunk, so chunks decode
 * independently.
 *
 * @module
 */

import type { CodeTable } from "./code_table.ts";
import {
  COLUMN_DIRECTORY_SIZE,
  DEFAULT_GUEST_MEMORY,
  MAX_PHYS_ADDR,
  memSlot,
  SLOT_BITS,
} from "./format.ts";
import {
  EXTENDED_SCHEMAS,
  Field,
  isMemKind,
  MAX_SENSITIVE_OP,
  MEM_IO,
  MEM_WRITE,
  PAGE_RUN_MAX_PAGES,
  RecordKind,
  type TraceRecord,
} from "./record.ts";
import { ByteSink } from "./varint.ts";

const SLOTS = 1 << SLOT_BITS;
/** Predictor slots per page of the decoder's dirty map (2^PAGE_BITS). */
const PAGE_BITS = 10;
const PAGE_SLOTS = 1 << PAGE_BITS;
/** Largest integer a double holds exactly (addresses must stay below it). */
const SAFE = Number.MAX_SAFE_INTEGER;

/** Memory-reference kind code for a size (power of two ≤ 128) and MEM_* flags. */
export function memKindCode(size: number, flags: number): number {
  const log2 = 31 - Math.clz32(size);
  return 0x80 | log2 | ((flags & MEM_WRITE) << 3) | ((flags & MEM_IO) << 3);
}

/** Predicts the next block: the last successor of the previous block, else the next new id. */
class BlockPredictor {
  succ: Int32Array = new Int32Array(1024).fill(-1);
  prev = -1;
  maxSeen = -1;

  reset(blocks: number): void {
    if (this.succ.length < blocks) {
      this.succ = new Int32Array(Math.max(blocks, this.succ.length * 2));
    }
    this.succ.fill(-1);
    this.prev = -1;
    this.maxSeen = -1;
  }

  predict(): number {
    const p = this.prev;
    if (p >= 0) {
      const s = this.succ[p];
      if (s >= 0) return s;
    }
    return this.maxSeen + 1;
  }

  observe(block: number): void {
    if (this.prev >= 0) this.succ[this.prev] = block;
    this.prev = block;
    if (block > this.maxSeen) this.maxSeen = block;
  }
}

/** Accumulates one chunk's records into columns; the writer owns one and reuses it. */
export class ChunkEncoder {
  /** Kind column: one byte per record. */
  readonly kinds: ByteSink = new ByteSink(1 << 20);
  /** Block column: predicted-block deltas (and partial counts). */
  readonly blocks: ByteSink = new ByteSink(1 << 18);
  /** Address column: virtual-address and translation deltas of memory references. */
  readonly addrs: ByteSink = new ByteSink(1 << 20);
  /** Extended column: length-prefixed payloads of every other kind. */
  readonly ext: ByteSink = new ByteSink(1 << 16);
  #payload = new ByteSink(1 << 16);
  #pred = new BlockPredictor();
  #lastV = new Float64Array(SLOTS);
  #lastT = new Float64Array(SLOTS);
  #memIndex = 0;
  /** Records in the current chunk. */
  records = 0;
  /** Instructions in the current chunk. */
  instructions = 0;

  /** Size in bytes of the current chunk's payload (column directory and columns). */
  get size(): number {
    return COLUMN_DIRECTORY_SIZE + this.kinds.length + this.blocks.length + this.addrs.length +
      this.ext.length;
  }

  /** Starts a new chunk. `blocks` is the number of code-table blocks defined so far. */
  reset(blocks: number): void {
    this.kinds.reset();
    this.blocks.reset();
    this.addrs.reset();
    this.ext.reset();
    this.#pred.reset(blocks);
    this.#lastV.fill(0);
    this.#lastT.fill(0);
    this.#memIndex = 0;
    this.records = 0;
    this.instructions = 0;
  }

  /** Makes sure the block predictor can hold `blocks` ids (blocks defined mid-chunk). */
  reserveBlocks(blocks: number): void {
    const s = this.#pred.succ;
    if (s.length < blocks) {
      const next = new Int32Array(Math.max(blocks, s.length * 2)).fill(-1);
      next.set(s);
      this.#pred.succ = next;
    }
  }

  /** Appends an Exec or ExecPartial record. */
  exec(block: number, count: number, full: boolean): void {
    const pred = this.#pred.predict();
    this.#pred.observe(block);
    this.#memIndex = 0;
    this.records++;
    this.instructions += count;
    this.kinds.byte(full ? RecordKind.Exec : RecordKind.ExecPartial);
    this.blocks.svarint(block - pred);
    if (!full) this.blocks.uvarint(count);
  }

  /** Appends a memory reference. */
  mem(code: number, vaddr: number, paddr: number): void {
    const slot = memSlot(this.#pred.prev, this.#memIndex++);
    const t = paddr - vaddr;
    this.addrs.svarint(vaddr - this.#lastV[slot]);
    this.addrs.svarint(t - this.#lastT[slot]);
    this.#lastV[slot] = vaddr;
    this.#lastT[slot] = t;
    this.records++;
    this.kinds.byte(code);
  }

  /** Appends an extended record from the fields of `rec` in its kind's schema order. */
  extended(rec: TraceRecord): void {
    const schema = EXTENDED_SCHEMAS[rec.kind];
    const p = this.#payload;
    p.reset();
    for (let i = 0; i < schema.length; i++) p.svarint(rec.f[schema[i]]);
    this.records++;
    this.kinds.byte(rec.kind);
    this.ext.uvarint(p.length);
    this.ext.bytes(p.view());
  }

  /** Writes the column directory and columns into `out` (the chunk's uncompressed payload). */
  payload(out: ByteSink): void {
    out.reset();
    out.u32(this.kinds.length);
    out.u32(this.blocks.length);
    out.u32(this.addrs.length);
    out.u32(this.ext.length);
    out.bytes(this.kinds.view());
    out.bytes(this.blocks.view());
    out.bytes(this.addrs.view());
    out.bytes(this.ext.view());
  }
}

/** Thrown by the decoder; the reader adds file, chunk and offset. */
export class ChunkDecodeError extends Error {
  /** Position in the chunk's uncompressed payload. */
  readonly position: number;
  /** Creates the error at a payload position. */
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

/**
 * Decodes the records of one chunk payload into a caller-owned {@link TraceRecord}.
 * One decoder is reused across chunks; it allocates only when a chunk needs more
 * predictor room than any before it.
 */
export class ChunkDecoder {
  #buf: Uint8Array = new Uint8Array(0);
  #k = 0;
  #kEnd = 0;
  #b = 0;
  #bEnd = 0;
  #a = 0;
  #aEnd = 0;
  #x = 0;
  #xEnd = 0;
  #pred = new BlockPredictor();
  #lastV = new Float64Array(SLOTS);
  #lastT = new Float64Array(SLOTS);
  /**
   * Which pages of PAGE_SLOTS slots of `#lastV`/`#lastT` the chunk wrote: starting a
   * chunk clears only those, not all 4 MB of predictor state (a host simulation's VMs
   * start chunks often, and a short chunk touches few pages). Marking is a plain store per
   * reference, no load or branch.
   */
  #dirty = new Uint8Array(SLOTS / PAGE_SLOTS);
  #memIndex = 0;
  #code: CodeTable;
  #maxBytes: number;
  /** Records of unknown kinds skipped so far (forward compatibility). */
  skippedUnknown = 0;

  /**
   * Creates a decoder for chunks of a trace with this code table; `maxTransferBytes`
   * bounds the bytes one record may move (the guest's memory size, see
   * `guestMemoryBytes`).
   */
  constructor(code: CodeTable, maxTransferBytes: number = DEFAULT_GUEST_MEMORY) {
    this.#code = code;
    this.#maxBytes = maxTransferBytes;
  }

  /** Starts decoding a chunk payload of `raw[0, length)`. */
  start(raw: Uint8Array, length: number, records: number): void {
    if (length < COLUMN_DIRECTORY_SIZE) {
      throw new ChunkDecodeError("chunk payload is shorter than its column directory", 0);
    }
    const lk = u32(raw, 0), lb = u32(raw, 4), la = u32(raw, 8), lx = u32(raw, 12);
    if (COLUMN_DIRECTORY_SIZE + lk + lb + la + lx !== length) {
      throw new ChunkDecodeError("column lengths do not add up to the chunk size", 0);
    }
    if (lk !== records) {
      throw new ChunkDecodeError(`kind column has ${lk} entries for ${records} records`, 0);
    }
    this.#buf = raw;
    this.#k = COLUMN_DIRECTORY_SIZE;
    this.#kEnd = this.#k + lk;
    this.#b = this.#kEnd;
    this.#bEnd = this.#b + lb;
    this.#a = this.#bEnd;
    this.#aEnd = this.#a + la;
    this.#x = this.#aEnd;
    this.#xEnd = this.#x + lx;
    this.#pred.reset(this.#code.blockCount);
    const dirty = this.#dirty;
    for (let page = 0; page < dirty.length; page++) {
      if (dirty[page] === 0) continue;
      dirty[page] = 0;
      this.#lastV.fill(0, page * PAGE_SLOTS, (page + 1) * PAGE_SLOTS);
      this.#lastT.fill(0, page * PAGE_SLOTS, (page + 1) * PAGE_SLOTS);
    }
    this.#memIndex = 0;
  }

  /** Checks that every column was consumed exactly (call after the last record). */
  finish(): void {
    if (this.#b !== this.#bEnd) {
      throw new ChunkDecodeError("block column has trailing bytes", this.#b);
    }
    if (this.#a !== this.#aEnd) {
      throw new ChunkDecodeError("address column has trailing bytes", this.#a);
    }
    if (this.#x !== this.#xEnd) {
      throw new ChunkDecodeError("extended column has trailing bytes", this.#x);
    }
  }

  /** Decodes the next record into `rec`; returns false at the end of the chunk. */
  next(rec: TraceRecord): boolean {
    for (;;) {
      if (this.#k >= this.#kEnd) return false;
      const kind = this.#buf[this.#k++];
      const f = rec.f;
      if (kind >= 0x80 && kind <= 0x9f) {
        const slot = memSlot(this.#pred.prev, this.#memIndex++);
        const v = this.#lastV[slot] + this.#svarA();
        const t = this.#lastT[slot] + this.#svarA();
        this.#dirty[slot >>> PAGE_BITS] = 1;
        this.#lastV[slot] = v;
        this.#lastT[slot] = t;
        const p = v + t;
        // v and p are sums of integers, hence integers: "safe integer" is a range test.
        if (!(p >= 0 && p <= SAFE && v >= -SAFE && v <= SAFE)) {
          throw new ChunkDecodeError(`memory reference has impossible address ${p}`, this.#a);
        }
        rec.kind = kind;
        f[Field.Addr] = v;
        f[Field.Paddr] = p;
        f[Field.Size] = 1 << (kind & 7);
        f[Field.Flags] = (kind >> 3) & 3;
        return true;
      }
      if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) {
        const block = this.#pred.predict() + this.#svarB();
        const code = this.#code;
        if (!(block >= 0 && block < code.blockCount)) {
          throw new ChunkDecodeError(`block id ${block} is not in the code table`, this.#b);
        }
        this.#pred.observe(block);
        this.#memIndex = 0;
        let count = code.blockLength[block];
        if (kind === RecordKind.ExecPartial) {
          const n = this.#uvarB();
          if (n < 1 || n > count) {
            throw new ChunkDecodeError(`partial count ${n} for a block of ${count}`, this.#b);
          }
          count = n;
        }
        rec.kind = kind;
        f[Field.Block] = block;
        f[Field.Count] = count;
        return true;
      }
      if (kind === 0) throw new ChunkDecodeError("record kind 0 is invalid", this.#k - 1);
      // Every other kind is length-prefixed: decode the known ones, skip the rest.
      const len = this.#uvarX();
      const start = this.#x;
      const end = start + len;
      if (end > this.#xEnd) {
        throw new ChunkDecodeError(`record of ${len} bytes runs past its column`, start);
      }
      const schema = EXTENDED_SCHEMAS[kind];
      if (schema === undefined) {
        this.#x = end;
        this.skippedUnknown++;
        continue;
      }
      for (let i = 0; i < schema.length; i++) {
        if (this.#x >= end) throw new ChunkDecodeError("record is shorter than its kind", start);
        f[schema[i]] = this.#svarX(end);
      }
      this.#x = end; // newer writers may append fields: skip them
      rec.kind = kind;
      checkExtended(rec, start, this.#maxBytes);
      return true;
    }
  }

  // Signed reads take a one-byte fast path and 32-bit zigzag arithmetic; doubles only
  // for values beyond 32 bits (kernel addresses, far jumps in the address space).
  #svarA(): number {
    const p = this.#a;
    if (p < this.#aEnd) {
      const c = this.#buf[p];
      if (c < 0x80) {
        this.#a = p + 1;
        return (c >>> 1) ^ -(c & 1);
      }
    }
    const u = readUvarint(this.#buf, p, this.#aEnd);
    this.#a = varintEnd;
    return unzig(u);
  }
  #svarB(): number {
    const p = this.#b;
    if (p < this.#bEnd) {
      const c = this.#buf[p];
      if (c < 0x80) {
        this.#b = p + 1;
        return (c >>> 1) ^ -(c & 1);
      }
    }
    const u = readUvarint(this.#buf, p, this.#bEnd);
    this.#b = varintEnd;
    return unzig(u);
  }
  #uvarB(): number {
    const u = readUvarint(this.#buf, this.#b, this.#bEnd);
    this.#b = varintEnd;
    return u;
  }
  #uvarX(): number {
    const u = readUvarint(this.#buf, this.#x, this.#xEnd);
    this.#x = varintEnd;
    return u;
  }
  #svarX(end: number): number {
    const u = readUvarint(this.#buf, this.#x, end);
    this.#x = varintEnd;
    return unzig(u);
  }
}

function unzig(u: number): number {
  if (u <= 0xffffffff) return (u >>> 1) ^ -(u & 1);
  // The low bit by exact double arithmetic: a floating `%` is a library call.
  const half = Math.floor(u / 2);
  return u - half * 2 === 0 ? half : -(half + 1);
}

/** 2^i for the shifts of a varint's bytes past 28 bits (exact; `2 ** i` is a library call). */
const POW2 = Float64Array.from({ length: 64 }, (_, i) => 2 ** i);

/** Where the last {@link readUvarint} stopped (a module slot, so reading allocates nothing). */
let varintEnd = 0;

function readUvarint(b: Uint8Array, p: number, end: number): number {
  if (p >= end) throw new ChunkDecodeError("column ends in the middle of a record", p);
  let c = b[p++];
  if (c < 0x80) {
    varintEnd = p;
    return c;
  }
  let x = c & 0x7f;
  let shift = 7;
  for (;;) {
    if (p >= end) throw new ChunkDecodeError("varint runs past the end of its column", p);
    c = b[p++];
    if (shift < 28) x |= (c & 0x7f) << shift;
    else x += (c & 0x7f) * POW2[shift];
    if (c < 0x80) break;
    shift += 7;
    if (shift > 49) throw new ChunkDecodeError("varint is longer than 8 bytes", p);
  }
  varintEnd = p;
  return x;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
}

/**
 * Rejects field values no recorder can produce. This is the one check of record values:
 * `trace validate` and replay both decode through it, so they agree on what is valid.
 * Sizes that models loop over (bytes a record moves) are bounded by `maxBytes`, the
 * guest's memory, so no record can make replay run for hours.
 */
function checkExtended(rec: TraceRecord, pos: number, maxBytes: number): void {
  const f = rec.f;
  switch (rec.kind) {
    case RecordKind.Sensitive:
      if (!(f[Field.Op] >= 1 && f[Field.Op] <= MAX_SENSITIVE_OP)) {
        throw new ChunkDecodeError(
          `sensitive instruction has an impossible class ${f[Field.Op]}`,
          pos,
        );
      }
      return;
    case RecordKind.Exception:
    case RecordKind.Interrupt:
      if (!(f[Field.Vector] >= 0 && f[Field.Vector] <= 255)) {
        throw new ChunkDecodeError(`vector ${f[Field.Vector]} is not 0-255`, pos);
      }
      return;
    case RecordKind.PtWrite:
      if (!(f[Field.Level] >= 0 && f[Field.Level] <= 5) || f[Field.Paddr] < 0) {
        throw new ChunkDecodeError("page-table write has an impossible level or address", pos);
      }
      return;
    case RecordKind.Pio:
      if (!(f[Field.Reg] >= 0 && f[Field.Reg] <= 0xffff) || !validIoSize(f[Field.Size])) {
        throw new ChunkDecodeError("port access has an impossible port or size", pos);
      }
      return;
    case RecordKind.Mmio:
      if (f[Field.Paddr] < 0 || !validIoSize(f[Field.Size])) {
        throw new ChunkDecodeError("MMIO access has an impossible address or size", pos);
      }
      return;
    case RecordKind.Dma:
      if (!(f[Field.Paddr] >= 0 && f[Field.Paddr] < MAX_PHYS_ADDR)) {
        throw new ChunkDecodeError(`DMA has an impossible address ${f[Field.Paddr]}`, pos);
      }
      checkLength(f[Field.Length], maxBytes, pos);
      return;
    case RecordKind.BlockRequest:
    case RecordKind.NetRequest:
      checkLength(f[Field.Length], maxBytes, pos);
      return;
    case RecordKind.RepString:
      if (f[Field.Count] < 0 || !validIoSize(f[Field.Size])) {
        throw new ChunkDecodeError("string instruction has an impossible count or size", pos);
      }
      if (f[Field.Count] * f[Field.Size] > maxBytes) {
        throw new ChunkDecodeError(
          `string instruction moves ${f[Field.Count]} x ${
            f[
              Field.Size
            ]
          } bytes, more than the guest's ${maxBytes} bytes of memory`,
          pos,
        );
      }
      if (!(f[Field.Paddr] >= 0 && f[Field.Paddr] < MAX_PHYS_ADDR)) {
        throw new ChunkDecodeError(
          `string instruction has an impossible address ${f[Field.Paddr]}`,
          pos,
        );
      }
      return;
    case RecordKind.PageHash:
      if (f[Field.Paddr] < 0 || f[Field.HashHi] < 0 || f[Field.HashHi] > 0xffffffff) {
        throw new ChunkDecodeError("page hash has an impossible address or hash", pos);
      }
      return;
    case RecordKind.PageRun:
      if (
        f[Field.Op] < 0 || f[Field.Value] < 0 || f[Field.Paddr] < 0 ||
        f[Field.Paddr] % 4096 !== 0 || !(f[Field.Count] >= 1) ||
        f[Field.Count] > PAGE_RUN_MAX_PAGES || !(f[Field.Flags] >= 0 && f[Field.Flags] <= 15)
      ) {
        throw new ChunkDecodeError(
          "page run has an impossible interval, address, page count or flags",
          pos,
        );
      }
      // A model touches every page of a run: no more than the guest has.
      if (f[Field.Count] * 4096 > maxBytes || f[Field.Paddr] >= MAX_PHYS_ADDR) {
        throw new ChunkDecodeError(
          `page run of ${f[Field.Count]} pages at ${
            f[Field.Paddr]
          } is more than the guest's ${maxBytes} bytes of memory or beyond physical addresses`,
          pos,
        );
      }
      return;
  }
}

function checkLength(length: number, maxBytes: number, pos: number): void {
  if (length < 0) throw new ChunkDecodeError("negative transfer length", pos);
  if (length > maxBytes) {
    throw new ChunkDecodeError(
      `transfer of ${length} bytes is more than the guest's ${maxBytes} bytes of memory`,
      pos,
    );
  }
}

function validIoSize(s: number): boolean {
  return s === 1 || s === 2 || s === 4 || s === 8;
}

/** Whether a kind code is encoded in the extended column (everything but Exec and Mem). */
export function isExtendedKind(kind: number): boolean {
  return kind !== RecordKind.Exec && kind !== RecordKind.ExecPartial && !isMemKind(kind);
}
