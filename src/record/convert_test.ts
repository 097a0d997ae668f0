import assert from "node:assert/strict";
import { StreamConverter } from "./convert.ts";
import { countIndexMismatch } from "./trace_counts.ts";
import { KernelSymbols, signedHex } from "./kallsyms.ts";
import { GUEST_ARCHES, type GuestArch, traceAddress } from "./guest_arch.ts";
import { parseQemuLog, type QemuLog } from "./qemu_log.ts";
import { TraceWriter } from "../trace/writer.ts";
import { TraceReader } from "../trace/reader.ts";
import {
  FLAG_INFERRED,
  FLAG_VALUE_KNOWN,
  FLAG_WRITE,
  isMemKind,
  MarkerOp,
  MEM_IO,
  MEM_WRITE,
  RecordKind,
  SensitiveOp,
  StringOp,
} from "../trace/record.ts";

/** Writes plugin-stream records exactly as vmmlab_plugin.c lays them out. */
class StreamBuilder {
  #bytes: number[] = [];
  #u(v: number | bigint, n: number): this {
    let b = BigInt.asUintN(n * 8, BigInt(v));
    for (let i = 0; i < n; i++) {
      this.#bytes.push(Number(b & 0xffn));
      b >>= 8n;
    }
    return this;
  }
  tb(id: number, vaddr: bigint, instrs: number[][]): this {
    this.#bytes.push(1);
    this.#u(id, 4).#u(vaddr, 8).#u(instrs.length, 2);
    for (const ins of instrs) this.#bytes.push(ins.length, ...ins);
    return this;
  }
  exec(id: number): this {
    this.#bytes.push(2);
    return this.#u(id, 4);
  }
  cut(started: number): this {
    this.#bytes.push(3);
    return this.#u(started, 2);
  }
  mem(idx: number, vaddr: bigint, paddr: bigint, size: number, store: boolean, io = false): this {
    this.#bytes.push(0x80 | Math.log2(size) | (store ? 8 : 0) | (io ? 16 : 0));
    return this.#u(idx, 2).#u(vaddr, 8).#u(paddr, 8);
  }
  rep(
    pc: bigint,
    op: number,
    size: number,
    flags: number,
    count: number,
    addr: bigint,
    paddr: bigint,
  ): this {
    this.#bytes.push(4);
    this.#u(pc, 8);
    this.#bytes.push(op, size, flags);
    return this.#u(count, 4).#u(addr, 8).#u(paddr, 8);
  }
  mark(op: number, arg = 0): this {
    this.#bytes.push(5, op, arg);
    return this.#u(0, 8);
  }
  end(): this {
    this.#bytes.push(6);
    return this;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

const K = 0xffffffff81000000n;
const SYMBOLS = KernelSymbols.parse([
  "ffffffff81000000 T native_set_pte",
  "ffffffff81001000 T asm_exc_page_fault",
  "ffffffff81002000 T switch_mm_irqs_off",
  "ffffffff81003000 T serial_out",
  "ffffffff81004000 T clear_page_rep",
].join("\n"));
const USER = 0x401000n;
const DIRECT = 0xffff888000000000n;

const HEADER = {
  workload: "unit",
  source: { kind: "qemu-tcg", method: "unit test", recorder: "test" },
  pageSizes: [4096],
  devices: ["unknown", "serial", "apic-msi"],
  inferred: [],
};

function convert(
  stream: Uint8Array,
  log: QemuLog,
  bufferBytes?: number,
  arch?: GuestArch,
  symbols: KernelSymbols = SYMBOLS,
) {
  const path = Deno.makeTempFileSync({ suffix: ".bin" });
  try {
    Deno.writeFileSync(path, stream);
    const w = TraceWriter.inMemory(HEADER);
    const result = new StreamConverter(w, {
      streamPath: path,
      log,
      symbols,
      devices: HEADER.devices,
      bufferBytes,
      arch,
    }).run();
    const t = TraceReader.fromBytes(w.finish(), "unit");
    const records: Record<string, number>[] = [];
    const c = t.cursor();
    while (c.next()) {
      const r = c.record;
      const o: Record<string, number> = { kind: isMemKind(r.kind) ? RecordKind.Mem : r.kind };
      if (r.kind === RecordKind.Exec || r.kind === RecordKind.ExecPartial) {
        o.block = r.block;
        o.count = r.count;
      } else if (isMemKind(r.kind)) {
        Object.assign(o, { addr: r.addr, paddr: r.paddr, size: r.size, flags: r.flags });
      } else if (r.kind === RecordKind.Marker) {
        Object.assign(o, { op: r.op, value: r.value });
      } else if (r.kind === RecordKind.Sensitive) {
        Object.assign(o, { op: r.op, pc: r.pc, reg: r.reg, value: r.value, flags: r.flags });
      } else if (r.kind === RecordKind.Exception) {
        Object.assign(o, { vector: r.vector, code: r.code, addr: r.addr, pc: r.pc });
      } else if (r.kind === RecordKind.PtWrite) {
        Object.assign(o, { paddr: r.paddr, level: r.level, pc: r.pc });
      } else if (r.kind === RecordKind.Pio) {
        Object.assign(o, {
          port: r.reg,
          size: r.size,
          value: r.value,
          flags: r.flags,
          device: r.device,
        });
      } else if (r.kind === RecordKind.Mmio) {
        Object.assign(o, {
          paddr: r.paddr,
          size: r.size,
          value: r.value,
          flags: r.flags,
          device: r.device,
        });
      } else if (r.kind === RecordKind.RepString) {
        Object.assign(o, {
          pc: r.pc,
          op: r.op,
          count: r.count,
          size: r.size,
          addr: r.addr,
          paddr: r.paddr,
        });
      }
      records.push(o);
    }
    return { records, result, trace: t };
  } finally {
    Deno.removeSync(path);
  }
}

/** A log with the plugin's marker lines and the given body after the first iteration marker. */
function log(body: string[]): QemuLog {
  return parseQemuLog(
    [
      "noise before arming",
      "vmmlab-mark 1 0 0 100",
      "vmmlab-mark 3 0 1 200",
      ...body,
      "vmmlab-mark 3 0 2 300",
      "vmmlab-mark 2 0 3 400",
    ]
      .join("\n"),
  );
}

Deno.test("convert: the window starts at the first iteration marker; blocks, memory and syscalls in order", () => {
  const s = new StreamBuilder()
    .mark(1)
    .tb(0, USER, [[0x90], [0x48, 0x8b, 0x18], [0x0f, 0x05]]) // nop; mov (%rax),%rbx; syscall
    .exec(0) // before the window: dropped
    .mem(1, 0x500000n, 0x7000n, 8, false)
    .mark(3)
    .exec(0)
    .mem(1, 0x500008n, 0x7008n, 8, false)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const { records, result } = convert(s, log([]));
  assert.deepEqual(records, [
    { kind: RecordKind.Marker, op: MarkerOp.Begin, value: 0 },
    { kind: RecordKind.Exec, block: 0, count: 3 },
    { kind: RecordKind.Mem, addr: 0x500008, paddr: 0x7008, size: 8, flags: 0 },
    {
      kind: RecordKind.Sensitive,
      op: SensitiveOp.Syscall,
      pc: 0x401004,
      reg: 0,
      value: 0,
      flags: 0,
    },
    { kind: RecordKind.Marker, op: MarkerOp.Iteration, value: 1 },
    { kind: RecordKind.Marker, op: MarkerOp.End, value: 0 },
  ]);
  assert.equal(result.perIteration.length, 1);
  assert.equal(result.perIteration[0].syscalls, 1);
  assert.equal(result.perIteration[0].userInstructions, 3);
  assert.equal(result.streamInstructions, 6);
});

Deno.test("convert: a page fault cuts its block before the faulting instruction and lands before the handler", () => {
  const fault = USER + 1n; // the load
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, USER, [[0x90], [0x48, 0x8b, 0x18], [0x0f, 0x05]])
    .tb(1, K + 0x1000n, [[0x90], [0xc3]]) // asm_exc_page_fault
    .exec(0)
    .cut(2) // the plugin saw two instructions start
    .exec(1)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const l = log([
    "check_exception old: 0xffffffff new 0xe",
    "     7: v=0e e=0006 i=0 cpl=3 IP=0033:0000000000401001 pc=0000000000401001 SP=002b:00007ffe00000000 CR2=0000000000500000",
    "RAX=0000000000500000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000",
    "CR0=80050033 CR2=0000000000500000 CR3=0000000006248000 CR4=000006f0",
  ]);
  assert.equal(l.deliveries.length, 1);
  assert.equal(l.deliveries[0].cr3, 0x6248000);
  const { records, result } = convert(s, l);
  assert.deepEqual(records.slice(0, 4), [
    { kind: RecordKind.Marker, op: MarkerOp.Begin, value: 0 },
    { kind: RecordKind.ExecPartial, block: 0, count: 1 },
    { kind: RecordKind.Exception, vector: 14, code: 6, addr: 0x500000, pc: Number(fault) },
    { kind: RecordKind.Exec, block: 1, count: 2 },
  ]);
  assert.equal(result.perIteration[0].pageFaults, 1);
  assert.equal(result.unmatched.deliveries, 0);
});

