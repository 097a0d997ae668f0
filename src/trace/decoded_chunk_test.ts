import assert from "node:assert/strict";
import { Pcg32 } from "../util/pcg32.ts";
import { DecodedChunk } from "./decoded_chunk.ts";
import { TraceReader } from "./reader.ts";
import { TraceWriter } from "./writer.ts";
import { CPL_KERNEL } from "./code_table.ts";
import { ControlFlow, MarkerOp, SensitiveOp } from "./record.ts";

/**
 * A seeded trace of `records` records in chunks of `chunkRecords`: mostly executed blocks
 * and memory references, with rarer extended kinds (some fields only one kind defines, so
 * a skip must reach back for them).
 */
function randomTrace(seed: number, records: number, chunkRecords: number) {
  const rng = new Pcg32(seed);
  const w = TraceWriter.inMemory({
    workload: "decoded-chunk",
    source: { kind: "synthetic", method: "seeded random records for tests", recorder: "test" },
    pageSizes: [4096],
    devices: ["disk", "nic"],
    inferred: [],
  }, { chunkRecords });
  const blocks = Array.from(
    { length: 20 },
    (_, b) =>
      w.defineBlock(-0x7f000000 + b * 64, CPL_KERNEL, [
        { length: 3, sensitive: 0, flow: ControlFlow.None, bytes: new Uint8Array([0x90]) },
        { length: 2, sensitive: 0, flow: ControlFlow.CondJump, bytes: new Uint8Array([0x74]) },
      ]),
  );
  for (let i = 0; i < records; i++) {
    const roll = rng.nextBelow(200);
    const block = blocks[rng.nextBelow(blocks.length)];
    if (roll < 60) w.exec(block);
    else if (roll < 65) w.execPartial(block, 1);
    else if (roll < 180) {
      const v = rng.nextBelow(2) ? -0x7f000000 + rng.nextBelow(1 << 20) : rng.nextBelow(1 << 24);
      w.mem(v, 0x100000 + rng.nextBelow(1 << 24), 1 << rng.nextBelow(4), rng.nextBelow(2));
    } else if (roll < 185) w.sensitive(SensitiveOp.Cli, 0x1000 + i, 0, 0, 0, 0);
    else if (roll < 189) w.interrupt(32 + rng.nextBelow(8), 1, 0x2000 + i);
    else if (roll < 192) w.marker(MarkerOp.Point, i);
    else if (roll < 195) w.blockRequest(0, 1, i * 512, 4096);
    else if (roll < 198) w.netRequest(1, 1, 1500);
    else if (roll < 199) w.ptWrite(0x5000 + i * 8, 1, i, 1, 0x3000);
    else w.pageHash(0x9000 + i * 4096, i, i + 1, 0);
  }
  return { bytes: w.finish() };
}

/** The whole state of a cursor's record: its kind and every field slot, stale ones too. */
function state(c: { record: { kind: number; f: Float64Array } }): number[] {
  return [c.record.kind, ...c.record.f];
}

function readers(cacheBytes: number): { plain: TraceReader; shared: TraceReader } {
  const { bytes } = randomTrace(7, 6000, 700);
  const shared = TraceReader.fromBytes(bytes);
  shared.cacheRecords(cacheBytes);
  return { plain: TraceReader.fromBytes(bytes), shared };
}

Deno.test("kept records: cursors copy out the same records, stale fields included", () => {
  const { plain, shared } = readers(64 << 20);
  const a = plain.cursor();
  const b = shared.cursor();
  const c = shared.cursor(); // a second cursor copies the chunks the first decoded
  let n = 0;
  for (;;) {
    const more = a.next();
    assert.equal(b.next(), more);
    assert.equal(c.next(), more);
    if (!more) break;
    assert.deepEqual(state(b), state(a), `record ${n}`);
    assert.deepEqual(state(c), state(a), `record ${n}`);
    n++;
  }
  assert.equal(n, 6000);
  assert.ok(shared.keptRecordBytes > 6000 * 17);
});

Deno.test("kept records: a skip leaves the record as that many next() calls do", () => {
  const { plain, shared } = readers(64 << 20);
  const warm = shared.cursor();
  while (warm.next()); // every chunk kept
  const rng = new Pcg32(3);
  const a = plain.cursor();
  const b = shared.cursor();
  for (let step = 0; step < 200; step++) {
    const roll = rng.nextBelow(10);
    if (roll === 0) {
      const ch = rng.nextBelow(plain.chunks.length);
      a.restart(ch);
      b.restart(ch);
    } else if (roll < 5) {
      const n = rng.nextBelow(1500);
      let done = 0;
      while (done < n && a.next()) done++;
      assert.equal(b.skip(n), done);
    } else {
      assert.equal(b.next(), a.next());
    }
    assert.deepEqual(state(b), state(a), `step ${step}`);
    assert.equal(b.chunk, a.chunk);
  }
});

Deno.test("kept records: the budget bounds them; chunks past it decode per cursor alike", () => {
  // A kind byte and two float64 numbers per record, before extended records' fields.
  assert.equal(DecodedChunk.leastBytes(700), 700 * 17);
  // Room for about two chunks of 700 records.
  const room = 2 * DecodedChunk.leastBytes(700) + 100;
  const { plain, shared } = readers(room);
  const a = plain.cursor();
  const b = shared.cursor();
  while (a.next()) {
    assert.ok(b.next());
    assert.deepEqual(state(b), state(a));
  }
  assert.equal(b.next(), false);
  const kept = shared.keptRecordBytes;
  assert.ok(kept > 0 && kept <= room, `kept ${kept}`);
  // A second pass keeps nothing more.
  const c = shared.cursor();
  while (c.next());
  assert.equal(shared.keptRecordBytes, kept);
  // Off by default.
  const d = plain.cursor();
  while (d.next());
  assert.equal(plain.keptRecordBytes, 0);
});

Deno.test("kept records: a corrupt chunk fails in a sharing cursor where it fails alone", () => {
  const { bytes } = randomTrace(11, 3000, 1000);
  const info = TraceReader.fromBytes(bytes).chunks[1];
  const bad = bytes.slice();
  // Flip a payload byte of chunk 1: its checksum no longer matches.
  bad[info.offset + 32 + Math.floor(info.storedSize / 2)] ^= 0xff;
  const outcome = (cache: boolean) => {
    const r = TraceReader.fromBytes(bad);
    if (cache) r.cacheRecords(64 << 20);
    const cur = r.cursor();
    let n = 0;
    try {
      while (cur.next()) n++;
    } catch (e) {
      return `${n}: ${(e as Error).message}`;
    }
    return `${n}: no error`;
  };
  const alone = outcome(false);
  assert.match(alone, new RegExp(`^${info.firstRecord}: `));
  assert.equal(outcome(true), alone);
});
