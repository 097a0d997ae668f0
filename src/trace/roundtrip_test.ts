import assert from "node:assert/strict";
import { Pcg32 } from "../util/pcg32.ts";
import { CPL_KERNEL, CPL_USER } from "./code_table.ts";
import type { TraceHeaderInit } from "./header.ts";
import { TraceReader } from "./reader.ts";
import {
  ControlFlow,
  EXTENDED_SCHEMAS,
  Field,
  FIELD_COUNT,
  isMemKind,
  MarkerOp,
  MEM_IO,
  MEM_WRITE,
  RecordKind,
  SensitiveOp,
} from "./record.ts";
import { TraceWriter } from "./writer.ts";
import { TraceFormatError } from "./errors.ts";

/** A header for test traces. */
export const TEST_HEADER: TraceHeaderInit = {
  workload: "roundtrip",
  source: { kind: "synthetic", method: "seeded random records for tests", recorder: "test" },
  pageSizes: [4096],
  devices: ["lapic", "uart"],
  inferred: [],
};

interface Expected {
  kind: number;
  f: number[];
}

const KERNEL = -0x7f000000; // 0xffffffff81000000 as a signed number

/** Writes a seeded random trace with every record kind and returns its bytes and records. */
export function randomTrace(
  seed: number,
  records: number,
  chunkRecords: number,
): { bytes: Uint8Array; expected: Expected[] } {
  const rng = new Pcg32(seed);
  const w = TraceWriter.inMemory(TEST_HEADER, { chunkRecords });
  const blocks: number[] = [];
  const lens: number[] = [];
  for (let b = 0; b < 40; b++) {
    const n = 1 + rng.nextBelow(8);
    const instrs = Array.from({ length: n }, (_, i) => ({
      length: 1 + rng.nextBelow(15),
      sensitive: i === n - 1 && b % 5 === 0 ? SensitiveOp.Cli : 0,
      flow: i === n - 1 ? ControlFlow.CondJump : ControlFlow.None,
      bytes: new Uint8Array([0x90, b & 0xff]),
    }));
    const user = b % 3 === 0;
    lens.push(n);
    blocks.push(
      w.defineBlock(
        user ? 0x400000 + b * 64 : KERNEL + b * 64,
        user ? CPL_USER : CPL_KERNEL,
        instrs,
      ),
    );
  }
  const expected: Expected[] = [];
  const f = (pairs: [number, number][]) => {
    const arr = new Array(FIELD_COUNT).fill(0);
    for (const [k, v] of pairs) arr[k] = v;
    return arr;
  };
  const ext = [
    RecordKind.Sensitive,
    RecordKind.PtWrite,
    RecordKind.Exception,
    RecordKind.Interrupt,
    RecordKind.Pio,
    RecordKind.Mmio,
    RecordKind.Dma,
    RecordKind.BlockRequest,
    RecordKind.NetRequest,
    RecordKind.Marker,
    RecordKind.PageHash,
    RecordKind.RepString,
  ];
  let stack = -0x1000000;
  while (expected.length < records) {
    const roll = rng.nextBelow(100);
    if (roll < 35) {
      const pick = rng.nextBelow(blocks.length);
      const id = blocks[pick];
      const n = 1 + rng.nextBelow(lens[pick]);
      if (rng.nextBelow(10) === 0 && n < lens[pick]) {
        w.execPartial(id, n);
        expected.push({
          kind: RecordKind.ExecPartial,
          f: f([[Field.Block, id], [Field.Count, n]]),
        });
      } else {
        w.exec(id);
        expected.push({
          kind: RecordKind.Exec,
          f: f([[Field.Block, id], [Field.Count, lens[pick]]]),
        });
      }
    } else if (roll < 85) {
      stack += (rng.nextBelow(5) - 2) * 8;
      const vaddr = rng.nextBelow(2) ? stack : 0x600000 + rng.nextBelow(1 << 20);
      const paddr = vaddr < 0 ? vaddr + 0x80000000 + 0x1000000 : vaddr + 0x10000000;
      const size = 1 << rng.nextBelow(4);
      const flags = rng.nextBelow(4) & (MEM_WRITE | MEM_IO);
      w.mem(vaddr, paddr, size, flags);
      expected.push({
        kind: 0x80 | Math.log2(size) | (flags << 3),
        f: f([[Field.Addr, vaddr], [Field.Paddr, paddr], [Field.Size, size], [Field.Flags, flags]]),
      });
    } else {
      const kind = ext[rng.nextBelow(ext.length)];
      const vals = EXTENDED_SCHEMAS[kind].map((field) => {
        switch (field) {
          case Field.Vector:
            return rng.nextBelow(256);
          case Field.Op: // a valid operation of every kind with one (sensitive class, marker...)
            return 1 + rng.nextBelow(7);
          case Field.Level:
            return rng.nextBelow(5);
          case Field.Size:
            return [1, 2, 4, 8][rng.nextBelow(4)];
          case Field.Reg:
            return rng.nextBelow(0x10000);
          case Field.Pc:
          case Field.Addr:
            return KERNEL - rng.nextBelow(1 << 30);
          case Field.HashHi:
          case Field.HashLo:
            return rng.nextU32();
          case Field.Value:
            return rng.nextU32() * 4096 + rng.nextBelow(4096); // beyond 32 bits
          default:
            return rng.nextBelow(1 << 20);
        }
      });
      const g = (field: number) => vals[EXTENDED_SCHEMAS[kind].indexOf(field)];
      switch (kind) {
        case RecordKind.Sensitive:
          w.sensitive(
            g(Field.Op),
            g(Field.Pc),
            g(Field.Reg),
            g(Field.Value),
            g(Field.Size),
            g(Field.Flags),
          );
          break;
        case RecordKind.PtWrite:
          w.ptWrite(g(Field.Paddr), g(Field.Level), g(Field.Value), g(Field.Flags), g(Field.Pc));
          break;
        case RecordKind.Exception:
          w.exception(g(Field.Vector), g(Field.Code), g(Field.Addr), g(Field.Pc), g(Field.Flags));
          break;
        case RecordKind.Interrupt:
          w.interrupt(g(Field.Vector), g(Field.Device), g(Field.Pc));
          break;
        case RecordKind.Pio:
          w.pio(g(Field.Reg), g(Field.Size), g(Field.Value), g(Field.Flags), g(Field.Device));
          break;
        case RecordKind.Mmio:
          w.mmio(g(Field.Paddr), g(Field.Size), g(Field.Value), g(Field.Flags), g(Field.Device));
          break;
        case RecordKind.Dma:
          w.dma(g(Field.Device), g(Field.Paddr), g(Field.Length), g(Field.Flags));
          break;
        case RecordKind.BlockRequest:
          w.blockRequest(g(Field.Device), g(Field.Op), g(Field.Addr), g(Field.Length));
          break;
        case RecordKind.NetRequest:
          w.netRequest(g(Field.Device), g(Field.Op), g(Field.Length));
          break;
        case RecordKind.Marker:
          w.marker(g(Field.Op), g(Field.Value));
          break;
        case RecordKind.PageHash:
          w.pageHash(g(Field.Paddr), g(Field.HashHi), g(Field.HashLo), g(Field.Device));
          break;
        case RecordKind.RepString:
          w.repString(
            g(Field.Pc),
            g(Field.Op),
            g(Field.Count),
            g(Field.Size),
            g(Field.Addr),
            g(Field.Paddr),
            g(Field.Flags),
          );
          break;
      }
      expected.push({
        kind,
        f: f(EXTENDED_SCHEMAS[kind].map((field, i) => [field, vals[i]] as [number, number])),
      });
    }
  }
  return { bytes: w.finish(), expected };
}

