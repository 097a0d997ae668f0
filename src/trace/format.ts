/**
 * Byte-level constants of the `.vmt` format, version 1. docs/trace-format.md is the
 * specification; this module is its single source of numbers in code.
 *
 * @module
 */

/** File magic: a high byte and CR LF SUB LF, so text-mode mangling is detected (as PNG does). */
export const MAGIC: Uint8Array = new Uint8Array([0x89, 0x56, 0x4d, 0x54, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Trailer magic, the last 8 bytes of a complete file. */
export const TRAILER_MAGIC: Uint8Array = new Uint8Array([
  0x56,
  0x4d,
  0x54,
  0x2d,
  0x45,
  0x4e,
  0x44,
  0x0a,
]);
/** Major format version this code reads and writes; a reader refuses any other major. */
export const FORMAT_MAJOR = 1;
/** Minor format version: additions a version-1 reader can skip. */
export const FORMAT_MINOR = 0;
/** Size of the fixed file header before the header JSON. */
export const FILE_HEADER_SIZE = 20;
/** Size of every section header (chunk, code table, index). */
export const SECTION_HEADER_SIZE = 32;
/** Size of the trailer: f64 index offset + trailer magic. */
export const TRAILER_SIZE = 16;
/** Bytes of a chunk's column directory (four u32 lengths) at the start of its payload. */
export const COLUMN_DIRECTORY_SIZE = 16;
/** Bytes per chunk-index entry: six little-endian f64. */
export const INDEX_ENTRY_SIZE = 48;

/** Section tags as little-endian u32 of their ASCII names. */
export const Tag = {
  Chunk: 0x4b4e4843, // "CHNK"
  Code: 0x45444f43, // "CODE"
  Index: 0x58444e49, // "INDX"
} as const;

/** Payload codecs of a section. */
export const Codec = { Stored: 0, Deflate: 1 } as const;

/** Default records per chunk: about 2–4 MB uncompressed, a good deflate and seek granule. */
export const DEFAULT_CHUNK_RECORDS = 1 << 20;
/** Upper bound a reader accepts for one section's uncompressed size (guards corrupt sizes). */
export const MAX_SECTION_RAW = 1 << 30;
/** log2 of the address-predictor table size (slots keyed by block id and reference index). */
export const SLOT_BITS = 18;
/** Largest memory reference one record describes; larger accesses are split. */
export const MAX_MEM_SIZE = 128;

/** The predictor slot of the `index`-th memory reference after block `block` (-1: none yet). */
export function memSlot(block: number, index: number): number {
  return (((block + 1) << 4) + (index < 15 ? index : 15)) & ((1 << SLOT_BITS) - 1);
}
