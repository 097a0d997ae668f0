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
// Format limits (docs/trace-format.md, "Limits"). Every size a file declares is checked
// against these before anything is allocated, so a small hostile file cannot make a reader
// allocate without bound; writers refuse to produce a file that breaks them. Each is at
// least 10x what the largest committed recording needs (a 4.5 MB chunk, 33 K blocks,
// 159 K instructions, a 58 KB summary, 15 chunks).

/** Largest uncompressed chunk payload: 16x a default chunk of the densest recording. */
export const MAX_CHUNK_RAW = 64 << 20;
/** Largest records-per-chunk a writer accepts (a chunk's records also fit MAX_CHUNK_RAW). */
export const MAX_CHUNK_RECORDS = 1 << 24;
/** Most chunks a trace may have (the index holds one entry and one object per chunk). */
export const MAX_CHUNKS = 1 << 18;
/** Largest header JSON in bytes. */
export const MAX_HEADER_JSON = 1 << 20;
/** Largest summary JSON in bytes (about 140 K markers). */
export const MAX_SUMMARY_JSON = 8 << 20;
/** Deepest nesting of arrays and objects in the header or summary JSON. */
export const MAX_JSON_DEPTH = 32;
/** Most blocks in the code table. */
export const MAX_CODE_BLOCKS = 1 << 20;
/** Most instructions in the code table. */
export const MAX_CODE_INSTRUCTIONS = 1 << 21;
/** Largest uncompressed code-table payload. */
export const MAX_CODE_RAW = 64 << 20;
/** Largest uncompressed index payload: the summary JSON and one entry per chunk. */
export const MAX_INDEX_RAW = 4 + MAX_SUMMARY_JSON + 4 + 48 * MAX_CHUNKS + 8;
/** Largest uncompressed size of any section (the chunk, code and index limits' maximum). */
export const MAX_SECTION_RAW = Math.max(MAX_CHUNK_RAW, MAX_CODE_RAW, MAX_INDEX_RAW);
/**
 * Largest stored (compressed) payload for `raw` uncompressed bytes: deflate's stored
 * blocks add 5 bytes per 65535, so honest output never exceeds this.
 */
export function maxStoredSize(raw: number): number {
  return raw + Math.ceil(raw / 4096) + 1024;
}
/**
 * Guest memory assumed when the header does not give `guest.memoryMiB`: bounds the bytes
 * one record may move (string instruction, DMA, block or network request).
 */
export const DEFAULT_GUEST_MEMORY = 2 ** 30;
/**
 * Largest guest memory a header may declare (16 GiB, far above the 256 MiB guests this
 * project records): with it, the per-page work of one record stays under 2^22 pages.
 */
export const MAX_GUEST_MEMORY = 2 ** 34;
/** Physical addresses are below 2^52, x86-64's architectural limit. */
export const MAX_PHYS_ADDR = 2 ** 52;
/** log2 of the address-predictor table size (slots keyed by block id and reference index). */
export const SLOT_BITS = 18;
/** Largest memory reference one record describes; larger accesses are split. */
export const MAX_MEM_SIZE = 128;

/** The predictor slot of the `index`-th memory reference after block `block` (-1: none yet). */
export function memSlot(block: number, index: number): number {
  return (((block + 1) << 4) + (index < 15 ? index : 15)) & ((1 << SLOT_BITS) - 1);
}