function readAll(bytes: Uint8Array): { kind: number; f: number[] }[] {
  const t = TraceReader.fromBytes(bytes, "roundtrip.vmt");
  const c = t.cursor();
  const out: { kind: number; f: number[] }[] = [];
  while (c.next()) out.push({ kind: c.record.kind, f: Array.from(c.record.f) });
  return out;
}

function assertSame(got: { kind: number; f: number[] }[], expected: Expected[], bytes: Uint8Array) {
  assert.ok(TraceReader.fromBytes(bytes).code.blockCount > 0);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) {
    const e = expected[i], g = got[i];
    assert.equal(g.kind, e.kind, `record ${i} kind`);
    const fields = isMemKind(e.kind)
      ? [Field.Addr, Field.Paddr, Field.Size, Field.Flags]
      : e.kind === RecordKind.Exec || e.kind === RecordKind.ExecPartial
      ? [Field.Block, Field.Count]
      : EXTENDED_SCHEMAS[e.kind];
    for (const field of fields) {
      assert.equal(
        g.f[field],
        e.f[field],
        `record ${i} (kind 0x${e.kind.toString(16)}) field ${field}`,
      );
    }
  }
}

Deno.test("every record kind survives a write/read round trip, across chunk boundaries", () => {
  for (const chunkRecords of [1, 7, 1000, 1 << 20]) {
    const { bytes, expected } = randomTrace(1, 3000, chunkRecords);
    assertSame(readAll(bytes), expected, bytes);
  }
});

