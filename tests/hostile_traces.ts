/**
 * A generator of CRC-valid but semantically hostile traces (issue 11, classes 1 and 2):
 * every checksum, offset and count agrees, so structural checks pass, but a size or value
 * asks a reader to allocate without bound or replay to loop for hours. Format-level cases
 * are reassembled section by section from a small legitimate trace; record-level cases are
 * written through the ordinary writer, which does not judge record values.
 *
 * Deflate bombs are built by hand (a fixed-Huffman block of zero runs, 13 bits per 258
 * bytes), so making a stream that inflates to a gigabyte costs the test neither the
 * gigabyte nor the time to compress it.
 */

import { constants, deflateRawSync } from "node:zlib";
import { encodeCodeTable } from "../src/trace/code_table.ts";
import { crc32 } from "../src/trace/crc32.ts";
import {
  Codec,
  FILE_HEADER_SIZE,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  MAGIC,
  SECTION_HEADER_SIZE,
  Tag,
  TRAILER_MAGIC,
} from "../src/trace/format.ts";
import type { TraceHeaderInit, TraceSummary } from "../src/trace/header.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { BlockOp, ControlFlow, MarkerOp, SensitiveOp, StringOp } from "../src/trace/record.ts";
import { ByteSink } from "../src/trace/varint.ts";
import { TraceWriter } from "../src/trace/writer.ts";

/** The header of every generated trace: a 256 MiB guest with a disk and a NIC. */
export const BASE_HEADER: TraceHeaderInit = {
  workload: "hostile-base",
  source: { kind: "synthetic", method: "tests/hostile_traces.ts", recorder: "vmmlab tests" },
  guest: { arch: "x86_64", memoryMiB: 256 },
  pageSizes: [4096],
  devices: ["virtio-blk", "e1000"],
  inferred: [],
};

/** Guest memory of {@link BASE_HEADER}, in bytes. */
export const BASE_MEMORY = 256 * 2 ** 20;

type Hostile = (w: TraceWriter) => void;

/**
 * A small legitimate trace (two chunks, a few blocks, every common record kind), with
 * `hostile` called once in the middle of its second iteration to add one bad record.
 */
export function baseTrace(hostile?: Hostile, header: TraceHeaderInit = BASE_HEADER): Uint8Array {
  const w = TraceWriter.inMemory(header, { chunkRecords: 400 });
  const user = w.defineBlock(0x401000, 3, [
    { length: 3, sensitive: 0, flow: ControlFlow.None },
    { length: 2, sensitive: 0, flow: ControlFlow.CondJump },
  ]);
  const kernel = w.defineBlock(-0x7f000000, 0, [
    { length: 1, sensitive: SensitiveOp.Cli, flow: ControlFlow.None },
    { length: 4, sensitive: 0, flow: ControlFlow.Ret },
  ]);
  w.marker(MarkerOp.Begin, 0);
  for (let it = 0; it < 3; it++) {
    w.marker(MarkerOp.Iteration, it);
    for (let i = 0; i < 100; i++) {
      w.exec(user);
      w.mem(0x600000 + 8 * i, 0x1600000 + 8 * i, 8, 0);
      w.exec(kernel);
      w.sensitive(SensitiveOp.Cli, -0x7f000000, 0, 0, 0, 0);
      w.mem(-0x7e000000 + 64 * i, 0x2000000 + 64 * i, 8, 1);
    }
    w.repString(-0x7f000000, StringOp.Stos, 512, 8, -0x7e000000, 0x2000000, 2);
    w.dma(0, 0x3000000, 4096, 2);
    w.blockRequest(0, BlockOp.Read, 0, 4096);
    if (it === 1) hostile?.(w);
  }
  w.marker(MarkerOp.End, 0);
  return w.finish();
}

/** One section as it will be written: header fields and stored bytes. */
export interface Section {
  /** Records, blocks or chunks. */
  items: number;
  /** Declared uncompressed size. */
  raw: number;
  /** Declared CRC-32 of the uncompressed payload. */
  crc: number;
  /** The stored payload. */
  stored: Uint8Array;
  /** Guest instructions (chunks). */
  instructions: number;
}

/** A section deflated honestly from `raw`. */
export function section(raw: Uint8Array, items: number, instructions = 0): Section {
  return { items, raw: raw.length, crc: crc32(raw), stored: deflateRawSync(raw), instructions };
}

