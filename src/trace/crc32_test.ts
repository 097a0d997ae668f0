import assert from "node:assert/strict";
import { crc32, crc32Table } from "./crc32.ts";

Deno.test("crc32: the check value of the IEEE polynomial", () => {
  const bytes = new TextEncoder().encode("123456789");
  assert.equal(crc32(bytes), 0xcbf43926);
  assert.equal(crc32Table(bytes), 0xcbf43926);
});

Deno.test("crc32: the native and table-driven paths agree on every length and sub-range", () => {
  const data = new Uint8Array(4099);
  let x = 12345;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  for (const [start, end] of [[0, 0], [0, 1], [0, 7], [3, 17], [1, 4096], [0, 4099], [5, 4099]]) {
    assert.equal(crc32(data, start, end), crc32Table(data, start, end), `${start}..${end}`);
  }
  assert.equal(crc32(data), crc32Table(data));
});
