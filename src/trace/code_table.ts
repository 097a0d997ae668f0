/**
 * The static code table: every distinct basic block a trace executes, with its code
 * address, privilege level and instructions. The execution stream refers to blocks by
 * id, so the per-instruction cost of a trace is a fraction of a byte, and models such as
 * binary translation see exactly which code runs and where it lives.
 *
 * @module
 */

import { MAX_CODE_BLOCKS, MAX_CODE_INSTRUCTIONS } from "./format.ts";
import { isSensitiveClass, MAX_FLOW } from "./record.ts";
import { type ByteReader, ByteSink } from "./varint.ts";

/** One instruction as the code table stores it. */
export interface CodeInstruction {
  /** Encoded length in bytes (1–15). */
  length: number;
  /** Sensitive-instruction class (`SensitiveOp`), 0 for an ordinary instruction. */
  sensitive: number;
  /** Control-flow kind (`ControlFlow`). */
  flow: number;
  /** The opcode bytes, when the source knows them (empty otherwise). */
  bytes?: Uint8Array;
}

/** Privilege level of user code. */
export const CPL_USER = 3;
/** Privilege level of kernel code. */
export const CPL_KERNEL = 0;

/**
 * The code table in columnar, typed-array form. Instructions of block `b` occupy
 * indexes `first[b] .. first[b] + length[b] - 1` of the instruction columns.
 */
export class CodeTable {
  /** Number of blocks. */
  readonly blockCount: number;
  /** Code address of each block's first instruction (signed; kernel addresses are negative). */
  readonly blockAddr: Float64Array;
  /** Privilege level of each block: 0 kernel, 3 user. */
  readonly blockCpl: Uint8Array;
  /** Index of each block's first instruction in the instruction columns. */
  readonly blockFirst: Uint32Array;
  /** Number of instructions in each block. */
  readonly blockLength: Uint32Array;
  /** Number of sensitive instructions in each block (derived; models use it to skip scans). */
  readonly blockSensitive: Uint32Array;
  /** Code address of each instruction. */
  readonly instrAddr: Float64Array;
  /** Encoded length of each instruction. */
  readonly instrLength: Uint8Array;
  /** Sensitive class of each instruction. */
  readonly instrSensitive: Uint8Array;
  /** Control-flow kind of each instruction. */
  readonly instrFlow: Uint8Array;
  /** Offset of each instruction's opcode bytes in `bytes` (length `instrCount + 1`). */
  readonly instrBytesOffset: Uint32Array;
  /** Opcode bytes of all instructions, concatenated. */
  readonly bytes: Uint8Array;

  /** Builds the table from its columns; use {@link CodeTableBuilder} or {@link decodeCodeTable}. */
  constructor(columns: {
    blockAddr: Float64Array;
    blockCpl: Uint8Array;
    blockFirst: Uint32Array;
    blockLength: Uint32Array;
    instrLength: Uint8Array;
    instrSensitive: Uint8Array;
    instrFlow: Uint8Array;
    instrBytesOffset: Uint32Array;
    bytes: Uint8Array;
  }) {
    this.blockCount = columns.blockAddr.length;
    this.blockAddr = columns.blockAddr;
    this.blockCpl = columns.blockCpl;
    this.blockFirst = columns.blockFirst;
    this.blockLength = columns.blockLength;
    this.instrLength = columns.instrLength;
    this.instrSensitive = columns.instrSensitive;
    this.instrFlow = columns.instrFlow;
    this.instrBytesOffset = columns.instrBytesOffset;
    this.bytes = columns.bytes;
    const n = this.instrLength.length;
    this.instrAddr = new Float64Array(n);
    this.blockSensitive = new Uint32Array(this.blockCount);
    for (let b = 0; b < this.blockCount; b++) {
      let pc = this.blockAddr[b];
      let sens = 0;
      const end = this.blockFirst[b] + this.blockLength[b];
      for (let i = this.blockFirst[b]; i < end; i++) {
        this.instrAddr[i] = pc;
        pc += this.instrLength[i];
        if (this.instrSensitive[i] !== 0) sens++;
      }
      this.blockSensitive[b] = sens;
    }
  }

