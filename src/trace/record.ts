/**
 * The record vocabulary of a `.vmt` trace: record kinds, the classes of sensitive
 * instructions, control-flow kinds, and the reusable {@link TraceRecord} view that a
 * reader fills in place so that iterating a trace allocates nothing per record.
 *
 * Virtual addresses are carried as *signed* numbers: an x86-64 canonical address
 * read as a two's-complement 64-bit integer has a magnitude below 2^56, so it is
 * exact in a JavaScript number, and kernel addresses (top bit set) are negative.
 *
 * @module
 */

/** Record kinds. The numeric codes are part of the file format (docs/trace-format.md). */
export const RecordKind = {
  /** A whole basic block from the code table executed. Hot: encoded in the block column. */
  Exec: 0x01,
  /** The first `count` instructions of a block executed (the block was cut short by an exception). */
  ExecPartial: 0x02,
  /** A sensitive or privileged instruction with its operands. */
  Sensitive: 0x10,
  /** A store that hit a guest page-table entry. */
  PtWrite: 0x11,
  /** A synchronous exception (fault, trap or abort) taken by the guest. */
  Exception: 0x12,
  /** An external interrupt delivered to the guest. */
  Interrupt: 0x13,
  /** A port I/O access reaching a device. */
  Pio: 0x14,
  /** A memory-mapped I/O access reaching a device. */
  Mmio: 0x15,
  /** A DMA transfer by a device into or out of guest memory. */
  Dma: 0x16,
  /** A block-device request (read, write or flush) at the level of the virtual disk. */
  BlockRequest: 0x17,
  /** A network request (transmit or receive of one packet) at the level of the virtual NIC. */
  NetRequest: 0x18,
  /** A workload marker: iteration boundary, region of interest, or a named point. */
  Marker: 0x19,
  /** The content hash of one guest-physical page, for page-sharing studies. */
  PageHash: 0x1a,
  /** A repeated string instruction whose iterations were collapsed into one record. */
  RepString: 0x1b,
  /** A memory reference. Hot: the code carries size and flags, addresses are in the address column. */
  Mem: 0x80,
} as const;

/** A record kind code. */
export type RecordKindCode = number;

/** The first code of the memory-reference range: `0x80 | log2(size) | write << 3 | io << 4`. */
export const MEM_KIND_FIRST = 0x80;
/** The last code of the memory-reference range. */
export const MEM_KIND_LAST = 0x9f;
/** Memory-reference flag bit: the access was a store. */
export const MEM_WRITE = 1;
/** Memory-reference flag bit: the access reached a device (MMIO), not RAM. */
export const MEM_IO = 2;

/** Whether a kind code is in the memory-reference range. */
export function isMemKind(code: number): boolean {
  return code >= MEM_KIND_FIRST && code <= MEM_KIND_LAST;
}

/** The lowercase names used for kinds in inspect output, histograms and JSON. */
export const KIND_NAMES: Readonly<Record<number, string>> = {
  [RecordKind.Exec]: "exec",
  [RecordKind.ExecPartial]: "exec-partial",
  [RecordKind.Sensitive]: "sensitive",
  [RecordKind.PtWrite]: "pt-write",
  [RecordKind.Exception]: "exception",
  [RecordKind.Interrupt]: "interrupt",
  [RecordKind.Pio]: "pio",
  [RecordKind.Mmio]: "mmio",
  [RecordKind.Dma]: "dma",
  [RecordKind.BlockRequest]: "block-request",
  [RecordKind.NetRequest]: "net-request",
  [RecordKind.Marker]: "marker",
  [RecordKind.PageHash]: "page-hash",
  [RecordKind.RepString]: "rep-string",
  [RecordKind.Mem]: "mem",
};

/** The name of a kind code; memory references of every size and direction are `mem`. */
export function kindName(code: number): string {
  if (isMemKind(code)) return "mem";
  return KIND_NAMES[code] ?? `unknown-0x${code.toString(16).padStart(2, "0")}`;
}

/**
 * Classes of sensitive and privileged x86 instructions. The same codes label instructions
 * in the code table (statically, from opcode bytes) and `Sensitive` records (dynamically,
 * with operands). Zero means an ordinary instruction.
 */