Deno.test("convert: a fault in the block of an iteration marker takes the delivery logged after the marker", () => {
  // lmbench page fault: the block holding the iteration marker goes on to the load that
  // faults. The plugin streams the marker inside the block; QEMU logged it before the fault.
  const marker = [0x0f, 0x1f, 0x80, 0x03, 0x00, 0x56, 0x4d];
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, USER, [marker, [0x48, 0x8b, 0x18], [0xc3]])
    .tb(1, K + 0x1000n, [[0x90], [0xc3]]) // asm_exc_page_fault
    .exec(0)
    .mark(3)
    .cut(2)
    .exec(1)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const l = parseQemuLog([
    "vmmlab-mark 1 0 0 100",
    "vmmlab-mark 3 0 1 200",
    "vmmlab-mark 3 0 2 300",
    "     7: v=0e e=0004 i=0 cpl=3 IP=0033:0000000000401007 pc=0000000000401007 SP=002b:00007ffe00000000 CR2=0000000000600000",
    "CR0=80050033 CR2=0000000000600000 CR3=0000000006248000 CR4=000006f0",
    "vmmlab-mark 3 0 3 400",
    "vmmlab-mark 2 0 4 500",
  ].join("\n"));
  const { records, result } = convert(s, l);
  assert.deepEqual(records.filter((r) => r.kind !== RecordKind.Mem).slice(0, 5), [
    { kind: RecordKind.Marker, op: MarkerOp.Begin, value: 0 },
    { kind: RecordKind.ExecPartial, block: 0, count: 1 },
    { kind: RecordKind.Marker, op: MarkerOp.Iteration, value: 1 },
    { kind: RecordKind.Exception, vector: 14, code: 4, addr: 0x600000, pc: 0x401007 },
    { kind: RecordKind.Exec, block: 1, count: 2 },
  ]);
  assert.deepEqual(result.perIteration.map((it) => it.pageFaults), [0, 1]);
  assert.equal(result.unmatched.deliveries, 0);
  assert.equal(result.unmatched.blocksWithoutDelivery, 0);
});

