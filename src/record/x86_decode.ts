/**
 * A small x86 instruction-length decoder and classifier for the QEMU recorder.
 *
 * The recorder sees each guest instruction only as opcode bytes. To build the code table it
 * needs three facts per instruction: its encoded length, whether it is one of the sensitive
 * or privileged classes a VMM must handle ({@link SensitiveOp}), and how it transfers control
 * ({@link ControlFlow}); for repeated string instructions it also needs the operation and
 * element size. This module derives those facts from the bytes alone, in 64-bit or 32-bit
 * protected mode, without a full disassembler: prefixes, REX, VEX, EVEX and XOP prefixes,
 * the one-byte, 0F, 0F38 and 0F3A maps (plus 3DNow!), ModRM/SIB/displacement and immediate
 * sizes are table driven.
 *
 * Control-flow decisions (checked against the brief and the meaning of `ControlFlow.Far` in
 * `src/trace/record.ts`, "anything that changes privilege or segment"):
 * - `Jump`: E9, EB. `CondJump`: 70–7F, 0F 80–8F, E0–E3 (LOOPcc, JCXZ) and XBEGIN (C7 F8),
 *   whose abort path may branch.
 * - `Call`: E8. `Ret`: C3, C2 (near returns only).
 * - `IndirectJump`: FF /4. `IndirectCall`: FF /2.
 * - `Far`: far JMP/CALL/RET (EA, 9A, FF /5, FF /3, CB, CA) because they load CS; IRET,
 *   SYSCALL, SYSRET, SYSENTER, SYSEXIT, RSM, INT n, INT3, INTO, INT1 (F1); and UD0/UD1/UD2,
 *   which always raise #UD and so never fall through.
 *
 * Sensitive-class decisions beyond the obvious opcode matches:
 * - 0F 01 register forms (ModRM C0–FF) are distinct instructions: C1 VMCALL, D9 VMMCALL (and,
 *   with F3, SEV-ES VMGEXIT) are `Vmcall`; C8/C9 and AMD's FA/FB MONITORX/MWAITX are
 *   `Monitor`/`Mwait`; D1 `Xsetbv`; F8 `Swapgs` (64-bit mode only); F9 `Rdtscp`. SMSW and
 *   LMSW also have register forms (E0–E7, F0–F7), classified like their memory forms.
 * - MOV CR: `reg` is the CR number including REX.R, and LOCK (F0) selects AMD's CR8 alias.
 * - F1 (INT1/ICEBP) is `Int` with vector 1; INT3 and INTO report vectors 3 and 4.
 * - F3 90 is `Pause` only without REX.B (with REX.B it is XCHG r8, rAX, as QEMU decodes it).
 * - WBNOINVD (F3 0F 09) is `Wbinvd`. VEX/EVEX/XOP-encoded instructions are never sensitive.
 *
 * Operand sizes follow AMD64 where vendors differ: a 66 prefix shortens a near branch's offset
 * to 16 bits in 64-bit mode as well, as objdump and QEMU's TCG decoder do. Only 64-bit and
 * 32-bit protected mode are decoded (no real or 16-bit protected mode), and `invalid` reports
 * truncated input and the opcodes the tables know to be undefined, not every reserved
 * encoding.
 *
 * @module
 */

import { ControlFlow, SensitiveOp, StringOp } from "../trace/record.ts";

/** The architectural maximum length of one x86 instruction, in bytes. */
export const X86_MAX_LENGTH = 15;

/** Instruction encodings, as reported in {@link X86Info.encoding}. */
export const X86Encoding = {
  /** Legacy encoding: optional prefixes and REX, then a one-byte, 0F, 0F38 or 0F3A opcode. */
  Legacy: 0,
  /** VEX (C4/C5) encoded AVX instruction. */
  Vex: 1,
  /** EVEX (62) encoded AVX-512 instruction. */
  Evex: 2,
  /** AMD XOP (8F) encoded instruction. */
  Xop: 3,
} as const;

