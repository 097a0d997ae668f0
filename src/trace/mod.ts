/**
 * The `.vmt` trace format: record vocabulary, code table, streaming writer and reader.
 *
 * @module
 */

export * from "./record.ts";
export * from "./code_table.ts";
export * from "./header.ts";
export * from "./errors.ts";
export { TraceWriter, type TraceWriterOptions } from "./writer.ts";
export { ByteReader, ByteSink } from "./varint.ts";
export { type SectionHeader } from "./reader.ts";
export { validateTrace, type ValidationReport } from "./validate.ts";
export { convertTrace } from "./convert.ts";
export { importLackey, lackeyImporter, type LackeyImportOptions } from "./import_lackey.ts";
export { importers, type ImportOptions, registerImporter, type TraceImporter } from "./importer.ts";
export { type ChunkInfo, RecordCursor, TraceReader } from "./reader.ts";
export { ContentHasher } from "./content_hash.ts";
export { DecodedChunk } from "./decoded_chunk.ts";
export { crc32 } from "./crc32.ts";
export {
  type ChunkRange,
  chunkRanges,
  emptyCounts,
  mergeCounts,
  type ScanCounts,
  scanParallel,
} from "./parallel.ts";
export { scanRange } from "./scan.ts";
export {
  type ContentPoint,
  type MemoryProfile,
  memoryProfile,
  type VmSharing,
  type WorkingSetSpan,
} from "./memory_profile.ts";
