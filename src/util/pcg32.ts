/**
 * PCG32 (O'Neill's permuted congruential generator, XSH-RR output), the project's only
 * source of randomness, so that every random choice in a result follows from an explicit
 * seed and is identical on every machine and run.
 *
 * @module
 */

const MULT_HI = 0x5851f42d;
const MULT_LO = 0x4c957f2d;

/** A seeded 32-bit generator with 64-bit state kept as two 32-bit halves (no BigInt in hot paths). */
export class Pcg32 {
  #hi = 0;
  #lo = 0;
  #incHi = 0;
  #incLo = 0;

  /** Seeds the generator; `stream` selects one of 2^63 independent sequences. */
  constructor(seed: number, stream = 54) {
    // inc = (stream << 1) | 1, split into halves.
    const s = Math.floor(Math.abs(stream));
    this.#incHi = (Math.floor(s / 0x80000000) >>> 0) & 0xffffffff;
    this.#incLo = ((s * 2) % 0x100000000 | 1) >>> 0;
    this.#step();
    const sd = Math.floor(Math.abs(seed));
    this.#add(Math.floor(sd / 0x100000000) >>> 0, sd >>> 0);
    this.#step();
  }

  #add(hi: number, lo: number): void {
    const l = this.#lo + lo;
    this.#lo = l >>> 0;
    this.#hi = (this.#hi + hi + (l > 0xffffffff ? 1 : 0)) >>> 0;
  }

  #step(): void {
    // state = state * MULT + inc (mod 2^64), with 16-bit partial products for exactness.
    const aHi = this.#hi, aLo = this.#lo;
    const lo = mul32(aLo, MULT_LO);
    const hi = (mul32hi(aLo, MULT_LO) + Math.imul(aLo, MULT_HI) + Math.imul(aHi, MULT_LO)) >>> 0;
    this.#hi = hi;
    this.#lo = lo;
    this.#add(this.#incHi, this.#incLo);
  }

  /** The next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const hi = this.#hi, lo = this.#lo;
    this.#step();
    // xorshifted = ((state >> 18) ^ state) >> 27, truncated to 32 bits
    const xHi = (hi >>> 18) ^ hi;
    const xLo = ((lo >>> 18) | (hi << 14)) ^ lo;
    const xorshifted = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = hi >>> 27;
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number {
    return this.nextU32() / 0x100000000;
  }

  /** A uniform integer in [0, bound) without modulo bias. */
  nextBelow(bound: number): number {
    if (bound <= 0) return 0;
    const threshold = (0x100000000 - bound) % bound;
    for (;;) {
      const r = this.nextU32();
      if (r >= threshold) return r % bound;
    }
  }
}

function mul32(a: number, b: number): number {
  return Math.imul(a, b) >>> 0;
}

/** High 32 bits of the unsigned 64-bit product of two unsigned 32-bit numbers. */
function mul32hi(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16;
  const b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 0x10000)) >>> 0;
}