Deno.test("convert: CR3 values come from the next logged delivery after the plugin's CR3 line", () => {
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, K + 0x2000n, [[0x0f, 0x22, 0xdf], [0xc3]]) // mov %rdi,%cr3; ret
    .tb(1, K + 0x1000n, [[0xc3]])
    .exec(0)
    .exec(0)
    .exec(1)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const l = log([
    "vmmlab-cr3 0",
    "vmmlab-cr3 1",
    "     3: v=0e e=0004 i=0 cpl=3 IP=0033:0000000000401000 pc=0000000000401000 SP=002b:0000000000000000 CR2=0000000000401000",
    "CR0=80050033 CR2=0000000000401000 CR3=0000000001234000 CR4=000006f0",
  ]);
  assert.deepEqual(l.cr3Values, [-1, 0x1234000]);
  const { records } = convert(s, l);
  const cr3 = records.filter((r) => r.kind === RecordKind.Sensitive);
  const pc = Number(BigInt.asIntN(64, K + 0x2000n));
  assert.deepEqual(cr3, [
    {
      kind: RecordKind.Sensitive,
      op: SensitiveOp.CrWrite,
      pc,
      reg: 3,
      value: 0,
      flags: FLAG_WRITE,
    },
    {
      kind: RecordKind.Sensitive,
      op: SensitiveOp.CrWrite,
      pc,
      reg: 3,
      value: 0x1234000,
      flags: FLAG_WRITE | FLAG_VALUE_KNOWN | FLAG_INFERRED,
    },
  ]);
});