/** A legitimate trace taken apart into its pieces, to be reassembled with changes. */
export interface Pieces {
  /** Header JSON text. */
  header: string;
  /** Chunk sections with their uncompressed payloads. */
  chunks: { section: Section; raw: Uint8Array }[];
  /** Code-table payload and block count. */
  code: { raw: Uint8Array; blocks: number };
  /** The summary object. */
  summary: TraceSummary;
}

/** Takes a trace apart. */
export function pieces(bytes: Uint8Array): Pieces {
  const t = TraceReader.fromBytes(bytes);
  const chunks = t.chunks.map((c) => {
    const h = t.readSectionHeader(c.offset, c.index);
    const stored = t.readStored(c.offset + SECTION_HEADER_SIZE, h.stored).slice();
    const raw = t.decodePayload(h, stored, c.offset, c.index).slice();
    return { section: { ...h, stored }, raw };
  });
  const code = new ByteSink();
  encodeCodeTable(t.code, code);
  return {
    header: JSON.stringify(t.header),
    chunks,
    code: { raw: code.view().slice(), blocks: t.code.blockCount },
    summary: structuredClone(t.summary),
  };
}

/**
 * Writes a complete file from its pieces: header, chunk sections, code table, index
 * (deflated, or `indexSection` as given), trailer. Every checksum and offset agrees.
 */
export function assemble(
  header: string | Uint8Array,
  chunks: readonly Section[],
  code: Section,
  summary: unknown,
  indexSection?: (raw: Uint8Array) => Section,
): Uint8Array {
  const out = new ByteSink(1 << 16);
  const json = typeof header === "string" ? new TextEncoder().encode(header) : header;
  out.bytes(MAGIC);
  out.byte(FORMAT_MAJOR & 0xff);
  out.byte(FORMAT_MAJOR >> 8);
  out.byte(FORMAT_MINOR & 0xff);
  out.byte(FORMAT_MINOR >> 8);
  out.u32(json.length);
  out.u32(crc32(json));
  out.bytes(json);
  const write = (tag: number, s: Section) => {
    out.u32(tag);
    out.byte(Codec.Deflate);
    out.byte(0);
    out.byte(0);
    out.byte(0);
    out.u32(s.items);
    out.u32(s.raw);
    out.u32(s.stored.length);
    out.u32(s.crc);
    out.u32(s.instructions);
    out.u32(0);
    out.bytes(s.stored);
  };
  const entries: number[][] = [];
  let before = 0;
  for (const c of chunks) {
    entries.push([out.length, c.items, c.instructions, c.raw, c.stored.length, before]);
    before += c.instructions;
    write(Tag.Chunk, c);
  }
  const codeOffset = out.length;
  write(Tag.Code, code);
  const index = new ByteSink(1 << 12);
  const sj = summary instanceof Uint8Array
    ? summary
    : new TextEncoder().encode(JSON.stringify(summary));
  index.u32(sj.length);
  index.bytes(sj);
  index.u32(entries.length);
  for (const e of entries) for (const v of e) index.f64(v);
  index.f64(codeOffset);
  const indexOffset = out.length;
  const raw = index.view().slice();
  write(Tag.Index, indexSection ? indexSection(raw) : section(raw, entries.length));
  out.f64(indexOffset);
  out.bytes(TRAILER_MAGIC);
  if (FILE_HEADER_SIZE !== 20) throw new Error("file header layout changed");
  return out.view().slice();
}

/** Reassembles `p` unchanged except for what `change` edits. */
export function rebuild(p: Pieces, change: (p: Pieces) => void = () => {}): Uint8Array {
  change(p);
  return assemble(
    p.header,
    p.chunks.map((c) => c.section),
    section(p.code.raw, p.code.blocks),
    p.summary,
  );
}

/** Writes bits least-significant first, as deflate does. */
class BitWriter {
  bytes: Uint8Array;
  bit = 0;
  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  /** Writes the low `n` bits of `v`, lowest first (deflate's header fields). */
  bits(v: number, n: number): void {
    for (let i = 0; i < n; i++) this.#put((v >> i) & 1);
  }
  /** Writes a Huffman code of `n` bits, most significant first. */
  code(v: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) this.#put((v >> i) & 1);
  }
  #put(b: number): void {
    if (b) this.bytes[this.bit >> 3] |= 1 << (this.bit & 7);
    this.bit++;
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, (this.bit + 7) >> 3);
  }
}

