/**
 * The two JSON documents of a trace: the header written first (what was recorded and
 * how) and the summary written last (counts, markers, content hash), which only the
 * end of a streamed recording can know.
 *
 * @module
 */

import { DEFAULT_GUEST_MEMORY, MAX_GUEST_MEMORY } from "./format.ts";

/** How a trace came to be. */
export interface TraceSource {
  /** Recording method family. */
  kind: "qemu-tcg" | "synthetic" | "lackey" | "converted" | string;
  /** One sentence on how the records were obtained. */
  method: string;
  /** The command that produced the trace, when there is one. */
  command?: string;
  /** Name and version of the program that wrote the trace. */
  recorder: string;
  /** Further facts (QEMU version, plugin hash, recipe seed, ...). */
  [key: string]: unknown;
}

/** What the guest was. */
export interface GuestInfo {
  /** Guest kernel, e.g. "Linux 6.1.0-26-amd64"; absent for user-only traces. */
  kernel?: string;
  /** CPU model the guest saw. */
  cpu?: string;
  /**
   * Architecture: "x86_64", or "i386" for a 32-bit guest, whose virtual addresses at or
   * above {@link I386_KERNEL_BASE} are stored minus 2^32 (docs/trace-format.md, "Addresses").
   */
  arch?: string;
  /**
   * Paging levels of the guest page tables: 4 or 5 on x86-64, 2 (32-bit paging) or 3 (PAE)
   * on i386. Models read it through {@link guestPagingLevels}; absent means 4.
   */
  pagingLevels?: number;
  /** Whether page-table isolation was on. */
  pti?: boolean;
  /** The guest's memory size in MiB; bounds the bytes one record may move. */
  memoryMiB?: number;
  /** Further facts. */
  [key: string]: unknown;
}

/** The header JSON a writer is given. */
export interface TraceHeaderInit {
  /** Workload name, e.g. "forkwait". */
  workload: string;
  /** Free text about the workload. */
  description?: string;
  /** How the trace was recorded. */
  source: TraceSource;
  /** The guest. */
  guest?: GuestInfo;
  /** Page sizes the guest used, in bytes. */
  pageSizes: number[];
  /** Device names; records refer to devices by index into this table. */
  devices: string[];
  /** What the recorder inferred rather than observed, one sentence each. */
  inferred: string[];
  /** Anything else a reader should know. */
  notes?: string;
  /** Source-specific data. */
  extra?: Record<string, unknown>;
}

/** The header as stored: the writer adds the format name and version. */
export interface TraceHeader extends TraceHeaderInit {
  /** Always "vmmlab.trace". */
  format: string;
  /** Format major version. */
  version: number;
}

/** One marker, as listed in the summary. */
export interface MarkerEntry {
  /** Marker op (`MarkerOp`). */
  op: number;
  /** Marker value (iteration number, region id, VM index). */
  value: number;
  /** Index of the marker record in the whole trace. */
  record: number;
  /** Instructions executed before the marker. */
  instruction: number;
}

/** Counts a writer knows only at the end; stored in the index section. */
export interface TraceSummary {
  /** Records in the trace. */
  records: number;
  /** Guest instructions (Exec counts; repeated string iterations not included). */
  instructions: number;
  /** Iterations of repeated string instructions collapsed into RepString records. */
  repIterations: number;
  /** Records by kind name. */
  kinds: Record<string, number>;
  /** Sensitive records by class name. */
  sensitive: Record<string, number>;
  /** Exceptions by vector. */
  exceptions: Record<string, number>;
  /** Number of Iteration markers. */
  iterations: number;
  /** Every marker. */
  markers: MarkerEntry[];
  /** Blocks in the code table. */
  codeBlocks: number;
  /** Instructions in the code table. */
  codeInstructions: number;
  /** Records-per-chunk setting the writer used. */
  chunkRecords: number;
  /** `sha256:<hex>` of the canonical record stream and code table (independent of chunking). */
  contentHash: string;
}

/**
 * The most bytes one record may move (a string instruction's iterations times element
 * size, a DMA transfer, a block or network request): no real guest moves more than its
 * memory in one instruction or request. The header's `guest.memoryMiB` when present,
 * else {@link DEFAULT_GUEST_MEMORY}.
 */