export const SensitiveOp = {
  None: 0,
  CrRead: 1,
  CrWrite: 2,
  Invlpg: 3,
  Invpcid: 4,
  Cli: 5,
  Sti: 6,
  Pushf: 7,
  Popf: 8,
  In: 9,
  Out: 10,
  Ins: 11,
  Outs: 12,
  Rdmsr: 13,
  Wrmsr: 14,
  Rdtsc: 15,
  Rdtscp: 16,
  Cpuid: 17,
  Hlt: 18,
  Iret: 19,
  Syscall: 20,
  Sysret: 21,
  Sysenter: 22,
  Sysexit: 23,
  Swapgs: 24,
  Lgdt: 25,
  Lidt: 26,
  Lldt: 27,
  Ltr: 28,
  Sgdt: 29,
  Sidt: 30,
  Sldt: 31,
  Str: 32,
  Smsw: 33,
  Lmsw: 34,
  Lar: 35,
  Lsl: 36,
  Verr: 37,
  Verw: 38,
  MovToSreg: 39,
  MovFromSreg: 40,
  PushSreg: 41,
  PopSreg: 42,
  Int: 43,
  Int3: 44,
  Into: 45,
  Clts: 46,
  Wbinvd: 47,
  Invd: 48,
  MovDr: 49,
  Xsetbv: 50,
  Monitor: 51,
  Mwait: 52,
  Vmcall: 53,
  Pause: 54,
} as const;

/**
 * The lowercase names of sensitive-instruction classes, indexed by code: each
 * {@link SensitiveOp} key in kebab case (`MovToSreg` is `mov-to-sreg`), so a new class
 * is named where it is numbered. The names appear in summaries and cost keys.
 */
export const SENSITIVE_NAMES: readonly string[] = Object.entries(SensitiveOp)
  .sort(([, a], [, b]) => a - b)
  .map(([key]) => key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase());

/** The name of a sensitive-instruction class code. */
export function sensitiveName(op: number): string {
  return SENSITIVE_NAMES[op] ?? `unknown-${op}`;
}

/** Highest sensitive-instruction class code of format 1.0; records with another op are rejected. */
export const MAX_SENSITIVE_OP = 54;

/** Whether a code-table class byte is ordinary (0) or a known sensitive class. */
export function isSensitiveClass(c: number): boolean {
  return c >= 0 && c <= MAX_SENSITIVE_OP;
}

/** Highest control-flow kind code of format 1.0. */
export const MAX_FLOW = 7;

/** Control-flow kind of an instruction, as the code table records it (binary translation cares). */
export const ControlFlow = {
  None: 0,
  Jump: 1,
  CondJump: 2,
  Call: 3,
  Ret: 4,
  IndirectJump: 5,
  IndirectCall: 6,
  /** Far transfers, interrupts, IRET, SYSCALL/SYSRET: anything that changes privilege or segment. */
  Far: 7,
} as const;

/** Operand flag: the `value` field holds an observed value (otherwise it is unknown and zero). */
export const FLAG_VALUE_KNOWN = 1;
/** Operand flag: the access or transfer wrote (a store, an OUT, a DMA into guest memory). */
export const FLAG_WRITE = 2;
/** Operand flag: the value or operand was inferred by the recorder rather than observed. */
export const FLAG_INFERRED = 4;

/** Marker kinds (the `op` field of a `Marker` record). */
export const MarkerOp = {
  /** Start of the recorded window. */
  Begin: 1,
  /** End of the recorded window. */
  End: 2,
  /** Boundary between two workload iterations. */
  Iteration: 3,
  /** Start of a region of interest; `value` names it. */
  RegionBegin: 4,
  /** End of a region of interest. */
  RegionEnd: 5,
  /** A named point; `value` identifies it. */
  Point: 6,
  /** A page-content snapshot follows (as `PageHash` records); `value` is the VM index. */
  Snapshot: 7,
} as const;

/** Interrupt sources (the `device` field of an `Interrupt` record when no device table entry fits). */
export const InterruptSource = { Unknown: 0, Timer: 1, Device: 2, Ipi: 3 } as const;

/** Block request operations. */
export const BlockOp = { Read: 1, Write: 2, Flush: 3 } as const;
/** Network request operations. */
export const NetOp = { Transmit: 1, Receive: 2 } as const;

/** String-instruction operations collapsed by a `RepString` record. */
export const StringOp = { Movs: 1, Stos: 2, Lods: 3, Cmps: 4, Scas: 5, Ins: 6, Outs: 7 } as const;

/**
 * Field slots of {@link TraceRecord}. The numbers are slot indexes in the record's
 * `f` array, not part of the file format.
 */
export const Field = {
  Block: 0,
  Count: 1,
  Addr: 2,
  Paddr: 3,
  Size: 4,
  Flags: 5,
  Op: 6,
  Pc: 7,
  Reg: 8,
  Value: 9,
  Vector: 10,
  Code: 11,
  Device: 12,
  Level: 13,
  Length: 14,
  HashHi: 15,
  HashLo: 16,
} as const;

/** Number of field slots in a record. */
export const FIELD_COUNT: number = Object.keys(Field).length;

