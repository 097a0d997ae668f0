/**
 * The wire format of the vmmlab TCG plugin's stream (`plugin/vmmlab_plugin.c`) and a
 * parser that hands each record to a {@link PluginStreamSink}.
 *
 * The layouts below restate the producer's `put_u*` offsets once, by name, so the parser
 * and the plugin can be checked against each other field by field. Every record starts
 * with a type byte; all integers are little-endian. The parser only decodes: lining the
 * records up with QEMU's log and writing the trace is the converter's job (convert.ts).
 *
 * @module
 */

/** Record type bytes of the plugin stream (the first byte of every record). */
export const StreamOp = { TbDef: 1, Exec: 2, Cut: 3, Rep: 4, Mark: 5, End: 6 } as const;

/**
 * Memory-reference records use every type byte from 0x80 up:
 * `0x80 | log2(size) | store << 3 | io << 4` (the plugin's `mem_access`).
 */
export const STREAM_MEM_FIRST = 0x80;
/** Memory-reference type bits holding log2 of the access size. */
export const STREAM_MEM_SIZE_MASK = 7;
/** Memory-reference type bit: the access was a store. */
export const STREAM_MEM_STORE = 8;
/** Memory-reference type bit: the access reached a device (MMIO), not RAM. */
export const STREAM_MEM_IO = 16;

/** REP record `flags` bit: the counted access of each iteration is a store. */
export const STREAM_REP_STORE = 1;
/** REP record `flags` bit: the counted access reached a device. */
export const STREAM_REP_IO = 2;

/**
 * TBDEF: a translation block was translated. `u32 id, u64 vaddr, u16 n`, then `n` times
 * `u8 len` followed by the instruction's `len` bytes, starting at `instructions`.
 */
export const TbDefLayout = { id: 1, vaddr: 5, count: 13, instructions: 15 } as const;
/** EXEC: a translation block started. `u32 id`. */
export const ExecLayout = { id: 1, bytes: 5 } as const;
/** CUT: the previous block stopped after `u16 started` instructions (an exception). */
export const CutLayout = { started: 1, bytes: 3 } as const;
/**
 * REP: a run of a repeated string instruction's iterations collapsed into one record.
 * `u64 pc, u8 op, u8 size, u8 flags, u32 count, u64 addr, u64 paddr`.
 */
export const RepLayout = {
  pc: 1,
  op: 9,
  size: 10,
  flags: 11,
  count: 12,
  addr: 16,
  paddr: 24,
  bytes: 32,
} as const;
/** MARK: a marker NOP executed. `u8 op, u8 arg, u64 instructions started so far`. */
export const MarkLayout = { op: 1, arg: 2, started: 3, bytes: 11 } as const;
/** END: the plugin stopped recording (last record of the stream). */
export const EndLayout = { bytes: 1 } as const;
/**
 * MEM: one memory access. `u16 index` of the instruction in its block, `u64 vaddr`,
 * `u64 paddr` (all ones when QEMU could not translate it).
 */
export const MemLayout = { index: 1, vaddr: 3, paddr: 11, bytes: 19 } as const;

/** Most instructions QEMU puts in one translation block (TCG_MAX_INSNS). */
export const MAX_TB_INSTRUCTIONS = 512;
/** Longest x86 instruction in bytes. */
const MAX_X86_LENGTH = 15;
/** The longest record the plugin can write: a TBDEF of the longest block. */
export const MAX_STREAM_RECORD = TbDefLayout.instructions +
  MAX_TB_INSTRUCTIONS * (1 + MAX_X86_LENGTH);

/**
 * What the parser hands decoded records to, in stream order. Arguments are numbers read
 * with the layouts above; addresses are signed 64-bit values as numbers (exact below 2^53
 * in magnitude), and an all-ones physical address is -1.
 */
