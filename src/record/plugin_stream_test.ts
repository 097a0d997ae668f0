import assert from "node:assert/strict";
import {
  MAX_STREAM_RECORD,
  parsePluginStream,
  PluginStreamError,
  type PluginStreamSink,
} from "./plugin_stream.ts";

/** A sink that logs every record as text. */
class LogSink implements PluginStreamSink {
  log: string[] = [];
  done = false;
  define(id: number, vaddr: number, body: Uint8Array, lengths: number[]): void {
    this.log.push(`tb ${id} ${vaddr} [${lengths}] ${body.length}`);
  }
  exec(id: number): void {
    this.log.push(`exec ${id}`);
  }
  cut(started: number): void {
    this.log.push(`cut ${started}`);
  }
  rep(pc: number, op: number, size: number, flags: number, count: number, a: number, p: number) {
    this.log.push(`rep ${pc} ${op} ${size} ${flags} ${count} ${a} ${p}`);
  }
  mem(type: number, index: number, vaddr: number, paddr: number): void {
    this.log.push(`mem ${type.toString(16)} ${index} ${vaddr} ${paddr}`);
  }
  mark(op: number, arg: number): void {
    this.log.push(`mark ${op} ${arg}`);
  }
  end(): void {
    this.log.push("end");
    this.done = true;
  }
}

function parseBytes(bytes: number[], bufferBytes?: number): string[] {
  const path = Deno.makeTempFileSync({ suffix: ".bin" });
  try {
    Deno.writeFileSync(path, new Uint8Array(bytes));
    const sink = new LogSink();
    const size = parsePluginStream(path, sink, { bufferBytes });
    assert.equal(size, bytes.length);
    return sink.log;
  } finally {
    Deno.removeSync(path);
  }
}

const le = (v: bigint, n: number) =>
  Array.from({ length: n }, (_, i) => Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn));

Deno.test("plugin stream: each record's fields are read at the offsets vmmlab_plugin.c writes them", () => {
  const bytes = [
    // TBDEF id 7, vaddr 0xffffffff81000000, 2 instructions: nop (1 byte), ret (1 byte)
    0x01,
    ...le(7n, 4),
    ...le(0xffffffff81000000n, 8),
    ...le(2n, 2),
    1,
    0x90,
    1,
    0xc3,
    0x02,
    ...le(7n, 4), // EXEC 7
    // MEM: 8-byte store (0x80 | 3 | 8) by instruction 1, vaddr -8, paddr unknown
    0x8b,
    ...le(1n, 2),
    ...le(-8n, 8),
    ...le(-1n, 8),
    0x03,
    ...le(1n, 2), // CUT after 1 instruction
    // REP pc 0x401000 op 2 size 8 flags 1 count 512 addr 0x7000 paddr 0x123000
    0x04,
    ...le(0x401000n, 8),
    2,
    8,
    1,
    ...le(512n, 4),
    ...le(0x7000n, 8),
    ...le(0x123000n, 8),
    0x05,
    3,
    9,
    ...le(12345n, 8), // MARK iteration arg 9
    0x06, // END
    0x02,
    0xff, // after END: never read
  ];
  const expected = [
    `tb 7 ${-0x7f000000} [1,1] 4`,
    "exec 7",
    "mem 8b 1 -8 -1",
    "cut 1",
    `rep ${0x401000} 2 8 1 512 ${0x7000} ${0x123000}`,
    "mark 3 9",
    "end",
  ];
  assert.deepEqual(parseBytes(bytes), expected);
});

Deno.test("plugin stream: records that straddle buffer refills parse the same", () => {
  const one = [0x8b, ...le(1n, 2), ...le(4096n, 8), ...le(8192n, 8)];
  const bytes: number[] = [];
  for (let i = 0; i < 2000; i++) bytes.push(...one, 0x02, ...le(BigInt(i), 4));
  const big = parseBytes(bytes);
  const small = parseBytes(bytes, 2 * MAX_STREAM_RECORD + 7);
  assert.equal(big.length, 4000);
  assert.deepEqual(small, big);
});

Deno.test("plugin stream: a bad record is an error naming the file and its byte offset", () => {
  const at = (bytes: number[]) => {
    try {
      parseBytes(bytes);
    } catch (e) {
      assert.ok(e instanceof PluginStreamError, String(e));
      return `${e.offset}: ${e.message.replace(/^.*?\.bin: /, "")}`;
    }
    assert.fail("no error");
  };
  assert.equal(at([0x02, 0, 0, 0, 0, 0x42]), "5: unknown record type 66 at stream offset 5");
  assert.equal(at([0x02, 0, 0, 0, 0, 0x8b, 1, 2]), "5: truncated memory record at stream offset 5");
  assert.equal(at([0x05, 3]), "0: truncated record of type 5 at stream offset 0");
  assert.equal(
    at([0x01, 0, 0, 0, 0, ...le(0n, 8), ...le(3n, 2), 1, 0x90]),
    "0: truncated block definition at stream offset 0",
  );
  assert.equal(
    at([0x01, 0, 0, 0, 0, ...le(0n, 8), ...le(513n, 2)]),
    "0: block definition of 513 instructions (at most 512) at stream offset 0",
  );
});
