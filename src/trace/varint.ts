/**
 * Variable-length integers (unsigned LEB128 and zigzag-signed) over a growable byte
 * sink and a bounds-checked reader. Values are JavaScript numbers up to 2^53, so the
 * large-value paths use arithmetic instead of 32-bit bit operations.
 *
 * @module
 */

/** A growable byte buffer that the writer encodes columns into. */
export class ByteSink {
  #buf: Uint8Array;
  #len = 0;

  /** Creates a sink with the given initial capacity. */
  constructor(capacity = 1 << 16) {
    this.#buf = new Uint8Array(capacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** Forgets the content, keeping the capacity. */
  reset(): void {
    this.#len = 0;
  }

  /** A view of the bytes written so far (valid until the next write). */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  #grow(extra: number): void {
    let cap = this.#buf.length * 2;
    while (cap < this.#len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Appends one byte. */
  byte(v: number): void {
    if (this.#len >= this.#buf.length) this.#grow(1);
    this.#buf[this.#len++] = v;
  }

  /** Appends raw bytes. */
  bytes(src: Uint8Array): void {
    if (this.#len + src.length > this.#buf.length) this.#grow(src.length);
    this.#buf.set(src, this.#len);
    this.#len += src.length;
  }

  /** Appends a little-endian u32. */
  u32(v: number): void {
    if (this.#len + 4 > this.#buf.length) this.#grow(4);
    const b = this.#buf;
    const p = this.#len;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = (v >>> 24) & 0xff;
    this.#len = p + 4;
  }

  /** Appends a little-endian IEEE-754 double (used for exact integers up to 2^53). */
  f64(v: number): void {
    if (this.#len + 8 > this.#buf.length) this.#grow(8);
    new DataView(this.#buf.buffer, this.#buf.byteOffset).setFloat64(this.#len, v, true);
    this.#len += 8;
  }

  /** Appends an unsigned LEB128 varint; `v` must be a non-negative safe integer. */
  uvarint(v: number): void {
    if (this.#len + 10 > this.#buf.length) this.#grow(10);
    const b = this.#buf;
    let p = this.#len;
    if (v < 0x80) {
      // Most column values are small deltas: one byte, no loop.
      b[p] = v;
      this.#len = p + 1;
      return;
    }
    if (v > 0xffffffff) {
      // Beyond 32 bits: peel off the low 28 bits (four 7-bit groups) with one exact
      // division, so the rest fits 32-bit arithmetic (values stay below 2^53).
      const lo = v % 0x10000000;
      b[p] = (lo & 0x7f) | 0x80;
      b[p + 1] = ((lo >>> 7) & 0x7f) | 0x80;
      b[p + 2] = ((lo >>> 14) & 0x7f) | 0x80;
      b[p + 3] = ((lo >>> 21) & 0x7f) | 0x80;
      p += 4;
      v = (v - lo) / 0x10000000;
    }
    // Below 2^32 the unsigned shift is exact.
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.#len = p;
  }

  /** Appends a zigzag-encoded signed varint; `v` must be a safe integer. */
  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
}

/** Maps a signed safe integer to an unsigned one (0, -1, 1, -2, … → 0, 1, 2, 3, …). */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/**
 * A bounds-checked reader over a byte range. Reading past the end throws a
 * `RangeError` whose message names the position; callers add file context.
 */
export class ByteReader {
  /** The underlying bytes. */
  readonly buf: Uint8Array;
  /** Current position. */
  pos: number;
  /** End of the readable range (exclusive). */
  end: number;

  /** Reads `buf[start, end)`. */
  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one byte. */
  byte(): number {
    if (this.pos >= this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    return this.buf[this.pos++];
  }

  /** Reads a little-endian u32. */
  u32(): number {
    if (this.pos + 4 > this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }

  /** Reads a little-endian double. */
  f64(): number {
    if (this.pos + 8 > this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Returns a copy of the next `n` bytes. */
  take(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    this.pos += n;
  }

  /** The next `n` bytes as a view into the buffer (no copy), then past them. */
  view(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new RangeError(`read past the end at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads an unsigned varint of at most 8 bytes (56 bits, enough for 2^53). */
  uvarint(): number {
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    if (p >= end) throw new RangeError(`read past the end at byte ${p}`);
    let x = b[p++];
    if (x < 0x80) {
      this.pos = p;
      return x;
    }
    x &= 0x7f;
    let shift = 7;
    for (;;) {
      if (p >= end) throw new RangeError(`varint runs past the end at byte ${p}`);
      const c = b[p++];
      if (shift < 28) x |= (c & 0x7f) << shift;
      else x += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
      shift += 7;
      if (shift > 49) throw new RangeError(`varint longer than 8 bytes at byte ${this.pos}`);
    }
    this.pos = p;
    return x;
  }

  /** Reads a zigzag-signed varint. */
  svarint(): number {
    return unzigzag(this.uvarint());
  }
}