export interface PluginStreamSink {
  /**
   * Whether the consumer wants no more records; checked before each record, so that
   * whatever follows the end of the recorded window is not decoded.
   */
  readonly done: boolean;
  /**
   * TBDEF. `body` is the block's `(len, bytes)` list as stored (valid only during the
   * call) and `lengths` the instruction lengths in order.
   */
  define(id: number, vaddr: number, body: Uint8Array, lengths: number[]): void;
  /** EXEC. */
  exec(id: number): void;
  /** CUT. */
  cut(started: number): void;
  /** REP (`flags` holds {@link STREAM_REP_STORE} and {@link STREAM_REP_IO}). */
  rep(
    pc: number,
    op: number,
    size: number,
    flags: number,
    count: number,
    addr: number,
    paddr: number,
  ): void;
  /** MEM (`type` is the record's type byte, {@link STREAM_MEM_FIRST} and up). */
  mem(type: number, index: number, vaddr: number, paddr: number): void;
  /** MARK. */
  mark(op: number, arg: number): void;
  /** END. */
  end(): void;
}

/** A plugin stream that does not follow the wire format; `offset` is the record's byte offset. */
export class PluginStreamError extends Error {
  /** The stream file. */
  readonly path: string;
  /** Byte offset of the offending record in the file. */
  readonly offset: number;

  /** Creates an error for the record at `offset` of `path`. */
  constructor(path: string, offset: number, message: string) {
    super(`${path}: ${message} at stream offset ${offset}`);
    this.name = "PluginStreamError";
    this.path = path;
    this.offset = offset;
  }
}

/** Options of {@link parsePluginStream}. */
export interface ParseStreamOptions {
  /** Size of the read buffer (tests use small ones to cross many refills); default 32 MiB. */
  bufferBytes?: number;
  /** Progress callback: bytes of stream consumed so far (about every 8 MiB, and at the end). */
  onProgress?: (bytes: number) => void;
}

/** Signed 64-bit little-endian value as a number (exact below 2^53 in magnitude). */
function s64(dv: DataView, at: number): number {
  return dv.getInt32(at + 4, true) * 4294967296 + dv.getUint32(at, true);
}

/** Unsigned 64-bit little-endian value, or -1 when it is all ones. */
function u64(dv: DataView, at: number): number {
  const hi = dv.getUint32(at + 4, true);
  const lo = dv.getUint32(at, true);
  if (hi === 0xffffffff && lo === 0xffffffff) return -1;
  return hi * 4294967296 + lo;
}

/**
 * Reads the stream at `path` through a bounded buffer and hands every record to `sink`
 * until the stream or the sink is done; returns the file's size in bytes.
 */
export function parsePluginStream(
  path: string,
  sink: PluginStreamSink,
  options: ParseStreamOptions = {},
): number {
  const file = Deno.openSync(path, { read: true });
  try {
    const size = file.statSync().size;
    // No bigger than the stream: a short window should not pay for zeroing 32 MiB.
    const want = Math.min(options.bufferBytes ?? 32 << 20, size + MAX_STREAM_RECORD);
    const buf = new Uint8Array(Math.max(want, 2 * MAX_STREAM_RECORD));
    const dv = new DataView(buf.buffer);
    let have = 0;
    let pos = 0;
    let consumed = 0;
    let eof = false;
    let lastProgress = 0;
    while (!sink.done) {
      if (!eof && have - pos <= MAX_STREAM_RECORD) {
        buf.copyWithin(0, pos, have);
        have -= pos;
        consumed += pos;
        pos = 0;
        while (have < buf.length) {
          const n = file.readSync(buf.subarray(have));
          if (n === null) {
            eof = true;
            break;
          }
          have += n;
        }
        if (consumed - lastProgress > (8 << 20)) {
          lastProgress = consumed;
          options.onProgress?.(consumed);
        }
      }
      if (pos >= have) break;
      const limit = eof ? have : have - MAX_STREAM_RECORD;
      const before = pos;
      pos = parseRecords(path, consumed, buf, dv, pos, limit, have, sink);
      if (pos === before && !sink.done) {
        throw new PluginStreamError(path, consumed + pos, "parsing made no progress");
      }
    }
    options.onProgress?.(size);
    return size;
  } finally {
    file.close();
  }
}