/**
 * A fixed-Huffman deflate block producing `n` copies of `byte` (below 144): one literal,
 * then copies of 258 bytes at distance 1 (13 bits each), then literals, then end of
 * block. A non-final block is followed by an empty stored block, which leaves the stream
 * byte-aligned for whatever comes next.
 */
export function runBlock(n: number, byte: number, final: boolean): Uint8Array {
  const w = new BitWriter(Math.ceil(n / 258) * 2 + 300);
  w.bits(final ? 1 : 0, 1);
  w.bits(1, 2); // BTYPE = 01, fixed Huffman
  const literal = () => w.code(0x30 + byte, 8);
  let left = n;
  if (left > 0) {
    literal();
    left--;
  }
  while (left >= 258) {
    w.code(0xc5, 8); // length symbol 285 = 258 bytes
    w.code(0, 5); // distance symbol 0 = 1 byte back
    left -= 258;
  }
  while (left-- > 0) literal();
  w.code(0, 7); // end of block (symbol 256)
  if (!final) {
    w.bits(0, 3); // a stored block, not final
    w.bit = (w.bit + 7) & ~7;
    w.bits(0, 16);
    w.bits(0xffff, 16);
  }
  return w.view().slice();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** A running CRC-32 (state starts at -1; the checksum is `(state ^ -1) >>> 0`). */
function crcRun(c: number, bytes: Uint8Array | number, count = 1): number {
  if (typeof bytes === "number") {
    for (let i = 0; i < count; i++) c = CRC_TABLE[(c ^ bytes) & 0xff] ^ (c >>> 8);
    return c;
  }
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/**
 * `raw` deflated without finishing the stream (a sync flush leaves it byte-aligned),
 * followed by a final block of `extra` zero bytes: a stream that inflates past `raw`.
 */
export function overlongDeflate(raw: Uint8Array, extra: number): Uint8Array {
  return concat(
    deflateRawSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }),
    runBlock(extra, 0, true),
  );
}

/**
 * A trace whose summary JSON is padded (a `notes` string of `pad` bytes): the index
 * section declares and inflates to its true size, with a matching CRC, from a stored
 * payload of about `pad / 160` bytes.
 */
export function summaryBomb(p: Pieces, pad: number): Uint8Array {
  const small = new TextEncoder().encode(JSON.stringify({ ...p.summary, notes: "" }));
  const cut = small.length - 2; // before the closing `"}`
  return assemble(
    p.header,
    p.chunks.map((c) => c.section),
    section(p.code.raw, p.code.blocks),
    small,
    (raw) => {
      // raw = u32 J, summary JSON, the rest of the index.
      const head = raw.slice(0, 4 + cut);
      new DataView(head.buffer).setUint32(0, small.length + pad, true);
      const tail = raw.slice(4 + cut);
      let c = crcRun(-1, head);
      c = crcRun(c, 0x78, pad);
      c = crcRun(c, tail);
      return {
        items: p.chunks.length,
        raw: raw.length + pad,
        crc: (c ^ -1) >>> 0,
        stored: concat(
          deflateRawSync(head, { finishFlush: constants.Z_SYNC_FLUSH }),
          runBlock(pad, 0x78, false),
          deflateRawSync(tail),
        ),
        instructions: 0,
      };
    },
  );
}

/** A code-table payload of `blocks` blocks of `perBlock` one-byte instructions each. */
export function codeTableOf(prefix: Pieces["code"], blocks: number, perBlock: number): {
  raw: Uint8Array;
  blocks: number;
} {
  // The prefix's own block count varint is replaced: parse its length first.
  let p = 0;
  while (prefix.raw[p] & 0x80) p++;
  p++;
  const out = new ByteSink(blocks * (3 + 4 * perBlock) + prefix.raw.length + 16);
  out.uvarint(prefix.blocks + blocks);
  out.bytes(prefix.raw.subarray(p));
  const one = new ByteSink(16 + 4 * perBlock);
  one.svarint(0);
  one.byte(0);
  one.uvarint(perBlock);
  for (let i = 0; i < perBlock; i++) {
    one.byte(1);
    one.byte(0);
    one.byte(0);
    one.uvarint(0);
  }
  const block = one.view();
  for (let b = 0; b < blocks; b++) out.bytes(block);
  return { raw: out.view().slice(), blocks: prefix.blocks + blocks };
}