  /** Total number of instructions over all blocks. */
  get instructionCount(): number {
    return this.instrLength.length;
  }

  /** The instructions of one block, as objects (for tools and tests, not hot paths). */
  instructions(block: number): CodeInstruction[] {
    const out: CodeInstruction[] = [];
    const end = this.blockFirst[block] + this.blockLength[block];
    for (let i = this.blockFirst[block]; i < end; i++) {
      out.push({
        length: this.instrLength[i],
        sensitive: this.instrSensitive[i],
        flow: this.instrFlow[i],
        bytes: this.bytes.slice(this.instrBytesOffset[i], this.instrBytesOffset[i + 1]),
      });
    }
    return out;
  }
}

/** Accumulates blocks while a trace is written; ids are assigned in order of definition. */
export class CodeTableBuilder {
  #addr: number[] = [];
  #cpl: number[] = [];
  #first: number[] = [];
  #length: number[] = [];
  #iLength: number[] = [];
  #iSens: number[] = [];
  #iFlow: number[] = [];
  #bytesOffset: number[] = [0];
  #bytes = new ByteSink(1 << 12);

  /** Number of blocks defined so far. */
  get blockCount(): number {
    return this.#addr.length;
  }

  /** Length (instructions) of a defined block. */
  blockLength(id: number): number {
    return this.#length[id];
  }

  /** Defines a block and returns its id. */
  add(addr: number, cpl: number, instructions: readonly CodeInstruction[]): number {
    if (!Number.isSafeInteger(addr)) {
      throw new RangeError(`block address ${addr} is not an integer`);
    }
    if (cpl !== CPL_KERNEL && cpl !== CPL_USER && (cpl < 0 || cpl > 3)) {
      throw new RangeError(`privilege level ${cpl} is not 0-3`);
    }
    if (instructions.length === 0) throw new RangeError("a block needs at least one instruction");
    if (this.#addr.length >= MAX_CODE_BLOCKS) {
      throw new RangeError(`a trace may define at most ${MAX_CODE_BLOCKS} blocks`);
    }
    if (this.#iLength.length + instructions.length > MAX_CODE_INSTRUCTIONS) {
      throw new RangeError(
        `a trace's blocks may hold at most ${MAX_CODE_INSTRUCTIONS} instructions`,
      );
    }
    const id = this.#addr.length;
    this.#addr.push(addr);
    this.#cpl.push(cpl);
    this.#first.push(this.#iLength.length);
    this.#length.push(instructions.length);
    for (const ins of instructions) {
      if (!(ins.length >= 1 && ins.length <= 15)) {
        throw new RangeError(`instruction length ${ins.length} is not 1-15`);
      }
      this.#iLength.push(ins.length);
      this.#iSens.push(ins.sensitive);
      this.#iFlow.push(ins.flow);
      if (ins.bytes) this.#bytes.bytes(ins.bytes);
      this.#bytesOffset.push(this.#bytes.length);
    }
    return id;
  }