/**
 * Decodes records starting at `pos` while `pos < limit`; `have` bytes of `buf` are valid
 * and `base` is the file offset of `buf[0]`. Returns the position after the last record.
 */
function parseRecords(
  path: string,
  base: number,
  buf: Uint8Array,
  dv: DataView,
  pos: number,
  limit: number,
  have: number,
  sink: PluginStreamSink,
): number {
  while (pos < limit && !sink.done) {
    const t = buf[pos];
    if (t >= STREAM_MEM_FIRST) {
      if (pos + MemLayout.bytes > have) {
        throw new PluginStreamError(path, base + pos, "truncated memory record");
      }
      sink.mem(
        t,
        dv.getUint16(pos + MemLayout.index, true),
        s64(dv, pos + MemLayout.vaddr),
        u64(dv, pos + MemLayout.paddr),
      );
      pos += MemLayout.bytes;
      continue;
    }
    const end = pos + fixedSize(t);
    if (end > have) throw new PluginStreamError(path, base + pos, `truncated record of type ${t}`);
    switch (t) {
      case StreamOp.Exec:
        sink.exec(dv.getUint32(pos + ExecLayout.id, true));
        pos = end;
        break;
      case StreamOp.Cut:
        sink.cut(dv.getUint16(pos + CutLayout.started, true));
        pos = end;
        break;
      case StreamOp.TbDef: {
        const n = dv.getUint16(pos + TbDefLayout.count, true);
        if (n > MAX_TB_INSTRUCTIONS) {
          throw new PluginStreamError(
            path,
            base + pos,
            `block definition of ${n} instructions (at most ${MAX_TB_INSTRUCTIONS})`,
          );
        }
        const first = pos + TbDefLayout.instructions;
        let at = first;
        const lengths: number[] = [];
        for (let i = 0; i < n && at < have; i++) {
          const len = buf[at];
          lengths.push(len);
          at += 1 + len;
        }
        if (at > have || lengths.length < n) {
          throw new PluginStreamError(path, base + pos, "truncated block definition");
        }
        sink.define(
          dv.getUint32(pos + TbDefLayout.id, true),
          s64(dv, pos + TbDefLayout.vaddr),
          buf.subarray(first, at),
          lengths,
        );
        pos = at;
        break;
      }
      case StreamOp.Rep:
        sink.rep(
          s64(dv, pos + RepLayout.pc),
          buf[pos + RepLayout.op],
          buf[pos + RepLayout.size],
          buf[pos + RepLayout.flags],
          dv.getUint32(pos + RepLayout.count, true),
          s64(dv, pos + RepLayout.addr),
          u64(dv, pos + RepLayout.paddr),
        );
        pos = end;
        break;
      case StreamOp.Mark:
        sink.mark(buf[pos + MarkLayout.op], buf[pos + MarkLayout.arg]);
        pos = end;
        break;
      case StreamOp.End:
        pos = end;
        sink.end();
        break;
      default:
        throw new PluginStreamError(path, base + pos, `unknown record type ${t}`);
    }
  }
  return pos;
}

/** Bytes of a record type's fixed part (a TBDEF's instruction list comes after it). */
function fixedSize(type: number): number {
  switch (type) {
    case StreamOp.TbDef:
      return TbDefLayout.instructions;
    case StreamOp.Exec:
      return ExecLayout.bytes;
    case StreamOp.Cut:
      return CutLayout.bytes;
    case StreamOp.Rep:
      return RepLayout.bytes;
    case StreamOp.Mark:
      return MarkLayout.bytes;
    case StreamOp.End:
      return EndLayout.bytes;
  }
  return 1;
}