export function guestMemoryBytes(h: TraceHeaderInit): number {
  const mib = h.guest?.memoryMiB;
  return typeof mib === "number" ? mib * 2 ** 20 : DEFAULT_GUEST_MEMORY;
}

/** Paging levels of a trace whose header does not say (every x86-64 recording before the field). */
export const DEFAULT_PAGING_LEVELS = 4;

/**
 * Where a 32-bit Linux guest's kernel half begins (the default 3 GB/1 GB split,
 * `PAGE_OFFSET` = 0xC0000000): addresses from here up are stored minus 2^32, so that, as on
 * x86-64, the kernel half is exactly the negative addresses.
 */
export const I386_KERNEL_BASE = 0xc0000000;

/**
 * The guest's paging levels: the header's `guest.pagingLevels`, else
 * {@link DEFAULT_PAGING_LEVELS}. Every model that walks or shadows page tables sizes its
 * walks from this.
 */
export function guestPagingLevels(
  h: { readonly guest?: { readonly pagingLevels?: number } },
): number {
  const v = h.guest?.pagingLevels;
  return typeof v === "number" ? v : DEFAULT_PAGING_LEVELS;
}

/** Checks that a parsed header has the fields a reader relies on; returns a problem or null. */
export function headerProblem(h: unknown): string | null {
  if (typeof h !== "object" || h === null || Array.isArray(h)) return "header is not a JSON object";
  const o = h as Record<string, unknown>;
  if (o.format !== "vmmlab.trace") return `header format is ${JSON.stringify(o.format)}`;
  if (typeof o.workload !== "string") return "header has no workload name";
  const src = o.source as Record<string, unknown> | undefined;
  if (typeof src !== "object" || src === null || typeof src.kind !== "string") {
    return "header has no source.kind";
  }
  if (!Array.isArray(o.pageSizes) || !o.pageSizes.every((p) => Number.isInteger(p) && p > 0)) {
    return "header pageSizes is not a list of positive integers";
  }
  if (!Array.isArray(o.devices) || !o.devices.every((d) => typeof d === "string")) {
    return "header devices is not a list of names";
  }
  if (!Array.isArray(o.inferred)) return "header inferred is not a list";
  const guest = o.guest as Record<string, unknown> | undefined;
  if (guest !== undefined && (typeof guest !== "object" || guest === null)) {
    return "header guest is not an object";
  }
  const mib = guest?.memoryMiB;
  if (
    mib !== undefined &&
    !(typeof mib === "number" && Number.isSafeInteger(mib) && mib >= 1 &&
      mib * 2 ** 20 <= MAX_GUEST_MEMORY)
  ) {
    return `header guest.memoryMiB ${JSON.stringify(mib)} is not a memory size (1 MiB to 16 GiB)`;
  }
  const levels = guest?.pagingLevels;
  if (
    levels !== undefined &&
    !(typeof levels === "number" && Number.isInteger(levels) && levels >= 2 && levels <= 5)
  ) {
    return `header guest.pagingLevels ${JSON.stringify(levels)} is not 2, 3, 4 or 5`;
  }
  if (guest?.arch === "i386" && levels !== undefined && levels !== 2 && levels !== 3) {
    return `header guest.pagingLevels ${levels} is impossible for an i386 guest (2 or 3)`;
  }
  return null;
}

/** Checks a parsed summary; returns a problem or null. */
export function summaryProblem(s: unknown): string | null {
  if (typeof s !== "object" || s === null || Array.isArray(s)) {
    return "summary is not a JSON object";
  }
  const o = s as Record<string, unknown>;
  for (const k of ["records", "instructions", "repIterations", "iterations", "codeBlocks"]) {
    const v = o[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      return `summary ${k} is not a count`;
    }
  }
  if (typeof o.contentHash !== "string") return "summary has no content hash";
  if (!Array.isArray(o.markers)) return "summary markers is not a list";
  for (const k of ["kinds", "sensitive", "exceptions"]) {
    if (typeof o[k] !== "object" || o[k] === null) return `summary ${k} is not an object`;
  }
  return null;
}

/**
 * Nesting depth of arrays and objects in JSON text, counted outside strings; stops
 * counting once past `limit`. Checked before parsing so that deep nesting never reaches
 * a recursive consumer.
 */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