/**
 * What the decoder learned about one instruction. A caller that decodes many instructions
 * can reuse one instance with {@link decodeX86Into}, so decoding allocates nothing.
 */
export class X86Info {
  /** Encoded length in bytes (1–15), or 0 when the bytes are not a valid instruction. */
  length = 0;
  /**
   * True when the bytes are truncated, would exceed 15 bytes, or start with an opcode that is
   * undefined (or removed in 64-bit mode); then every other field is neutral.
   */
  invalid = true;
  /** Sensitive-instruction class ({@link SensitiveOp}), 0 for an ordinary instruction. */
  sensitive = 0;
  /** Control-flow kind ({@link ControlFlow}). */
  flow = 0;
  /**
   * Operand the sensitive class cares about: the control or debug register number for
   * MOV CR/DR, the vector for INT n/INT3/INTO/INT1, the port for IN/OUT with an immediate
   * port; -1 when there is none (for example IN/OUT through DX).
   */
  reg: number = -1;
  /** String operation ({@link StringOp}) for MOVS/STOS/LODS/CMPS/SCAS/INS/OUTS, else 0. */
  stringOp = 0;
  /** The last F2/F3 prefix byte seen (0 when neither); for a string op it selects REP/REPNE. */
  repPrefix = 0;
  /** True for a string operation carrying an F2 or F3 prefix, i.e. one that repeats RCX times. */
  repeated = false;
  /**
   * Bytes per element for string operations and port I/O, register width for MOV CR/DR;
   * 0 otherwise.
   */
  size = 0;
  /** Encoding family ({@link X86Encoding}). */
  encoding = 0;
  /** Opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A, 15 3DNow! (0F 0F); VEX/EVEX/XOP map number. */
  map = 0;
  /** The opcode byte within its map (for 3DNow!, the suffix byte), or -1. */
  opcode: number = -1;
  /** The ModRM byte, or -1 when the instruction has none. */
  modrm: number = -1;
  /** Offset of the displacement within the instruction (0 when none); recorder markers use it. */
  dispOffset = 0;
  /** Displacement size in bytes (0, 1, 2, 4 or 8 for a 64-bit MOV moffs). */
  dispSize = 0;
  /** Offset of the first immediate byte within the instruction (0 when none). */
  immOffset = 0;
  /** Total immediate size in bytes, relative branch offsets and far pointers included. */
  immSize = 0;
  /** True when the memory operand is RIP-relative (64-bit mode, ModRM mod=0 rm=5). */
  ripRelative = false;
}

// ---------------------------------------------------------------------------------------------
// Opcode property tables.

/** Has a ModRM byte. */
const M = 1;
/** Has an 8-bit immediate. */
const I8 = 2;
/** Has a 16- or 32-bit immediate (16 with a 66 prefix). */
const IZ = 4;
/** Has a 16-bit immediate. */
const I16 = 8;
/** Invalid in 64-bit mode. */
const X64 = 16;
/** Undefined opcode in every mode. */
const BAD = 32;
/**
 * Relative branch with a 16/32-bit offset. A 66 prefix selects a 16-bit offset in 64-bit mode
 * too: AMD's rule, which objdump and QEMU's TCG front end follow (Intel CPUs ignore the 66).
 */
const REL = 64;
/** Needs individual treatment in {@link decodeX86Into}. */
const SPECIAL = 128;

/** Fills `table[from..to]` with `flags`. */
function fill(table: Uint8Array, from: number, to: number, flags: number): void {
  for (let i = from; i <= to; i++) table[i] = flags;
}

