import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { ControlFlow, SensitiveOp, StringOp } from "../trace/record.ts";
import { decodeX86, decodeX86Into, X86_MAX_LENGTH, X86Encoding, X86Info } from "./x86_decode.ts";

const FIXTURES = new URL("../../tests/fixtures/x86/", import.meta.url);

/** Hex string (spaces allowed) to bytes. */
function hex(s: string): Uint8Array {
  const t = s.replaceAll(" ", "");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases: one or more per sensitive class, with the operand the recorder needs.

interface Case {
  bytes: string;
  mode64?: boolean;
  length: number;
  sensitive?: number;
  flow?: number;
  reg?: number;
  size?: number;
  stringOp?: number;
  repeated?: boolean;
}

const S = SensitiveOp;
const F = ControlFlow;

const CASES: Case[] = [
  { bytes: "0f 20 d8", length: 3, sensitive: S.CrRead, reg: 3, size: 8 }, // mov rax, cr3
  { bytes: "0f 22 e0", length: 3, sensitive: S.CrWrite, reg: 4, size: 8 }, // mov cr4, rax
  { bytes: "44 0f 22 c0", length: 4, sensitive: S.CrWrite, reg: 8 }, // mov cr8, rax
  { bytes: "0f 20 18", length: 3, sensitive: S.CrRead, reg: 3 }, // mod ignored
  { bytes: "f0 0f 20 c0", mode64: false, length: 4, sensitive: S.CrRead, reg: 8, size: 4 },
  { bytes: "0f 23 f8", length: 3, sensitive: S.MovDr, reg: 7 },
  { bytes: "0f 21 c0", length: 3, sensitive: S.MovDr, reg: 0 },
  { bytes: "0f 01 38", length: 3, sensitive: S.Invlpg }, // invlpg [rax]
  { bytes: "0f 01 3d 00 01 00 00", length: 7, sensitive: S.Invlpg }, // invlpg [rip+0x100]
  { bytes: "66 0f 38 82 07", length: 5, sensitive: S.Invpcid },
  { bytes: "0f 38 82 07", length: 4, sensitive: S.None }, // no 66: not INVPCID
  { bytes: "fa", length: 1, sensitive: S.Cli },
  { bytes: "fb", length: 1, sensitive: S.Sti },
  { bytes: "9c", length: 1, sensitive: S.Pushf },
  { bytes: "66 9d", length: 2, sensitive: S.Popf },
  { bytes: "e4 60", length: 2, sensitive: S.In, reg: 0x60, size: 1 },
  { bytes: "66 e5 80", length: 3, sensitive: S.In, reg: 0x80, size: 2 },
  { bytes: "ed", length: 1, sensitive: S.In, reg: -1, size: 4 },
  { bytes: "e6 80", length: 2, sensitive: S.Out, reg: 0x80, size: 1 },
  { bytes: "ef", length: 1, sensitive: S.Out, reg: -1, size: 4 },
  { bytes: "6c", length: 1, sensitive: S.Ins, stringOp: StringOp.Ins, size: 1, repeated: false },
  { bytes: "f3 6d", length: 2, sensitive: S.Ins, stringOp: StringOp.Ins, size: 4, repeated: true },
  { bytes: "f3 48 6d", length: 3, sensitive: S.Ins, size: 4, repeated: true }, // no 8-byte I/O
  { bytes: "66 6f", length: 2, sensitive: S.Outs, stringOp: StringOp.Outs, size: 2 },
  { bytes: "0f 32", length: 2, sensitive: S.Rdmsr },
  { bytes: "0f 30", length: 2, sensitive: S.Wrmsr },
  { bytes: "0f 31", length: 2, sensitive: S.Rdtsc },
  { bytes: "0f 01 f9", length: 3, sensitive: S.Rdtscp },
  { bytes: "0f a2", length: 2, sensitive: S.Cpuid },
  { bytes: "f4", length: 1, sensitive: S.Hlt },
  { bytes: "48 cf", length: 2, sensitive: S.Iret, flow: F.Far }, // iretq
  { bytes: "0f 05", length: 2, sensitive: S.Syscall, flow: F.Far },
  { bytes: "48 0f 07", length: 3, sensitive: S.Sysret, flow: F.Far },
  { bytes: "0f 34", length: 2, sensitive: S.Sysenter, flow: F.Far },
  { bytes: "0f 35", length: 2, sensitive: S.Sysexit, flow: F.Far },
  { bytes: "0f 01 f8", length: 3, sensitive: S.Swapgs },
  { bytes: "0f 01 f8", mode64: false, length: 3, sensitive: S.None }, // 64-bit only
  { bytes: "0f 01 10", length: 3, sensitive: S.Lgdt },
  { bytes: "0f 01 18", length: 3, sensitive: S.Lidt },
  { bytes: "0f 01 07", length: 3, sensitive: S.Sgdt },
  { bytes: "0f 01 4c 24 08", length: 5, sensitive: S.Sidt },
  { bytes: "0f 01 20", length: 3, sensitive: S.Smsw },
  { bytes: "0f 01 e0", length: 3, sensitive: S.Smsw }, // smsw eax (register form)
  { bytes: "0f 01 30", length: 3, sensitive: S.Lmsw },
  { bytes: "0f 01 f0", length: 3, sensitive: S.Lmsw }, // lmsw ax (register form)
  { bytes: "0f 00 d0", length: 3, sensitive: S.Lldt },
  { bytes: "0f 00 18", length: 3, sensitive: S.Ltr },
  { bytes: "0f 00 c0", length: 3, sensitive: S.Sldt },
  { bytes: "0f 00 08", length: 3, sensitive: S.Str },
  { bytes: "0f 00 e0", length: 3, sensitive: S.Verr },
  { bytes: "0f 00 6d fc", length: 4, sensitive: S.Verw },
  { bytes: "0f 02 c0", length: 3, sensitive: S.Lar },
  { bytes: "48 0f 03 c1", length: 4, sensitive: S.Lsl },
  { bytes: "8e d8", length: 2, sensitive: S.MovToSreg },
  { bytes: "8c 28", length: 2, sensitive: S.MovFromSreg },
  { bytes: "06", mode64: false, length: 1, sensitive: S.PushSreg },
  { bytes: "1f", mode64: false, length: 1, sensitive: S.PopSreg },
  { bytes: "0f a8", length: 2, sensitive: S.PushSreg },
  { bytes: "0f a1", length: 2, sensitive: S.PopSreg },
  { bytes: "cd 80", length: 2, sensitive: S.Int, reg: 0x80, flow: F.Far },
  { bytes: "f1", length: 1, sensitive: S.Int, reg: 1, flow: F.Far },
  { bytes: "cc", length: 1, sensitive: S.Int3, reg: 3, flow: F.Far },
  { bytes: "ce", mode64: false, length: 1, sensitive: S.Into, reg: 4, flow: F.Far },
  { bytes: "0f 06", length: 2, sensitive: S.Clts },
  { bytes: "0f 09", length: 2, sensitive: S.Wbinvd },
  { bytes: "0f 08", length: 2, sensitive: S.Invd },
  { bytes: "0f 01 d1", length: 3, sensitive: S.Xsetbv },
  { bytes: "0f 01 d0", length: 3, sensitive: S.None }, // xgetbv is not sensitive
  { bytes: "0f 01 c8", length: 3, sensitive: S.Monitor },
  { bytes: "0f 01 c9", length: 3, sensitive: S.Mwait },
  { bytes: "0f 01 c1", length: 3, sensitive: S.Vmcall },
  { bytes: "0f 01 d9", length: 3, sensitive: S.Vmcall }, // vmmcall
  { bytes: "f3 90", length: 2, sensitive: S.Pause },
  { bytes: "90", length: 1, sensitive: S.None },
  { bytes: "f3 41 90", length: 3, sensitive: S.None }, // REX.B: xchg r8, rax
  // Control flow.
  { bytes: "eb fe", length: 2, flow: F.Jump },
  { bytes: "e9 00 00 00 00", length: 5, flow: F.Jump },
  { bytes: "74 00", length: 2, flow: F.CondJump },
  { bytes: "0f 85 00 00 00 00", length: 6, flow: F.CondJump },
  { bytes: "e3 fe", length: 2, flow: F.CondJump }, // jrcxz
  { bytes: "e2 fe", length: 2, flow: F.CondJump }, // loop
  { bytes: "e8 00 00 00 00", length: 5, flow: F.Call },
  { bytes: "66 e8 00 00", length: 4, flow: F.Call }, // rel16 (AMD, objdump, QEMU)
  { bytes: "c3", length: 1, flow: F.Ret },
  { bytes: "c2 08 00", length: 3, flow: F.Ret },
  { bytes: "cb", length: 1, flow: F.Far }, // far return loads CS
  { bytes: "ff e0", length: 2, flow: F.IndirectJump },
  { bytes: "ff 25 00 02 00 00", length: 6, flow: F.IndirectJump },
  { bytes: "ff d0", length: 2, flow: F.IndirectCall },
  { bytes: "ff 50 08", length: 3, flow: F.IndirectCall },
  { bytes: "ff 18", length: 2, flow: F.Far }, // call far [rax]
  { bytes: "ff 28", length: 2, flow: F.Far }, // jmp far [rax]
  { bytes: "ea 78 56 34 12 10 00", mode64: false, length: 7, flow: F.Far },
  { bytes: "66 9a 34 12 10 00", mode64: false, length: 6, flow: F.Far },
  { bytes: "0f 0b", length: 2, flow: F.Far }, // ud2
  { bytes: "c7 f8 00 00 00 00", length: 6, flow: F.CondJump }, // xbegin
  // String operations.
  { bytes: "f3 48 a5", length: 3, stringOp: StringOp.Movs, size: 8, repeated: true },
  { bytes: "f2 a4", length: 2, stringOp: StringOp.Movs, size: 1, repeated: true },
  { bytes: "aa", length: 1, stringOp: StringOp.Stos, size: 1, repeated: false },
  { bytes: "66 f3 ab", length: 3, stringOp: StringOp.Stos, size: 2, repeated: true },
  { bytes: "48 ad", length: 2, stringOp: StringOp.Lods, size: 8 },
  { bytes: "f3 a6", length: 2, stringOp: StringOp.Cmps, size: 1, repeated: true },
  { bytes: "f2 af", length: 2, stringOp: StringOp.Scas, size: 4, repeated: true },
  // A REX byte followed by another prefix is ignored but still part of the instruction.
  { bytes: "48 66 a5", length: 3, stringOp: StringOp.Movs, size: 2 },
  { bytes: "48 66 b8 34 12", length: 5 },
  { bytes: "66 48 b8 01 02 03 04 05 06 07 08", length: 11 },
  // Lengths the recorder's markers and common code rely on.
  { bytes: "0f 1f 80 78 56 34 12", length: 7 }, // nopl 0x12345678(%rax)
  { bytes: "48 a1 88 77 66 55 44 33 22 11", length: 10 }, // movabs rax, moffs64
  { bytes: "67 a1 78 56 34 12", length: 6 },
  { bytes: "a1 78 56 34 12", mode64: false, length: 5 },
  { bytes: "67 a1 34 12", mode64: false, length: 4 },
  { bytes: "c8 10 00 01", length: 4 }, // enter
  { bytes: "f6 00 01", length: 3 }, // test byte [rax], 1
  { bytes: "f7 00 01 00 00 00", length: 6 },
  { bytes: "66 f7 00 01 00", length: 5 },
  { bytes: "f7 18", length: 2 }, // neg: no immediate
  { bytes: "c5 fc 77", length: 3 }, // vzeroall: VEX without ModRM
  { bytes: "c4 e3 fd 00 c1 4e", length: 6 }, // vpermq
  { bytes: "62 f1 74 48 58 c2", length: 6 }, // vaddps zmm
  { bytes: "c4 00", mode64: false, length: 2 }, // les eax, [eax]
  { bytes: "62 00", mode64: false, length: 2 }, // bound eax, [eax]
  { bytes: "8f 00", length: 2 }, // pop [rax], not XOP
  { bytes: "0f 0f c1 9e", length: 4 }, // pfadd mm0, mm1
  { bytes: "9b dd 7a 8e", length: 1 }, // fwait is an instruction of its own (objdump folds it)
];

Deno.test("hand-computed cases: length, sensitive class, flow, operand", () => {
  const out = new X86Info();
  for (const c of CASES) {
    const mode64 = c.mode64 ?? true;
    const info = decodeX86Into(hex(c.bytes), 0, mode64, out);
    const what = `${c.bytes} (${mode64 ? 64 : 32}-bit)`;
    assert.equal(info.invalid, false, `${what}: invalid`);
    assert.equal(info.length, c.length, `${what}: length`);
    assert.equal(info.sensitive, c.sensitive ?? S.None, `${what}: sensitive`);
    assert.equal(info.flow, c.flow ?? F.None, `${what}: flow`);
    if (c.reg !== undefined) assert.equal(info.reg, c.reg, `${what}: reg`);
    if (c.size !== undefined) assert.equal(info.size, c.size, `${what}: size`);
    if (c.stringOp !== undefined) assert.equal(info.stringOp, c.stringOp, `${what}: stringOp`);
    if (c.repeated !== undefined) assert.equal(info.repeated, c.repeated, `${what}: repeated`);
  }
});

Deno.test("every sensitive class has a hand-computed case", () => {
  const covered = new Set(CASES.map((c) => c.sensitive ?? 0));
  for (const [name, code] of Object.entries(SensitiveOp)) {
    assert.ok(covered.has(code), `no case for ${name}`);
  }
});

Deno.test("undecodable input yields length 0 and invalid instead of throwing", () => {
  const bad: [string, boolean][] = [
    ["", true], // nothing
    ["0f", true], // truncated escape
    ["48", true], // REX alone
    ["e8 00 00", true], // truncated immediate
    ["8b 04", true], // truncated SIB
    ["8b 80 00 00", true], // truncated displacement
    ["c4 e3 fd", true], // truncated VEX
    ["06", true], // push es: not in 64-bit mode
    ["ce", true], // into: not in 64-bit mode
    ["ea 00 00 00 00 00 00", true], // far jmp ptr: not in 64-bit mode
    ["d6", true], // salc
    ["8c f0", true], // mov eax, <segment register 6>
    ["8e c8", true], // mov cs, eax
    ["0f 26 0c", false], // i486 test-register move
    ["0f 04", true], // undefined 0F opcode
    ["0f 0a", false],
    ["c4 e4 7d 00 c0", true], // VEX map 4 does not exist
    ["66 66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00", true], // 16 bytes
  ];
  for (const [s, mode64] of bad) {
    const info = decodeX86(hex(s), 0, mode64);
    assert.equal(info.invalid, true, `${s} should be invalid`);
    assert.equal(info.length, 0, `${s} length`);
  }
  // A reused result object carries nothing over from a previous, successful decode.
  const out = decodeX86Into(hex("62 f1 74 48 58 44 24 01"), 0, true, new X86Info());
  assert.equal(out.length, 8);
  decodeX86Into(hex("62 f1 74 48 58 44 24"), 0, true, out);
  assert.deepEqual({ ...out }, { ...new X86Info() });
  assert.equal(decodeX86(hex("90"), -1, true).invalid, true);
  assert.equal(decodeX86(hex("90"), 1, true).invalid, true);
  assert.equal(decodeX86(hex("90"), 0.5, true).invalid, true);
  // The longest legal instruction is exactly 15 bytes.
  const longest = decodeX86(hex("66 66 66 66 66 66 2e 0f 1f 84 00 00 00 00 00"), 0, true);
  assert.equal(longest.length, X86_MAX_LENGTH);
});

Deno.test("offsets, displacement and immediate positions", () => {
  const code = hex("90 48 c7 80 78 56 34 12 01 00 00 00 c3");
  const info = decodeX86(code, 1, true); // mov qword [rax+0x12345678], 1
  assert.equal(info.length, 11);
  assert.equal(info.dispOffset, 3);
  assert.equal(info.dispSize, 4);
  assert.equal(info.immOffset, 7);
  assert.equal(info.immSize, 4);
  assert.equal(info.modrm, 0x80);
  assert.equal(info.opcode, 0xc7);
  const rip = decodeX86(hex("48 8b 05 10 00 00 00"), 0, true);
  assert.equal(rip.ripRelative, true);
  assert.equal(decodeX86(hex("8b 05 10 00 00 00"), 0, false).ripRelative, false);
  assert.equal(decodeX86(hex("62 f1 74 48 58 c2"), 0, true).encoding, X86Encoding.Evex);
  assert.equal(decodeX86(hex("8f e9 78 80 c1"), 0, true).encoding, X86Encoding.Xop);
});

// ---------------------------------------------------------------------------------------------
// Fixtures generated by tests/fixtures/x86/gen.ts from binutils: the expected length is the
// byte count objdump consumed; the expected classes are derived from objdump's text below,
// independently of the decoder's tables.

interface Expect {
  /** objdump decoded it, but the CPU raises #UD (MOV with an absent segment register, to CS). */
  invalid: boolean;
  sensitive: number;
  flow: number;
  reg: number;
  stringOp: number;
  repeated: boolean;
  size: number;
}

/** objdump's names for prefixes, which precede the mnemonic in its text. */
const PREFIX_WORDS = [
  "rep",
  "repz",
  "repe",
  "repnz",
  "repne",
  "lock",
  "data16",
  "data32",
  "addr16",
  "addr32",
  "cs",
  "ds",
  "es",
  "ss",
  "fs",
  "gs",
  "bnd",
  "notrack",
  "xacquire",
  "xrelease",
  "rex(\\.[WRXB]+)?",
  "\\{vex\\}",
  "\\{evex\\}",
];
const PREFIX_WORD = new RegExp(`^(${PREFIX_WORDS.join("|")})$`);
const SREG = /^(es|cs|ss|ds|fs|gs)$/;

const SIMPLE_SENSITIVE: Record<string, number> = {
  cli: S.Cli,
  sti: S.Sti,
  pushf: S.Pushf,
  pushfw: S.Pushf,
  pushfd: S.Pushf,
  pushfq: S.Pushf,
  popf: S.Popf,
  popfw: S.Popf,
  popfd: S.Popf,
  popfq: S.Popf,
  in: S.In,
  out: S.Out,
  ins: S.Ins,
  outs: S.Outs,
  rdmsr: S.Rdmsr,
  wrmsr: S.Wrmsr,
  rdtsc: S.Rdtsc,
  rdtscp: S.Rdtscp,
  cpuid: S.Cpuid,
  hlt: S.Hlt,
  iret: S.Iret,
  iretw: S.Iret,
  iretd: S.Iret,
  iretq: S.Iret,
  syscall: S.Syscall,
  sysret: S.Sysret,
  sysretd: S.Sysret,
  sysretq: S.Sysret,
  sysenter: S.Sysenter,
  sysexit: S.Sysexit,
  sysexitd: S.Sysexit,
  sysexitq: S.Sysexit,
  swapgs: S.Swapgs,
  lgdt: S.Lgdt,
  lidt: S.Lidt,
  sgdt: S.Sgdt,
  sidt: S.Sidt,
  lldt: S.Lldt,
  ltr: S.Ltr,
  sldt: S.Sldt,
  str: S.Str,
  smsw: S.Smsw,
  lmsw: S.Lmsw,
  lar: S.Lar,
  lsl: S.Lsl,
  verr: S.Verr,
  verw: S.Verw,
  int: S.Int,
  int1: S.Int,
  int3: S.Int3,
  into: S.Into,
  clts: S.Clts,
  wbinvd: S.Wbinvd,
  wbnoinvd: S.Wbinvd,
  invd: S.Invd,
  xsetbv: S.Xsetbv,
  monitor: S.Monitor,
  monitorx: S.Monitor,
  mwait: S.Mwait,
  mwaitx: S.Mwait,
  vmcall: S.Vmcall,
  vmmcall: S.Vmcall,
  vmgexit: S.Vmcall, // F3 0F 01 D9: SEV-ES exit to the hypervisor
  pause: S.Pause,
  invlpg: S.Invlpg,
  invpcid: S.Invpcid,
};

const FAR_MNEMONICS = new Set([
  "iret",
  "iretw",
  "iretd",
  "iretq",
  "syscall",
  "sysret",
  "sysretd",
  "sysretq",
  "sysenter",
  "sysexit",
  "sysexitd",
  "sysexitq",
  "int",
  "int1",
  "int3",
  "into",
  "ud0",
  "ud1",
  "ud2",
  "rsm",
  "retf",
  "retfw",
  "retfd",
  "retfq",
  "lret",
]);

const STRING_OPS: Record<string, number> = {
  movs: StringOp.Movs,
  stos: StringOp.Stos,
  lods: StringOp.Lods,
  cmps: StringOp.Cmps,
  scas: StringOp.Scas,
  ins: StringOp.Ins,
  outs: StringOp.Outs,
};

const PTR_SIZE: Record<string, number> = { BYTE: 1, WORD: 2, DWORD: 4, QWORD: 8 };
const REG_SIZE: Record<string, number> = { al: 1, ax: 2, eax: 4 };

/** What objdump's text says about an instruction, in the decoder's vocabulary. */
function expectFromText(text: string): Expect {
  const words = text.replace(/\s*#.*$/, "").split(" ");
  let i = 0;
  let rep = false;
  while (i < words.length - 1 && PREFIX_WORD.test(words[i])) {
    if (words[i].startsWith("rep")) rep = true;
    i++;
  }
  const raw = words[i];
  const mnem = raw.replace(/^(sgdt|sidt|lgdt|lidt|jmp|call|ret|xbegin)[wdq]$/, "$1");
  const operands = words.slice(i + 1).join(" ");
  const ops = operands === "" ? [] : operands.split(",");
  const e: Expect = {
    invalid: false,
    sensitive: 0,
    flow: 0,
    reg: -1,
    stringOp: 0,
    repeated: false,
    size: 0,
  };
  if (mnem === "mov" && (ops.includes("?") || ops[0] === "cs")) {
    e.invalid = true;
    return e;
  }

  e.sensitive = SIMPLE_SENSITIVE[mnem] ?? 0;
  if (mnem === "mov") {
    const cr = ops.findIndex((o) => /^cr\d+$/.test(o));
    const dr = ops.findIndex((o) => /^db?r\d+$/.test(o));
    const sreg = ops.findIndex((o) => SREG.test(o));
    if (cr >= 0) {
      e.sensitive = cr === 0 ? S.CrWrite : S.CrRead;
      e.reg = parseInt(ops[cr].slice(2));
    } else if (dr >= 0) {
      e.sensitive = S.MovDr;
      e.reg = parseInt(ops[dr].replace(/^db?r/, ""));
    } else if (sreg >= 0) e.sensitive = sreg === 0 ? S.MovToSreg : S.MovFromSreg;
  } else if (/^(push|pushw|pushq)$/.test(mnem) && SREG.test(ops[0] ?? "")) e.sensitive = S.PushSreg;
  else if (/^(pop|popw|popq)$/.test(mnem) && SREG.test(ops[0] ?? "")) e.sensitive = S.PopSreg;

  if (mnem === "int") e.reg = parseInt(ops[0], 16);
  else if (mnem === "int1") e.reg = 1;
  else if (mnem === "int3") e.reg = 3;
  else if (mnem === "into") e.reg = 4;
  else if (mnem === "in" || mnem === "out") {
    const port = mnem === "in" ? ops[1] : ops[0];
    const value = mnem === "in" ? ops[0] : ops[1];
    if (port !== "dx") e.reg = parseInt(port, 16);
    e.size = REG_SIZE[value];
  }

  if (mnem in STRING_OPS) {
    e.stringOp = STRING_OPS[mnem];
    e.repeated = rep;
    const ptr = /\b(BYTE|WORD|DWORD|QWORD) PTR/.exec(operands);
    e.size = ptr ? PTR_SIZE[ptr[1]] : 0;
  }

  const indirect = ops.length > 0 && !/^(0x)?[0-9a-f]+$/.test(ops[0]);
  const far = /FWORD PTR|TBYTE PTR|^0x[0-9a-f]+:/.test(operands);
  if (mnem === "jmp") e.flow = far ? F.Far : indirect ? F.IndirectJump : F.Jump;
  else if (mnem === "call") e.flow = far ? F.Far : indirect ? F.IndirectCall : F.Call;
  else if (/^(j[a-z]+|loop|loope|loopne|xbegin)$/.test(mnem)) e.flow = F.CondJump;
  else if (mnem === "ret") e.flow = F.Ret;
  else if (FAR_MNEMONICS.has(mnem) || FAR_MNEMONICS.has(raw)) e.flow = F.Far;
  return e;
}

/** Loads a fixture: lines of `bits<TAB>hex<TAB>text`. */
function loadFixture(name: string): { bits: number; bytes: Uint8Array; text: string }[] {
  const raw = Deno.readFileSync(new URL(name, FIXTURES));
  const body = name.endsWith(".gz") ? gunzipSync(raw) : raw;
  const lines = new TextDecoder().decode(body).split("\n").filter((l) => l !== "");
  return lines.map((l) => {
    const [bits, h, text] = l.split("\t");
    return { bits: Number(bits), bytes: hex(h), text };
  });
}

/** Decodes every fixture instruction and returns the mismatches (at most `cap` described). */
function checkFixture(name: string): { total: number; failures: string[]; ops: Set<number> } {
  const out = new X86Info();
  const failures: string[] = [];
  const ops = new Set<number>();
  const items = loadFixture(name);
  for (const { bits, bytes, text } of items) {
    // Trailing bytes must not change the result; the decoder must stop at the boundary.
    const padded = new Uint8Array(bytes.length + 4);
    padded.set(bytes, 1);
    padded.fill(0x90, bytes.length + 1);
    const info = decodeX86Into(padded, 1, bits === 64, out);
    const e = expectFromText(text);
    const got = `len ${info.length} sens ${info.sensitive} flow ${info.flow} reg ${info.reg}` +
      ` str ${info.stringOp}/${info.repeated}/${info.size}`;
    const want = `len ${bytes.length} sens ${e.sensitive} flow ${e.flow} reg ${e.reg}` +
      ` str ${e.stringOp}/${e.repeated}/${e.size}`;
    if (e.invalid) {
      if (!info.invalid) failures.push(`${bits} "${text}": decoded, but the CPU raises #UD`);
      continue;
    }
    const sizeOk = e.size === 0 || info.size === e.size;
    const regOk = e.reg === -1 ? info.reg === -1 || e.sensitive === 0 : info.reg === e.reg;
    if (
      info.length !== bytes.length || info.sensitive !== e.sensitive || info.flow !== e.flow ||
      !regOk || info.stringOp !== e.stringOp || info.repeated !== e.repeated || !sizeOk
    ) {
      failures.push(
        `${bits} ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ")}` +
          ` "${text}": got ${got}, want ${want}`,
      );
    }
    ops.add(info.sensitive);
    // Every strict prefix of an instruction is truncated, hence invalid.
    for (let n = 0; n < bytes.length; n++) {
      if (decodeX86Into(bytes.subarray(0, n), 0, bits === 64, out).length !== 0) {
        failures.push(`${bits} prefix ${n} of "${text}" decoded as complete`);
        break;
      }
    }
  }
  return { total: items.length, failures, ops };
}

Deno.test("hand-written fixture (cases64.s, cases32.s) matches objdump", () => {
  const { total, failures, ops } = checkFixture("cases.tsv");
  assert.ok(total > 600, `only ${total} fixture instructions`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${total} differ`);
  for (const [name, code] of Object.entries(SensitiveOp)) {
    assert.ok(ops.has(code), `fixture lacks sensitive class ${name}`);
  }
});

Deno.test("real-code fixture (gcc, libc, libcrypto .text) matches objdump", () => {
  const { total, failures } = checkFixture("real.tsv.gz");
  assert.ok(total > 10000, `only ${total} fixture instructions`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${total} differ`);
});

Deno.test("Linux kernel fixture (6.1 .text) matches objdump", () => {
  const { total, failures, ops } = checkFixture("kernel.tsv.gz");
  assert.ok(total > 10000, `only ${total} fixture instructions`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${total} differ`);
  // The classes a guest kernel really executes all appear in real kernel code.
  for (const op of [S.CrRead, S.CrWrite, S.Invlpg, S.Cli, S.Sti, S.Wrmsr, S.Swapgs, S.Iret]) {
    assert.ok(ops.has(op), `kernel fixture lacks sensitive class ${op}`);
  }
});

Deno.test("random-byte fixture (both modes) matches objdump", () => {
  const { total, failures } = checkFixture("fuzz.tsv.gz");
  assert.ok(total > 5000, `only ${total} fixture instructions`);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${total} differ`);
});