Deno.test("convert: device accesses take their values from the memory_region_ops trace", () => {
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, K + 0x3000n, [[0xee], [0x89, 0x07], [0xc3]]) // out %al,(%dx); mov %eax,(%rdi); ret
    .exec(0)
    .mem(1, 0xffffffffff5fd0b0n, 0xfee000b0n, 4, true, true)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const l = log([
    "memory_region_ops_write cpu -1 mr 0x1 addr 0xfee00000 value 0x0 size 4 name 'apic-msi'",
    "memory_region_ops_write cpu 0 mr 0x55 addr 0x3f8 value 0x41 size 1 name 'serial'",
    "memory_region_ops_write cpu 0 mr 0x56 addr 0xfee000b0 value 0x0 size 4 name 'apic-msi'",
  ]);
  assert.deepEqual(l.deviceInitiated, { "apic-msi": 1 });
  const { records } = convert(s, l);
  const pc = Number(BigInt.asIntN(64, K + 0x3000n));
  assert.deepEqual(records.slice(1), [
    { kind: RecordKind.Exec, block: 0, count: 3 },
    {
      kind: RecordKind.Pio,
      port: 0x3f8,
      size: 1,
      value: 0x41,
      flags: FLAG_WRITE | FLAG_VALUE_KNOWN,
      device: 1,
    },
    {
      kind: RecordKind.Sensitive,
      op: SensitiveOp.Out,
      pc,
      reg: 0x3f8,
      value: 0x41,
      flags: FLAG_WRITE | FLAG_VALUE_KNOWN,
    },
    {
      kind: RecordKind.Mem,
      addr: Number(BigInt.asIntN(64, 0xffffffffff5fd0b0n)),
      paddr: 0xfee000b0,
      size: 4,
      flags: MEM_WRITE | MEM_IO,
    },
    {
      kind: RecordKind.Mmio,
      paddr: 0xfee000b0,
      size: 4,
      value: 0,
      flags: FLAG_WRITE | FLAG_VALUE_KNOWN,
      device: 2,
    },
    { kind: RecordKind.Marker, op: MarkerOp.Iteration, value: 1 },
    { kind: RecordKind.Marker, op: MarkerOp.End, value: 0 },
  ]);
});

Deno.test("convert: stores by native_set_pte are page-table writes, stack accesses are not, rep stos collapses", () => {
  const set = K; // native_set_pte: mov %rsi,(%rdi); ret
  const table = DIRECT + 0x9000n;
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, set, [[0x48, 0x89, 0x37], [0xc3]])
    .tb(1, K + 0x4000n, [[0xf3, 0x48, 0xab], [0xc3]]) // clear_page_rep: rep stosq
    .exec(0)
    .mem(0, table + 0x18n, 0x9018n, 8, true)
    .mem(1, 0xffffc90000001000n, 0x5000n, 8, false) // ret pops from the stack: not a table
    .exec(1)
    .rep(K + 0x4000n, StringOp.Stos, 8, 1, 512, table, 0x9000n)
    .mark(3)
    .mark(2)
    .end()
    .build();
  const { records, result } = convert(s, log([]));
  const pt = records.filter((r) => r.kind === RecordKind.PtWrite);
  assert.deepEqual(pt, [{
    kind: RecordKind.PtWrite,
    paddr: 0x9018,
    level: 1,
    pc: Number(BigInt.asIntN(64, set)),
  }]);
  const rep = records.filter((r) => r.kind === RecordKind.RepString);
  assert.deepEqual(rep, [{
    kind: RecordKind.RepString,
    pc: Number(BigInt.asIntN(64, K + 0x4000n)),
    op: StringOp.Stos,
    count: 512,
    size: 8,
    addr: Number(BigInt.asIntN(64, table)),
    paddr: 0x9000,
  }]);
  assert.equal(result.perIteration[0].ptWrites, 1);
  assert.equal(result.perIteration[0].repIterations, 512);
  assert.equal(signedHex("ffffffff81000000"), Number(BigInt.asIntN(64, K)));
});