/** Properties of the one-byte opcode map. */
const ONE = new Uint8Array(256);
for (let row = 0; row < 8; row++) {
  const b = row * 8;
  fill(ONE, b, b + 3, M);
  ONE[b + 4] = I8;
  ONE[b + 5] = IZ;
  // 06/07, 0E, 16/17, 1E/1F: PUSH/POP segment; 27, 2F, 37, 3F: DAA/DAS/AAA/AAS.
  ONE[b + 7] = X64;
  if (row < 4) ONE[b + 6] = X64;
}
ONE[0x0f] = SPECIAL; // two-byte escape
for (const p of [0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]) {
  ONE[p] = SPECIAL; // prefixes (consumed before the opcode)
}
ONE[0x60] = X64;
ONE[0x61] = X64;
ONE[0x62] = SPECIAL; // BOUND (32-bit) or EVEX
ONE[0x63] = M;
ONE[0x68] = IZ;
ONE[0x69] = M | IZ;
ONE[0x6a] = I8;
ONE[0x6b] = M | I8;
fill(ONE, 0x70, 0x7f, I8);
ONE[0x80] = M | I8;
ONE[0x81] = M | IZ;
ONE[0x82] = M | I8 | X64;
ONE[0x83] = M | I8;
fill(ONE, 0x84, 0x8e, M);
ONE[0x8f] = SPECIAL; // POP r/m or XOP
ONE[0x9a] = SPECIAL | X64; // far CALL ptr16:z
fill(ONE, 0xa0, 0xa3, SPECIAL); // MOV moffs
ONE[0xa8] = I8;
ONE[0xa9] = IZ;
fill(ONE, 0xb0, 0xb7, I8);
fill(ONE, 0xb8, 0xbf, SPECIAL); // MOV r, imm (imm64 with REX.W)
ONE[0xc0] = M | I8;
ONE[0xc1] = M | I8;
ONE[0xc2] = I16;
ONE[0xc4] = SPECIAL; // LES or VEX3
ONE[0xc5] = SPECIAL; // LDS or VEX2
ONE[0xc6] = M | I8;
ONE[0xc7] = M | IZ;
ONE[0xc8] = SPECIAL; // ENTER iw, ib
ONE[0xca] = I16;
ONE[0xcd] = I8;
ONE[0xce] = X64;
fill(ONE, 0xd0, 0xd3, M);
ONE[0xd4] = I8 | X64;
ONE[0xd5] = I8 | X64;
ONE[0xd6] = X64;
fill(ONE, 0xd8, 0xdf, M);
fill(ONE, 0xe0, 0xe7, I8);
ONE[0xe8] = IZ | REL;
ONE[0xe9] = IZ | REL;
ONE[0xea] = SPECIAL | X64; // far JMP ptr16:z
ONE[0xeb] = I8;
ONE[0xf6] = SPECIAL; // group 3: TEST has an immediate
ONE[0xf7] = SPECIAL;
ONE[0xfe] = M;
ONE[0xff] = M;

/** Properties of the 0F map. */
const TWO = new Uint8Array(256).fill(M);
for (const op of [0x04, 0x0a, 0x0c, 0x24, 0x25, 0x26, 0x27, 0x36, 0x39, 0x7a, 0x7b, 0xa6, 0xa7]) {
  TWO[op] = BAD;
}
fill(TWO, 0x3b, 0x3f, BAD);
for (const op of [0x05, 0x06, 0x07, 0x08, 0x09, 0x0b, 0x0e, 0x77, 0xa0, 0xa1, 0xa2, 0xa8, 0xa9]) {
  TWO[op] = 0;
}
TWO[0xaa] = 0; // RSM
fill(TWO, 0x30, 0x35, 0);
TWO[0x37] = 0; // GETSEC
TWO[0x0f] = SPECIAL; // 3DNow!: ModRM then a suffix byte
TWO[0x38] = SPECIAL;
TWO[0x3a] = SPECIAL;
fill(TWO, 0x70, 0x73, M | I8);
TWO[0x78] = SPECIAL; // VMREAD, or AMD EXTRQ/INSERTQ with two immediates
fill(TWO, 0x80, 0x8f, IZ | REL);
TWO[0xa4] = M | I8;
TWO[0xac] = M | I8;
TWO[0xba] = M | I8;
TWO[0xc2] = M | I8;
fill(TWO, 0xc4, 0xc6, M | I8);
fill(TWO, 0xc8, 0xcf, 0); // BSWAP