  /** Freezes the accumulated blocks into a {@link CodeTable}. */
  build(): CodeTable {
    return new CodeTable({
      blockAddr: Float64Array.from(this.#addr),
      blockCpl: Uint8Array.from(this.#cpl),
      blockFirst: Uint32Array.from(this.#first),
      blockLength: Uint32Array.from(this.#length),
      instrLength: Uint8Array.from(this.#iLength),
      instrSensitive: Uint8Array.from(this.#iSens),
      instrFlow: Uint8Array.from(this.#iFlow),
      instrBytesOffset: Uint32Array.from(this.#bytesOffset),
      bytes: this.#bytes.view().slice(),
    });
  }
}

/**
 * Serializes a code table (the uncompressed payload of the CODE section):
 * `varint blockCount`, then per block `zigzag addr-delta, u8 cpl, varint n`, then per
 * instruction `u8 length, u8 sensitive, u8 flow, varint byteCount, bytes`.
 */
export function encodeCodeTable(table: CodeTable, out: ByteSink): void {
  out.uvarint(table.blockCount);
  let prev = 0;
  for (let b = 0; b < table.blockCount; b++) {
    out.svarint(table.blockAddr[b] - prev);
    prev = table.blockAddr[b];
    out.byte(table.blockCpl[b]);
    out.uvarint(table.blockLength[b]);
    const end = table.blockFirst[b] + table.blockLength[b];
    for (let i = table.blockFirst[b]; i < end; i++) {
      out.byte(table.instrLength[i]);
      out.byte(table.instrSensitive[i]);
      out.byte(table.instrFlow[i]);
      const from = table.instrBytesOffset[i];
      const to = table.instrBytesOffset[i + 1];
      out.uvarint(to - from);
      out.bytes(table.bytes.subarray(from, to));
    }
  }
}

/**
 * Parses a CODE section payload. Throws `RangeError` with a description on malformed
 * input; the reader turns it into a `TraceFormatError` with the file offset. A first pass
 * checks the structure and counts blocks, instructions and opcode bytes against the
 * format limits; the second fills typed arrays of exactly that size, so a hostile table
 * costs at most its columns, never one object per instruction.
 */
export function decodeCodeTable(input: ByteReader): CodeTable {
  const start = input.pos;
  const blocks = input.uvarint();
  if (blocks > MAX_CODE_BLOCKS || blocks > input.remaining) {
    throw new RangeError(`code table claims ${blocks} blocks (at most ${MAX_CODE_BLOCKS})`);
  }
  let instructions = 0;
  let opcodeBytes = 0;
  for (let b = 0; b < blocks; b++) {
    input.svarint();
    const cpl = input.byte();
    if (cpl > 3) throw new RangeError(`block ${b} has privilege level ${cpl}`);
    const n = input.uvarint();
    if (n === 0 || n > input.remaining) throw new RangeError(`block ${b} claims ${n} instructions`);
    instructions += n;
    if (instructions > MAX_CODE_INSTRUCTIONS) {
      throw new RangeError(`code table holds more than ${MAX_CODE_INSTRUCTIONS} instructions`);
    }
    for (let i = 0; i < n; i++) {
      const length = input.byte();
      const sensitive = input.byte();
      const flow = input.byte();
      if (length < 1 || length > 15) {
        throw new RangeError(`instruction in block ${b} has length ${length}`);
      }
      if (!isSensitiveClass(sensitive)) {
        throw new RangeError(`instruction in block ${b} has sensitive class ${sensitive}`);
      }
      if (flow > MAX_FLOW) throw new RangeError(`instruction in block ${b} has flow kind ${flow}`);
      const nb = input.uvarint();
      if (nb > 15) throw new RangeError(`instruction in block ${b} has ${nb} opcode bytes`);
      input.skip(nb);
      opcodeBytes += nb;
    }
  }
  if (input.remaining !== 0) {
    throw new RangeError(`${input.remaining} bytes left after the code table`);
  }
  const blockAddr = new Float64Array(blocks);
  const blockCpl = new Uint8Array(blocks);
  const blockFirst = new Uint32Array(blocks);
  const blockLength = new Uint32Array(blocks);
  const instrLength = new Uint8Array(instructions);
  const instrSensitive = new Uint8Array(instructions);
  const instrFlow = new Uint8Array(instructions);
  const instrBytesOffset = new Uint32Array(instructions + 1);
  const bytes = new Uint8Array(opcodeBytes);
  input.pos = start;
  input.uvarint();
  let addr = 0;
  let at = 0;
  let bp = 0;
  for (let b = 0; b < blocks; b++) {
    addr += input.svarint();
    if (!Number.isSafeInteger(addr)) throw new RangeError(`block ${b} address is out of range`);
    blockAddr[b] = addr;
    blockCpl[b] = input.byte();
    const n = input.uvarint();
    blockFirst[b] = at;
    blockLength[b] = n;
    for (let i = 0; i < n; i++, at++) {
      instrLength[at] = input.byte();
      instrSensitive[at] = input.byte();
      instrFlow[at] = input.byte();
      const nb = input.uvarint();
      bytes.set(input.view(nb), bp);
      bp += nb;
      instrBytesOffset[at + 1] = bp;
    }
  }
  return new CodeTable({
    blockAddr,
    blockCpl,
    blockFirst,
    blockLength,
    instrLength,
    instrSensitive,
    instrFlow,
    instrBytesOffset,
    bytes,
  });
}
