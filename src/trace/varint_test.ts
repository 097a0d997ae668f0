import assert from "node:assert/strict";
import { ByteReader, ByteSink } from "./varint.ts";

/** LEB128 the textbook way (one 7-bit group per step, in floating point). */
function reference(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const low = v % 128;
    v = Math.floor(v / 128);
    if (v === 0) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

const EDGES = [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0xfffffff, 0x10000000];
const WIDE = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 35 + 12345, 2 ** 49];
const VALUES = [...EDGES, ...WIDE, 2 ** 53 - 1, 0x7ff0_0000_0000 + 0xabcd, 3 * 2 ** 28 + 5];

Deno.test("uvarint writes the textbook LEB128 bytes on both sides of every width boundary", () => {
  for (const v of VALUES) {
    const s = new ByteSink(4);
    s.uvarint(v);
    assert.deepEqual([...s.view()], reference(v), `value ${v}`);
    assert.equal(new ByteReader(s.view()).uvarint(), v);
  }
});

Deno.test("svarint zigzags: small magnitudes take one byte and kernel addresses round-trip", () => {
  const s = new ByteSink(1);
  for (const v of [0, -1, 1, -64, 63]) s.svarint(v);
  assert.deepEqual([...s.view()], [0, 1, 2, 127, 126]);
  const big = [-(2 ** 52), -0x777ffffff000, -0x7f000000, 2 ** 52 - 1, -65, 64];
  const t = new ByteSink(2);
  for (const v of big) t.svarint(v);
  const r = new ByteReader(t.view());
  for (const v of big) assert.equal(r.svarint(), v);
  assert.equal(r.remaining, 0);
});