/** Sensitive class of one-byte opcodes that need no further inspection. */
const SENS_ONE = new Uint8Array(256);
SENS_ONE[0xfa] = SensitiveOp.Cli;
SENS_ONE[0xfb] = SensitiveOp.Sti;
SENS_ONE[0x9c] = SensitiveOp.Pushf;
SENS_ONE[0x9d] = SensitiveOp.Popf;
fill(SENS_ONE, 0xe4, 0xe5, SensitiveOp.In);
fill(SENS_ONE, 0xec, 0xed, SensitiveOp.In);
fill(SENS_ONE, 0xe6, 0xe7, SensitiveOp.Out);
fill(SENS_ONE, 0xee, 0xef, SensitiveOp.Out);
fill(SENS_ONE, 0x6c, 0x6d, SensitiveOp.Ins);
fill(SENS_ONE, 0x6e, 0x6f, SensitiveOp.Outs);
SENS_ONE[0xf4] = SensitiveOp.Hlt;
SENS_ONE[0xcf] = SensitiveOp.Iret;
SENS_ONE[0x8e] = SensitiveOp.MovToSreg;
SENS_ONE[0x8c] = SensitiveOp.MovFromSreg;
for (const op of [0x06, 0x0e, 0x16, 0x1e]) SENS_ONE[op] = SensitiveOp.PushSreg;
for (const op of [0x07, 0x17, 0x1f]) SENS_ONE[op] = SensitiveOp.PopSreg;
SENS_ONE[0xcd] = SensitiveOp.Int;
SENS_ONE[0xf1] = SensitiveOp.Int; // INT1 / ICEBP
SENS_ONE[0xcc] = SensitiveOp.Int3;
SENS_ONE[0xce] = SensitiveOp.Into;

/** Sensitive class of 0F-map opcodes that need no further inspection. */
const SENS_TWO = new Uint8Array(256);
SENS_TWO[0x20] = SensitiveOp.CrRead;
SENS_TWO[0x22] = SensitiveOp.CrWrite;
SENS_TWO[0x21] = SensitiveOp.MovDr;
SENS_TWO[0x23] = SensitiveOp.MovDr;
SENS_TWO[0x32] = SensitiveOp.Rdmsr;
SENS_TWO[0x30] = SensitiveOp.Wrmsr;
SENS_TWO[0x31] = SensitiveOp.Rdtsc;
SENS_TWO[0xa2] = SensitiveOp.Cpuid;
SENS_TWO[0x05] = SensitiveOp.Syscall;
SENS_TWO[0x07] = SensitiveOp.Sysret;
SENS_TWO[0x34] = SensitiveOp.Sysenter;
SENS_TWO[0x35] = SensitiveOp.Sysexit;
SENS_TWO[0x02] = SensitiveOp.Lar;
SENS_TWO[0x03] = SensitiveOp.Lsl;
SENS_TWO[0x06] = SensitiveOp.Clts;
SENS_TWO[0x09] = SensitiveOp.Wbinvd; // also WBNOINVD (F3 0F 09)
SENS_TWO[0x08] = SensitiveOp.Invd;
SENS_TWO[0xa0] = SensitiveOp.PushSreg;
SENS_TWO[0xa8] = SensitiveOp.PushSreg;
SENS_TWO[0xa1] = SensitiveOp.PopSreg;
SENS_TWO[0xa9] = SensitiveOp.PopSreg;

/** 0F 00 group 6 by ModRM.reg: SLDT, STR, LLDT, LTR, VERR, VERW. */
const GROUP6 = [
  SensitiveOp.Sldt,
  SensitiveOp.Str,
  SensitiveOp.Lldt,
  SensitiveOp.Ltr,
  SensitiveOp.Verr,
  SensitiveOp.Verw,
  0,
  0,
];

