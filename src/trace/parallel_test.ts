import assert from "node:assert/strict";
import { chunkRanges, scanParallel } from "./parallel.ts";
import { TraceReader } from "./reader.ts";
import { scanRange } from "./scan.ts";

const FIXTURE = new URL("../../tests/fixtures/qsort_lackey.vmt", import.meta.url).pathname;

Deno.test("chunk ranges are contiguous, cover every chunk and never exceed the parts", () => {
  const t = TraceReader.open(FIXTURE);
  for (let parts = 1; parts <= 12; parts++) {
    const r = chunkRanges(t.chunks, parts);
    assert.ok(r.length >= 1 && r.length <= Math.min(parts, t.chunks.length));
    assert.equal(r[0].from, 0);
    assert.equal(r[r.length - 1].to, t.chunks.length);
    for (let i = 1; i < r.length; i++) assert.equal(r[i].from, r[i - 1].to);
    for (const x of r) assert.ok(x.to > x.from);
  }
  t.close();
});

Deno.test("a chunk-parallel scan in workers equals the sequential scan", async () => {
  const t = TraceReader.open(FIXTURE);
  const seq = scanRange(t, 0, t.chunks.length);
  assert.equal(seq.instructionsByCpl[3], t.summary.instructions);
  for (const workers of [1, 2, 3]) {
    assert.deepEqual(await scanParallel(FIXTURE, t.chunks, workers), seq);
  }
  t.close();
});
