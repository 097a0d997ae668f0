import assert from "node:assert/strict";
import { deflateSync } from "npm:fflate@0.8.3";
import { TraceReader } from "../trace/reader.ts";
import { TraceWriter } from "../trace/writer.ts";
import { ParallelDeflate } from "./parallel_deflate.ts";
import { Pcg32 } from "../util/pcg32.ts";
import { crc32 } from "../trace/crc32.ts";

/** Re-encodes a trace's records with the given writer options; returns the file bytes. */
function reencode(t: TraceReader, chunkRecords: number, compressor?: ParallelDeflate) {
  const { format: _f, version: _v, ...header } = t.header;
  const w = TraceWriter.inMemory(header, { chunkRecords, compressor });
  const code = t.code;
  for (let b = 0; b < code.blockCount; b++) {
    w.defineBlock(code.blockAddr[b], code.blockCpl[b], code.instructions(b));
  }
  const c = t.cursor();
  while (c.next()) w.copy(c.record);
  return w.finish();
}

Deno.test("a trace written through the parallel deflate is byte-identical to a plain one", () => {
  const source = TraceReader.open(
    new URL("../../tests/fixtures/qsort_lackey.vmt", import.meta.url).pathname,
  );
  const pool = new ParallelDeflate();
  try {
    for (const chunkRecords of [97, 5000, 1 << 20]) {
      const plain = reencode(source, chunkRecords);
      const parallel = reencode(source, chunkRecords, pool);
      assert.equal(pool.pending, 0);
      assert.ok(TraceReader.fromBytes(plain).chunks.length >= (chunkRecords === 97 ? 100 : 1));
      assert.deepEqual(parallel, plain);
    }
  } finally {
    pool.close();
    source.close();
  }
});

Deno.test("results come back in submission order whether the worker or the caller compresses", () => {
  const rng = new Pcg32(5);
  const payloads = Array.from({ length: 6 }, (_, i) => {
    const p = new Uint8Array(20000 + i * 3000);
    // Compressible but distinct: runs of a few random symbols.
    for (let j = 0; j < p.length; j++) p[j] = (j >> 5) % 7 === 0 ? rng.nextBelow(256) : i;
    return p;
  });
  const pool = new ParallelDeflate();
  try {
    // Taken at once: the worker may not have started, so the caller compresses some jobs.
    for (const p of payloads) pool.submit(p, 6);
    assert.equal(pool.pending, 6);
    for (const p of payloads) {
      assert.deepEqual(pool.take(), { stored: deflateSync(p, { level: 6 }), crc: crc32(p) });
    }
    assert.equal(pool.pending, 0);
    // Waited for: the worker compresses them all (ready() turns true without a take()).
    for (const p of payloads) pool.submit(p, 9);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 2000 && !pool.ready(); i++) Atomics.wait(nap, 0, 0, 5);
    assert.ok(pool.ready(), "the worker never finished the oldest job");
    for (const p of payloads) {
      assert.deepEqual(pool.take(), { stored: deflateSync(p, { level: 9 }), crc: crc32(p) });
    }
    assert.throws(() => pool.take(), /no chunk is being compressed/);
  } finally {
    pool.close();
  }
  assert.throws(() => pool.submit(payloads[0], 6), /closed/);
});