/** 0F 01 group 7 memory forms by ModRM.reg (SMSW and LMSW also have register forms). */
const GROUP7_MEM = [
  SensitiveOp.Sgdt,
  SensitiveOp.Sidt,
  SensitiveOp.Lgdt,
  SensitiveOp.Lidt,
  SensitiveOp.Smsw,
  0, // RSTORSSP
  SensitiveOp.Lmsw,
  SensitiveOp.Invlpg,
];

/** 0F 01 register forms (ModRM C0–FF) that are sensitive, indexed by ModRM - 0xC0. */
const GROUP7_REG = new Uint8Array(64);
GROUP7_REG[0xc1 - 0xc0] = SensitiveOp.Vmcall;
GROUP7_REG[0xd9 - 0xc0] = SensitiveOp.Vmcall; // VMMCALL (AMD); with F3, VMGEXIT (SEV-ES)
GROUP7_REG[0xc8 - 0xc0] = SensitiveOp.Monitor;
GROUP7_REG[0xc9 - 0xc0] = SensitiveOp.Mwait;
GROUP7_REG[0xfa - 0xc0] = SensitiveOp.Monitor; // MONITORX (AMD)
GROUP7_REG[0xfb - 0xc0] = SensitiveOp.Mwait; // MWAITX (AMD)
GROUP7_REG[0xd1 - 0xc0] = SensitiveOp.Xsetbv;
GROUP7_REG[0xf8 - 0xc0] = SensitiveOp.Swapgs;
GROUP7_REG[0xf9 - 0xc0] = SensitiveOp.Rdtscp;
fill(GROUP7_REG, 0xe0 - 0xc0, 0xe7 - 0xc0, SensitiveOp.Smsw);
fill(GROUP7_REG, 0xf0 - 0xc0, 0xf7 - 0xc0, SensitiveOp.Lmsw);

/** Control flow of one-byte opcodes that need no further inspection. */
const FLOW_ONE = new Uint8Array(256);
fill(FLOW_ONE, 0x70, 0x7f, ControlFlow.CondJump);
fill(FLOW_ONE, 0xe0, 0xe3, ControlFlow.CondJump);
FLOW_ONE[0xe9] = ControlFlow.Jump;
FLOW_ONE[0xeb] = ControlFlow.Jump;
FLOW_ONE[0xe8] = ControlFlow.Call;
FLOW_ONE[0xc3] = ControlFlow.Ret;
FLOW_ONE[0xc2] = ControlFlow.Ret;
for (const op of [0xca, 0xcb, 0xcf, 0xcd, 0xcc, 0xce, 0xf1, 0xea, 0x9a]) {
  FLOW_ONE[op] = ControlFlow.Far;
}

/** Control flow of 0F-map opcodes. */
const FLOW_TWO = new Uint8Array(256);
fill(FLOW_TWO, 0x80, 0x8f, ControlFlow.CondJump);
for (const op of [0x05, 0x07, 0x34, 0x35, 0xaa, 0x0b, 0xb9, 0xff]) FLOW_TWO[op] = ControlFlow.Far;

/** Control flow of FF group 5 by ModRM.reg. */
const FLOW_FF = [
  0,
  0,
  ControlFlow.IndirectCall,
  ControlFlow.Far,
  ControlFlow.IndirectJump,
  ControlFlow.Far,
  0,
  0,
];

/** String operations of opcodes A4–AF (two opcodes each: byte and word/dword/qword). */
const STRING_A4 = [
  StringOp.Movs,
  StringOp.Movs,
  StringOp.Cmps,
  StringOp.Cmps,
  0,
  0,
  StringOp.Stos,
  StringOp.Stos,
  StringOp.Lods,
  StringOp.Lods,
  StringOp.Scas,
  StringOp.Scas,
];

// ---------------------------------------------------------------------------------------------
// Decoding.

/** Clears every field of `out` to its "nothing known" value. */
function reset(out: X86Info): void {
  out.length = 0;
  out.invalid = false;
  out.sensitive = 0;
  out.flow = 0;
  out.reg = -1;
  out.stringOp = 0;
  out.repPrefix = 0;
  out.repeated = false;
  out.size = 0;
  out.encoding = X86Encoding.Legacy;
  out.map = 0;
  out.opcode = -1;
  out.modrm = -1;
  out.dispOffset = 0;
  out.dispSize = 0;
  out.immOffset = 0;
  out.immSize = 0;
  out.ripRelative = false;
}

