/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum of every chunk's
 * uncompressed payload, so corruption is detected and located per chunk.
 *
 * @module
 */

import * as zlib from "node:zlib";

const TABLE = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  // Slicing-by-8 tables: eight bytes per step instead of one.
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/** zlib's CRC-32 where the runtime has it (Deno's node:zlib does): native, many times faster. */
const native: ((data: Uint8Array) => number) | undefined =
  (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The CRC-32 of `data`, as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  if (native !== undefined) {
    return native(start === 0 && end === data.length ? data : data.subarray(start, end)) >>> 0;
  }
  return crc32Table(data, start, end);
}

/** The table-driven CRC-32 (slicing by 8), the fallback and the reference the tests compare with. */
export function crc32Table(data: Uint8Array, start = 0, end = data.length): number {
  const t = TABLE;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^
      t[1024 + (c >>> 24)] ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^
      t[data[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