Deno.test("each extended kind round-trips on its own (one chunk per kind)", () => {
  for (const kind of Object.keys(EXTENDED_SCHEMAS).map(Number)) {
    const { bytes, expected } = randomTrace(kind, 400, 50);
    const got = readAll(bytes);
    assertSame(got, expected, bytes);
    assert.ok(got.some((r) => r.kind === kind), `kind 0x${kind.toString(16)} appears`);
  }
});

Deno.test("the summary counts records, instructions, kinds and markers", () => {
  const { bytes, expected } = randomTrace(3, 2000, 300);
  const t = TraceReader.fromBytes(bytes);
  assert.equal(t.summary.records, expected.length);
  const c = t.cursor();
  let instructions = 0, markers = 0, mems = 0;
  while (c.next()) {
    const r = c.record;
    if (r.kind === RecordKind.Exec || r.kind === RecordKind.ExecPartial) instructions += r.count;
    if (r.kind === RecordKind.Marker) markers++;
    if (isMemKind(r.kind)) mems++;
  }
  assert.equal(t.summary.instructions, instructions);
  assert.equal(t.summary.markers.length, markers);
  assert.equal(t.summary.kinds.mem, mems);
  assert.equal(t.chunks.reduce((s, ch) => s + ch.records, 0), expected.length);
  assert.equal(t.chunks.reduce((s, ch) => s + ch.instructions, 0), instructions);
});

Deno.test("writing is deterministic and the content hash ignores chunking", () => {
  const a = randomTrace(9, 5000, 500).bytes;
  const b = randomTrace(9, 5000, 500).bytes;
  assert.deepEqual(a, b);
  const c = randomTrace(9, 5000, 77).bytes;
  assert.notDeepEqual(a, c);
  assert.equal(
    TraceReader.fromBytes(a).summary.contentHash,
    TraceReader.fromBytes(c).summary.contentHash,
  );
  const d = randomTrace(10, 5000, 500).bytes;
  assert.notEqual(
    TraceReader.fromBytes(a).summary.contentHash,
    TraceReader.fromBytes(d).summary.contentHash,
  );
});

Deno.test("a chunk range reads exactly the records of those chunks", () => {
  const { bytes, expected } = randomTrace(5, 4000, 400);
  const t = TraceReader.fromBytes(bytes);
  assert.ok(t.chunks.length >= 8);
  let total = 0;
  for (let i = 0; i < t.chunks.length; i++) {
    const c = t.cursor(i, i + 1);
    let n = 0;
    while (c.next()) n++;
    assert.equal(n, t.chunks[i].records);
    total += n;
  }
  assert.equal(total, expected.length);
});

Deno.test("marker summary lists iteration markers with their positions", () => {
  const w = TraceWriter.inMemory(TEST_HEADER);
  const b = w.defineBlock(0x1000, CPL_USER, [{ length: 2, sensitive: 0, flow: 0 }, {
    length: 3,
    sensitive: 0,
    flow: 0,
  }]);
  w.marker(MarkerOp.Begin, 0);
  for (let i = 0; i < 3; i++) {
    w.exec(b);
    w.marker(MarkerOp.Iteration, i);
  }
  const t = TraceReader.fromBytes(w.finish());
  assert.equal(t.summary.iterations, 3);
  assert.deepEqual(t.summary.markers.map((m) => m.instruction), [0, 2, 4, 6]);
  assert.equal(t.summary.instructions, 6);
  assert.deepEqual(Array.from(t.code.instrAddr), [0x1000, 0x1002]);
});

Deno.test("a non-zero reserved section-header byte is a TraceFormatError at that byte", () => {
  const { bytes } = randomTrace(5, 400, 100);
  const offset = TraceReader.fromBytes(bytes).chunks[1].offset;
  for (const at of [5, 7, 28, 31]) {
    const bad = bytes.slice();
    bad[offset + at] = 1;
    // The first chunk headers are read when the chunk is, so read the whole trace.
    assert.throws(() => readAll(bad), (e: unknown) => {
      assert.ok(e instanceof TraceFormatError);
      assert.equal(e.offset, offset + at);
      assert.equal(e.chunk, 1);
      assert.match(e.message, /reserved section header byte is not zero/);
      return true;
    });
  }
});

Deno.test("a file writer whose rename fails leaves no temporary file", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-writer-" });
  try {
    const target = `${dir}/a-folder.vmt`;
    Deno.mkdirSync(target); // renaming a file onto a folder fails
    const w = TraceWriter.create(target, TEST_HEADER);
    w.marker(0, 0);
    assert.throws(() => w.close());
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a-folder.vmt"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