/** Marks `out` as an undecodable instruction and returns it. */
function fail(out: X86Info): X86Info {
  reset(out);
  out.invalid = true;
  return out;
}

/**
 * Decodes the instruction at `bytes[offset]` into `out` (reused, so that decoding a stream of
 * instructions allocates nothing) and returns `out`. Never throws: undecodable, truncated or
 * over-long input yields `length` 0 and `invalid` true. `mode64` selects 64-bit mode;
 * otherwise 32-bit protected mode with 32-bit default operand and address sizes.
 */
export function decodeX86Into(
  bytes: Uint8Array,
  offset: number,
  mode64: boolean,
  out: X86Info,
): X86Info {
  reset(out);
  if (!Number.isInteger(offset) || offset < 0) return fail(out);
  const limit = Math.min(bytes.length, offset + X86_MAX_LENGTH);
  let p = offset;
  let opsize16 = false;
  let addr16or32 = false; // 67 prefix seen
  let lock = false;
  let rep = 0;
  let rex = 0;

  // Legacy prefixes and REX (a REX followed by another prefix is ignored).
  for (;;) {
    if (p >= limit) return fail(out);
    const b = bytes[p];
    if (b === 0x66) opsize16 = true;
    else if (b === 0x67) addr16or32 = true;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65) {
      // segment override: no effect on length or class
    } else if (mode64 && (b & 0xf0) === 0x40) {
      rex = b;
      p++;
      continue;
    } else break;
    rex = 0;
    p++;
  }
  out.repPrefix = rep;
  const rexW = (rex & 8) !== 0;
  // Operand size for z/v immediates; address size selects 16-bit ModRM and moffs width.
  const osize = rexW ? 8 : opsize16 ? 2 : 4;
  const asize = mode64 ? (addr16or32 ? 4 : 8) : (addr16or32 ? 2 : 4);

  let op = bytes[p++];
  let map = 0;
  let flags = 0;
  let hasModrm = false;
  let imm = 0; // immediate bytes
  let forceRegModrm = false; // MOV CR/DR ignore ModRM.mod

  if (op === 0x0f) {
    if (p >= limit) return fail(out);
    op = bytes[p++];
    map = 1;
    if (op === 0x38 || op === 0x3a) {
      if (p >= limit) return fail(out);
      map = op === 0x38 ? 2 : 3;
      op = bytes[p++];
      hasModrm = true;
      if (map === 3) imm = 1;
    } else if (op === 0x0f) {
      map = 15; // 3DNow!: the opcode is the suffix byte after ModRM and displacement
      hasModrm = true;
      imm = 1;
    } else {
      flags = TWO[op];
      if (flags & BAD) return fail(out);
      if (op === 0x78) {
        hasModrm = true;
        if (rep === 0xf2 || (opsize16 && rep === 0)) imm = 2; // INSERTQ / EXTRQ
      } else {
        hasModrm = (flags & M) !== 0;
        if (flags & I8) imm = 1;
        else if (flags & REL) imm = osize === 2 ? 2 : 4;
      }
      if (op >= 0x20 && op <= 0x23) forceRegModrm = true;
    }
  } else {
    flags = ONE[op];
    const next = p < limit ? bytes[p] : -1;
    if ((op === 0xc4 || op === 0xc5 || op === 0x62) && (mode64 || next >= 0xc0)) {
      // VEX (C4 three-byte, C5 two-byte) or EVEX (62).
      if (next < 0) return fail(out);
      const enc = op === 0x62 ? X86Encoding.Evex : X86Encoding.Vex;
      out.encoding = enc;
      if (op === 0xc5) {
        map = 1;
        p += 1;
      } else if (op === 0xc4) {
        if (p + 1 >= limit) return fail(out);
        map = next & 0x1f;
        p += 2;
      } else {
        if (p + 2 >= limit) return fail(out);
        map = next & 7;
        if ((bytes[p + 1] & 4) === 0) return fail(out); // EVEX P1 bit 2 is always 1
        p += 3;
      }
      if (p >= limit) return fail(out);
      op = bytes[p++];
      if (map === 1) {
        hasModrm = !(op === 0x77 && enc === X86Encoding.Vex);
        if ((op >= 0x70 && op <= 0x73) || op === 0xc2 || (op >= 0xc4 && op <= 0xc6)) imm = 1;
      } else if (map === 2 || map === 5 || map === 6) {
        if (enc === X86Encoding.Vex && map !== 2) return fail(out);
        hasModrm = true;
      } else if (map === 3) {
        hasModrm = true;
        imm = 1;
      } else return fail(out);
    } else if (op === 0x8f && next >= 0 && (next & 0x1f) >= 8) {
      // AMD XOP: 8F RXB.mmmmm W.vvvv.L.pp opcode ModRM.
      if (p + 1 >= limit) return fail(out);
      out.encoding = X86Encoding.Xop;
      map = next & 0x1f;
      p += 2;
      if (p >= limit) return fail(out);
      op = bytes[p++];
      hasModrm = true;
      if (map === 8) imm = 1;
      else if (map === 0x0a) imm = 4;
      else if (map !== 9) return fail(out);
    } else {
      if (mode64 && (flags & X64)) return fail(out);
      if (flags & SPECIAL) {
        if (op === 0x62 || op === 0x8f || op === 0xc4 || op === 0xc5) hasModrm = true;
        else if (op >= 0xa0 && op <= 0xa3) imm = asize; // moffs: counted as displacement below
        else if (op === 0x9a || op === 0xea) imm = (opsize16 ? 2 : 4) + 2;
        else if (op >= 0xb8 && op <= 0xbf) imm = rexW ? 8 : osize;
        else if (op === 0xc8) imm = 3;
        else if (op === 0xf6 || op === 0xf7) hasModrm = true; // immediate decided after ModRM
        else return fail(out); // a prefix byte can not reach here; defensive
      } else {
        hasModrm = (flags & M) !== 0;
        if (flags & I8) imm = 1;
        else if (flags & I16) imm = 2;
        else if (flags & (IZ | REL)) imm = osize === 2 ? 2 : 4;
      }
    }
  }

  // ModRM, SIB and displacement.
  let modrm = -1;
  let disp = 0;
  if (hasModrm) {
    if (p >= limit) return fail(out);
    modrm = bytes[p++];
    const mod = modrm >> 6;
    const rm = modrm & 7;
    if (mod !== 3 && !forceRegModrm) {
      if (asize === 2) {
        if (mod === 1) disp = 1;
        else if (mod === 2 || rm === 6) disp = 2;
      } else {
        if (rm === 4) {
          if (p >= limit) return fail(out);
          const sib = bytes[p++];
          if (mod === 0 && (sib & 7) === 5) disp = 4;
        } else if (mod === 0 && rm === 5) {
          disp = 4;
          out.ripRelative = mode64;
        }
        if (mod === 1) disp = 1;
        else if (mod === 2) disp = 4;
      }
    }
    if (map === 0 && (op === 0x8c || op === 0x8e) && out.encoding === X86Encoding.Legacy) {
      // There are six segment registers, and CS can not be loaded with MOV: #UD otherwise.
      const sreg = (modrm >> 3) & 7;
      if (sreg >= 6 || (op === 0x8e && sreg === 1)) return fail(out);
    }
    if (map === 0 && out.encoding === X86Encoding.Legacy && (op === 0xf6 || op === 0xf7)) {
      if ((modrm & 0x30) === 0) imm = op === 0xf6 ? 1 : (osize === 2 ? 2 : 4); // TEST /0 /1
    }
  }
  if (disp) {
    out.dispOffset = p - offset;
    out.dispSize = disp;
    p += disp;
  } else if (map === 0 && out.encoding === X86Encoding.Legacy && op >= 0xa0 && op <= 0xa3) {
    out.dispOffset = p - offset;
    out.dispSize = imm;
    p += imm;
    imm = 0;
  }
  if (imm) {
    out.immOffset = p - offset;
    out.immSize = imm;
    p += imm;
  }
  if (p > limit) return fail(out);
  if (map === 15) op = bytes[p - 1];

  out.length = p - offset;
  out.map = map;
  out.opcode = op;
  out.modrm = modrm;
  if (out.encoding !== X86Encoding.Legacy) return out;
  classify(bytes, offset, mode64, out, rex, osize, lock, opsize16);
  return out;
}