/** The field order of each extended (length-prefixed) record kind, as stored in the file. */
export const EXTENDED_SCHEMAS: Readonly<Record<number, readonly number[]>> = {
  [RecordKind.Sensitive]: [Field.Op, Field.Pc, Field.Reg, Field.Value, Field.Size, Field.Flags],
  [RecordKind.PtWrite]: [Field.Paddr, Field.Level, Field.Value, Field.Flags, Field.Pc],
  [RecordKind.Exception]: [Field.Vector, Field.Code, Field.Addr, Field.Pc, Field.Flags],
  [RecordKind.Interrupt]: [Field.Vector, Field.Device, Field.Pc],
  [RecordKind.Pio]: [Field.Reg, Field.Size, Field.Value, Field.Flags, Field.Device],
  [RecordKind.Mmio]: [Field.Paddr, Field.Size, Field.Value, Field.Flags, Field.Device],
  [RecordKind.Dma]: [Field.Device, Field.Paddr, Field.Length, Field.Flags],
  [RecordKind.BlockRequest]: [Field.Device, Field.Op, Field.Addr, Field.Length],
  [RecordKind.NetRequest]: [Field.Device, Field.Op, Field.Length],
  [RecordKind.Marker]: [Field.Op, Field.Value],
  [RecordKind.PageHash]: [Field.Paddr, Field.HashHi, Field.HashLo, Field.Device],
  [RecordKind.RepString]: [
    Field.Pc,
    Field.Op,
    Field.Count,
    Field.Size,
    Field.Addr,
    Field.Paddr,
    Field.Flags,
  ],
};

/**
 * One decoded record. A reader owns a single instance and overwrites it on every step,
 * so a consumer must copy what it wants to keep. Fields a kind does not define keep
 * stale values; read only those documented for the record's kind.
 */
export class TraceRecord {
  /** The kind code (see {@link RecordKind}; memory references use the whole 0x80–0x9f range). */
  kind = 0;
  /** Field storage, indexed by {@link Field}. */
  readonly f: Float64Array = new Float64Array(FIELD_COUNT);

  /** Exec, ExecPartial: the code-table block id. */
  get block(): number {
    return this.f[Field.Block];
  }
  /** Exec, ExecPartial: instructions executed. RepString: iterations. */
  get count(): number {
    return this.f[Field.Count];
  }
  /** Mem: guest-virtual address. Exception: faulting address. BlockRequest: byte offset. RepString: first address. */
  get addr(): number {
    return this.f[Field.Addr];
  }
  /** Mem, Mmio, Dma, PtWrite, PageHash, RepString: guest-physical address. */
  get paddr(): number {
    return this.f[Field.Paddr];
  }
  /** Mem, Pio, Mmio, Sensitive (I/O): access size in bytes. RepString: element size. */
  get size(): number {
    return this.f[Field.Size];
  }
  /** Flag bits: MEM_WRITE/MEM_IO for Mem, FLAG_* for the other kinds. */
  get flags(): number {
    return this.f[Field.Flags];
  }
  /** Sensitive: {@link SensitiveOp}. Marker: {@link MarkerOp}. Block/Net/RepString: their op enums. */
  get op(): number {
    return this.f[Field.Op];
  }
  /** Sensitive, PtWrite, Exception, Interrupt, RepString: code address of the instruction. */
  get pc(): number {
    return this.f[Field.Pc];
  }
  /** Sensitive: control register, MSR index, port, interrupt vector or CPUID leaf. Pio: port. */
  get reg(): number {
    return this.f[Field.Reg];
  }
  /** Sensitive, PtWrite, Pio, Mmio: the value written or read, when FLAG_VALUE_KNOWN. Marker: id. */
  get value(): number {
    return this.f[Field.Value];
  }
  /** Exception, Interrupt: vector. */
  get vector(): number {
    return this.f[Field.Vector];
  }
  /** Exception: error code. */
  get code(): number {
    return this.f[Field.Code];
  }
  /** Device-table index (header `devices`); Interrupt: source; PageHash: VM index. */
  get device(): number {
    return this.f[Field.Device];
  }
  /** PtWrite: page-table level of the entry (1 = PTE … 4 = PML4), 0 when unknown. */
  get level(): number {
    return this.f[Field.Level];
  }
  /** Dma, BlockRequest, NetRequest: bytes transferred. */
  get length(): number {
    return this.f[Field.Length];
  }
  /** PageHash: high 32 bits of the 64-bit page hash. */
  get hashHi(): number {
    return this.f[Field.HashHi];
  }
  /** PageHash: low 32 bits of the 64-bit page hash. */
  get hashLo(): number {
    return this.f[Field.HashLo];
  }
}
