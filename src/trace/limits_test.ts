/**
 * The format limits (docs/trace-format.md, "Limits") on the writing side and in the small
 * helpers that enforce them on the reading side. tests/hostile_trace_test.ts runs the
 * reading side against hostile files through the CLI.
 */

import assert from "node:assert/strict";
import { ChunkEncoder } from "./chunk_codec.ts";
import { CodeTableBuilder } from "./code_table.ts";
import { TraceLimitError } from "./errors.ts";
import {
  DEFAULT_GUEST_MEMORY,
  MAX_CHUNK_RECORDS,
  MAX_CODE_INSTRUCTIONS,
  MAX_HEADER_JSON,
  MAX_JSON_DEPTH,
  maxStoredSize,
} from "./format.ts";
import { guestMemoryBytes, headerProblem, jsonDepth, type TraceHeaderInit } from "./header.ts";
import { TraceReader } from "./reader.ts";
import { ByteSink } from "./varint.ts";
import { TraceWriter } from "./writer.ts";
import { deflateSync } from "npm:fflate@0.8.3";

const HEADER: TraceHeaderInit = {
  workload: "limits",
  source: { kind: "synthetic", method: "test", recorder: "test" },
  pageSizes: [4096],
  devices: [],
  inferred: [],
};

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("jsonDepth counts nesting outside strings and stops past the limit", () => {
  assert.equal(jsonDepth(text("1"), 32), 0);
  assert.equal(jsonDepth(text('{"a":[1,{"b":[]}]}'), 32), 4);
  assert.equal(jsonDepth(text('{"a":"[[[[{{{{"}'), 32), 1);
  assert.equal(
    jsonDepth(text('{"a":"\\"[[[["}'), 32),
    1,
    "an escaped quote does not end the string",
  );
  assert.equal(jsonDepth(text("[".repeat(100000)), 5), 6, "stops counting once past the limit");
});

Deno.test("a writer refuses more records per chunk than the format allows", () => {
  assert.throws(
    () => TraceWriter.inMemory(HEADER, { chunkRecords: MAX_CHUNK_RECORDS + 1 }),
    (e: unknown) => e instanceof TraceLimitError && /records per chunk/.test(e.message),
  );
  TraceWriter.inMemory(HEADER, { chunkRecords: MAX_CHUNK_RECORDS }).finish();
});

Deno.test("a writer refuses a header JSON above the size or nesting limit", () => {
  assert.throws(
    () => TraceWriter.inMemory({ ...HEADER, notes: "x".repeat(MAX_HEADER_JSON) }),
    (e: unknown) => e instanceof TraceLimitError && /header size/.test(e.message),
  );
  let deep: unknown = 1;
  for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
  assert.throws(
    () => TraceWriter.inMemory({ ...HEADER, extra: { deep } }),
    (e: unknown) => e instanceof TraceLimitError && /nesting depth/.test(e.message),
  );
});

Deno.test("a code table is refused past its instruction limit", () => {
  const b = new CodeTableBuilder();
  const ins = { length: 1, sensitive: 0, flow: 0 };
  b.add(0, 0, [ins]);
  assert.throws(
    () => b.add(0, 0, new Array(MAX_CODE_INSTRUCTIONS).fill(ins)),
    /at most 2097152 instructions/,
  );
  assert.equal(b.blockCount, 1, "nothing of the refused block was added");
});

Deno.test("the encoder's size is its payload's length", () => {
  const enc = new ChunkEncoder();
  enc.reset(4);
  enc.exec(0, 3, true);
  enc.mem(0x83, 0x1000, 0x5000);
  enc.exec(1, 1, false);
  const out = new ByteSink();
  enc.payload(out);
  assert.equal(enc.size, out.length);
});

Deno.test("the guest's memory bounds what one record may move", () => {
  assert.equal(guestMemoryBytes(HEADER), DEFAULT_GUEST_MEMORY);
  assert.equal(guestMemoryBytes({ ...HEADER, guest: { memoryMiB: 256 } }), 256 * 2 ** 20);
  const full = { format: "vmmlab.trace", version: 1, ...HEADER };
  assert.equal(headerProblem({ ...full, guest: { memoryMiB: 512 } }), null);
  for (const bad of [0, -1, 1.5, 2 ** 40, "256"]) {
    assert.match(headerProblem({ ...full, guest: { memoryMiB: bad } }) ?? "", /memoryMiB/);
  }
});

Deno.test("honest deflate output stays within the stored-size limit", () => {
  for (const n of [0, 1, 1000, 65535, 65536, 1 << 20]) {
    const random = new Uint8Array(n);
    let x = 12345;
    for (let i = 0; i < n; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    assert.ok(deflateSync(random, { level: 6 }).length <= maxStoredSize(n), `${n} bytes`);
  }
});

Deno.test("a trace written at the limits reads back", () => {
  const w = TraceWriter.inMemory({ ...HEADER, guest: { memoryMiB: 1 } }, { chunkRecords: 3 });
  const b = w.defineBlock(0x1000, 3, [{ length: 2, sensitive: 0, flow: 0 }]);
  for (let i = 0; i < 10; i++) w.exec(b);
  w.repString(0x1000, 2, 2 ** 20, 1, 0x2000, 0x2000, 2); // exactly the guest's memory
  const t = TraceReader.fromBytes(w.finish());
  assert.equal(t.maxTransferBytes, 2 ** 20);
  const c = t.cursor();
  let n = 0;
  while (c.next()) n++;
  assert.equal(n, 11);
});