/** Fills the sensitive class, control flow, string and operand fields of a legacy instruction. */
function classify(
  bytes: Uint8Array,
  offset: number,
  mode64: boolean,
  out: X86Info,
  rex: number,
  osize: number,
  lock: boolean,
  opsize16: boolean,
): void {
  const op = out.opcode;
  const modrm = out.modrm;
  const reg = (modrm >> 3) & 7;
  if (out.map === 0) {
    out.sensitive = SENS_ONE[op];
    out.flow = FLOW_ONE[op];
    if (op === 0xff) out.flow = FLOW_FF[reg];
    else if (op === 0xc7 && modrm === 0xf8) out.flow = ControlFlow.CondJump; // XBEGIN
    else if (op === 0x90 && out.repPrefix === 0xf3 && (rex & 1) === 0) {
      out.sensitive = SensitiveOp.Pause;
    } else if (op === 0xcd || op === 0xe4 || op === 0xe5 || op === 0xe6 || op === 0xe7) {
      out.reg = bytes[offset + out.immOffset];
    } else if (op === 0xcc) out.reg = 3;
    else if (op === 0xce) out.reg = 4;
    else if (op === 0xf1) out.reg = 1;
    if (op >= 0xe4 && op <= 0xef && op !== 0xe8 && op !== 0xe9 && op !== 0xea && op !== 0xeb) {
      out.size = op & 1 ? (osize === 2 ? 2 : 4) : 1;
    }
    let stringOp = 0;
    if (op >= 0xa4 && op <= 0xaf) stringOp = STRING_A4[op - 0xa4];
    else if (op === 0x6c || op === 0x6d) stringOp = StringOp.Ins;
    else if (op === 0x6e || op === 0x6f) stringOp = StringOp.Outs;
    if (stringOp) {
      out.stringOp = stringOp;
      out.repeated = out.repPrefix !== 0;
      out.size = op & 1 ? (op < 0x70 && osize === 8 ? 4 : osize) : 1;
    }
    return;
  }
  if (out.map === 1) {
    out.sensitive = SENS_TWO[op];
    out.flow = FLOW_TWO[op];
    if (op >= 0x20 && op <= 0x23) {
      out.reg = reg | ((rex & 4) << 1) | (lock && (op & 1) === 0 ? 8 : 0);
      out.size = mode64 ? 8 : 4;
    } else if (op === 0x00) {
      out.sensitive = GROUP6[reg];
    } else if (op === 0x01) {
      out.sensitive = modrm >= 0xc0 ? GROUP7_REG[modrm - 0xc0] : GROUP7_MEM[reg];
      if (modrm === 0xf8 && !mode64) out.sensitive = 0; // SWAPGS is 64-bit only
    }
    return;
  }
  if (out.map === 2 && op === 0x82 && opsize16 && out.repPrefix === 0 && modrm < 0xc0) {
    out.sensitive = SensitiveOp.Invpcid;
  }
}

/**
 * Decodes the instruction at `bytes[offset]` into a fresh {@link X86Info}. Convenient for
 * tests and one-off use; a loop over many instructions should reuse one result object with
 * {@link decodeX86Into}.
 */
export function decodeX86(bytes: Uint8Array, offset: number, mode64: boolean): X86Info {
  return decodeX86Into(bytes, offset, mode64, new X86Info());
}