Deno.test("convert: a long stream read through small buffers converts the same at every refill boundary", () => {
  const b = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, USER, [[0x90], [0x90]])
    .tb(1, USER + 2n, [[0x48, 0x8b, 0x18], [0xc3]]);
  for (let i = 0; i < 6000; i++) {
    b.exec(0).exec(1).mem(0, 0x600000n + BigInt(i * 8), 0x200000n + BigInt(i * 8), 8, false);
  }
  const s = b.mark(3).mark(2).end().build();
  const l = log([]);
  const whole = convert(s, l);
  assert.equal(whole.result.perIteration[0].instructions, 6000 * 4);
  // Refill boundaries fall at every offset modulo the record sizes (5 and 19 bytes).
  for (let extra = 0; extra < 24; extra++) {
    const small = convert(s, l, 2 * (16 + 512 * 16) + extra);
    assert.deepEqual(small.records, whole.records, `buffer ${extra}`);
  }
});

Deno.test("the count index table matches COUNT_NAMES entry for entry", () => {
  assert.equal(countIndexMismatch(), null);
});

Deno.test("convert, i386: INT 0x80 and SYSENTER are system calls; table pages learnt from the fault's entry, fork's copy and never from data pages", () => {
  const arch = GUEST_ARCHES.i386;
  const symbols = KernelSymbols.parse(
    [
      "c1000000 T do_set_pte",
      "c1001000 T asm_exc_page_fault",
      "c1002000 T copy_page_range",
      "c1003000 T kmem_cache_alloc",
    ].join("\n"),
    (va) => traceAddress(arch, va),
  );
  const k = (a: number) => BigInt.asUintN(64, BigInt(a - 2 ** 32)); // as the plugin writes it
  const direct = (pa: number) => k(0xc0000000 + pa);
  const store = (pa: number) => [0, direct(pa), BigInt(pa), 4, true] as const;
  const user = 0x0804a000n;
  const s = new StreamBuilder()
    .mark(1)
    .mark(3)
    .tb(0, user, [[0xcd, 0x80], [0x0f, 0x34]]) // int $0x80; sysenter
    .tb(1, user + 0x100n, [[0x8b, 0x03], [0x90]]) // mov (%ebx),%eax faults
    .tb(2, k(0xc1001000), [[0x90]]) // asm_exc_page_fault
    .tb(3, k(0xc1003000), [[0x89, 0x01]]) // kmem_cache_alloc: a data store
    .tb(4, k(0xc1000000), [[0x89, 0x01], [0x89, 0x01], [0x89, 0x01]]) // do_set_pte
    .tb(5, k(0xc1002000), [[0x8b, 0x01], [0x89, 0x01]]) // copy_page_range: load, store
    .exec(0)
    .exec(1)
    .cut(1)
    .exec(2)
    .exec(3)
    .mem(...store(0x3007128))
    .exec(4)
    .mem(...store(0x3005128)) // PTE of 0x0804a123: entry 0x4a of a fresh page
    .mem(...store(0x3006010)) // another offset of a fresh page: not a table
    .mem(...store(0x3007128)) // the right offset, but kmem_cache_alloc's data page
    .exec(5)
    .mem(0, direct(0x3005128), 0x3005128n, 4, false) // the parent's entry ...
    .mem(1, direct(0x3008128), 0x3008128n, 4, true) // ... copied into the child's table
    .mark(3)
    .mark(2)
    .end()
    .build();
  const l = log([
    "     7: v=0e e=0006 i=0 cpl=3 IP=0073:0804a100 pc=0804a100 SP=007b:bffff000 CR2=0804a123",
    "CR0=80050033 CR2=0804a123 CR3=02017000 CR4=000006d0",
  ]);
  const { records, result } = convert(s, l, undefined, arch, symbols);
  assert.equal(result.perIteration[0].syscalls, 2);
  assert.equal(result.perIteration[0].pageFaults, 1);
  const pt = records.filter((r) => r.kind === RecordKind.PtWrite);
  assert.deepEqual(pt.map((r) => [r.paddr, r.level]), [[0x3005128, 1], [0x3008128, 1]]);
  const fault = records.find((r) => r.kind === RecordKind.Exception);
  assert.equal(fault?.addr, 0x0804a123);
  const sens = records.filter((r) => r.kind === RecordKind.Sensitive).map((r) => r.op);
  assert.deepEqual(sens, [SensitiveOp.Int, SensitiveOp.Sysenter]);
});
