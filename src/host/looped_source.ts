/**
 * A VM's record stream on the host: the trace replayed from its start, then looped
 * between iteration markers for as long as the simulated run lasts, and stopped right
 * after any record the host must act on (a HLT, a disk or network request). It also
 * watches the guest-physical pages the VM touches, for the host memory manager. The
 * engine's record loop pulls from it exactly as from a trace cursor, so the loop stays
 * allocation-free; the checks here are a kind comparison per record.
 *
 * Loop boundary: the first pass replays records `[0, last]` (through the last iteration
 * marker, so a trailing partial iteration is never replayed); every later pass replays
 * `(first, last]`, whole iterations only. A trace with fewer than two iteration markers
 * loops over all of its records.
 *
 * @module
 */

import type { RecordSource } from "../engine/array_cursor.ts";
import type { RecordCursor, TraceReader } from "../trace/reader.ts";
import { Field, MarkerOp, RecordKind, SensitiveOp, type TraceRecord } from "../trace/record.ts";
import { PAGE_SIZE } from "../trace/page.ts";
import type { WorkingSetSampler } from "../models/memory/working_set.ts";

/** Why the stream stopped (see {@link LoopedSource.stop}). */
export const Stop = {
  /** Still running (the engine's batch limit ended the call). */
  None: 0,
  /** The guest executed HLT: it idles until its next interrupt. */
  Halt: 1,
  /** The guest issued a disk request. */
  Block: 2,
  /** The guest issued a network request. */
  Net: 3,
  /** The pass reached its loop boundary; call {@link LoopedSource.rewind}. */
  End: 4,
} as const;

/** Where a trace loops: record indices from its marker list. */
export interface LoopBounds {
  /** First record of every pass after the first. */
  start: number;
  /** One past the last record of every pass. */
  end: number;
  /** Whether the bounds are iteration markers (false: the whole trace loops). */
  atMarkers: boolean;
}

/** Loop bounds of a trace from its summary's markers. */
export function loopBounds(reader: TraceReader): LoopBounds {
  const its = reader.summary.markers.filter((m) => m.op === MarkerOp.Iteration);
  if (its.length < 2) return { start: 0, end: reader.summary.records, atMarkers: false };
  return { start: its[0].record + 1, end: its[its.length - 1].record + 1, atMarkers: true };
}

/** The looping, stopping, page-watching record stream of one VM. */
export class LoopedSource implements RecordSource {
  readonly #reader: TraceReader;
  readonly #bounds: LoopBounds;
  readonly #cursor: RecordCursor;
  readonly #rec: TraceRecord;
  #index = 0;
  #pending = 0;
  /** Why the last `next()` returned false ({@link Stop}). */
  stop = 0;
  /** Completed passes over the trace. */
  passes = 0;
  /** Bytes of the last disk or network request. */
  requestBytes = 0;
  /** Operation of the last disk or network request (`BlockOp` / `NetOp`). */
  requestOp = 0;
  /** Pages of the VM (guest-physical pages at or above it are not watched). */
  readonly vmPages: number;
  readonly #touched: Uint8Array;
  /** 1 for every guest-physical page touched so far (the host pages backing the VM). */
  get touchedMap(): Uint8Array {
    return this.#touched;
  }
  /** Distinct guest-physical pages touched so far (the memory the VM has demanded). */
  touchedPages = 0;

  /** Working-set sampler fed with every touched page (null: none). */
  sampler: WorkingSetSampler | null = null;

  /**
   * Whether the replayed memory records feed {@link touchedPages} and the sampler (true),
   * or only {@link touchPage} does (false: the VM follows its trace's page-access summary).
   */
  watchRecords = true;

  /** A touch of guest-physical `page` from outside the record stream (a summary, a boot). */
  touchPage(page: number, sample = true): void {
    if (!(page >= 0 && page < this.vmPages)) return;
    if (this.#touched[page] === 0) {
      this.#touched[page] = 1;
      this.touchedPages++;
    }
    if (sample && this.sampler !== null) this.sampler.touch(page);
  }

  /** A stream over `reader`'s records for a VM of `vmPages` pages. */
  constructor(reader: TraceReader, vmPages: number) {
    this.#reader = reader;
    this.#bounds = loopBounds(reader);
    this.#cursor = reader.cursor();
    this.#rec = this.#cursor.record;
    this.vmPages = vmPages;
    this.#touched = new Uint8Array(vmPages);
  }

  /** The trace. */
  get reader(): TraceReader {
    return this.#reader;
  }

  /** Loop bounds in use. */
  get bounds(): LoopBounds {
    return this.#bounds;
  }

  /** The current record (the same object for the stream's life). */
  get record(): TraceRecord {
    return this.#rec;
  }

  /** Advances, or returns false with {@link stop} set. */
  next(): boolean {
    if (this.#pending !== 0) {
      this.stop = this.#pending;
      this.#pending = 0;
      return false;
    }
    if (this.#index >= this.#bounds.end || !this.#cursor.next()) {
      this.stop = Stop.End;
      return false;
    }
    this.#index++;
    const r = this.#rec;
    const k = r.kind;
    if (k >= 0x80 && this.watchRecords) {
      const page = Math.floor(r.f[Field.Paddr] / PAGE_SIZE);
      if (page < this.vmPages && this.#touched[page] === 0) {
        this.#touched[page] = 1;
        this.touchedPages++;
      }
      if (this.sampler !== null && page < this.vmPages) this.sampler.touch(page);
    } else if (k === RecordKind.Sensitive) {
      if (r.f[Field.Op] === SensitiveOp.Hlt) this.#pending = Stop.Halt;
    } else if (k === RecordKind.BlockRequest) {
      this.#pending = Stop.Block;
      this.requestBytes = r.f[Field.Length];
      this.requestOp = r.f[Field.Op];
    } else if (k === RecordKind.NetRequest) {
      this.#pending = Stop.Net;
      this.requestBytes = r.f[Field.Length];
      this.requestOp = r.f[Field.Op];
    }
    return true;
  }

  /** Iteration markers jumped over by {@link skipInstructions}. */
  skippedIterations = 0;

  /** Guest-instruction position of record index `rec` (exact at chunk starts, linear inside). */
  #instructionAt(rec: number): number {
    const chunks = this.#reader.chunks;
    let c = 0;
    while (c + 1 < chunks.length && chunks[c + 1].firstRecord <= rec) c++;
    const ch = chunks[c];
    if (ch === undefined) return 0;
    const into = ch.records > 0 ? Math.min(1, (rec - ch.firstRecord) / ch.records) : 0;
    return ch.firstInstruction + into * ch.instructions;
  }

  /** Guest instructions in one pass of the loop (approximate inside chunks). */
  get loopInstructions(): number {
    return this.#instructionAt(this.#bounds.end) - this.#instructionAt(this.#bounds.start);
  }

  /** Record index at guest-instruction position `ins` (linear inside a chunk). */
  #recordAt(ins: number): number {
    const chunks = this.#reader.chunks;
    let c = 0;
    while (c + 1 < chunks.length && chunks[c + 1].firstInstruction <= ins) c++;
    const ch = chunks[c];
    if (ch === undefined) return 0;
    const into = ch.instructions > 0
      ? Math.min(1, Math.max(0, (ins - ch.firstInstruction) / ch.instructions))
      : 0;
    return ch.firstRecord + Math.floor(into * ch.records);
  }

  /**
   * Sampled simulation: moves the stream about `n` guest instructions ahead, wrapping
   * around the loop, by seeking to the chunk holding the target and decoding up to it
   * (the records in between reach no model). Iteration markers jumped over are counted
   * in {@link skippedIterations}; a pending HLT or request stop is dropped (the skipped
   * time is treated as running).
   */
  skipInstructions(n: number): void {
    if (!(n > 0)) return;
    const b = this.#bounds;
    const loopFrom = this.#instructionAt(b.start);
    const loopTo = this.#instructionAt(b.end);
    const span = loopTo - loopFrom;
    let target = this.#instructionAt(this.#index) + n;
    let wraps = 0;
    if (span > 0 && target >= loopTo) {
      wraps = Math.floor((target - loopFrom) / span);
      target = loopFrom + ((target - loopFrom) % span);
    }
    const from = this.#index;
    const toRecord = Math.min(b.end - 1, Math.max(b.start, this.#recordAt(target)));
    if (wraps === 0 && toRecord <= from) return;
    const its = this.#reader.summary.markers.filter((m) => m.op === MarkerOp.Iteration);
    const between = (lo: number, hi: number) =>
      its.filter((m) => m.record >= lo && m.record < hi).length;
    if (wraps === 0) this.skippedIterations += between(from, toRecord);
    else {
      this.skippedIterations += between(from, b.end) + (wraps - 1) * between(b.start, b.end) +
        between(b.start, toRecord);
      this.passes += wraps;
    }
    this.#seek(toRecord);
  }

  /** Chunk holding record index `rec`. */
  #chunkOf(rec: number): number {
    const chunks = this.#reader.chunks;
    let c = 0;
    while (c + 1 < chunks.length && chunks[c + 1].firstRecord <= rec) c++;
    return c;
  }

  /**
   * Positions the stream at record index `rec`. Ahead within the chunk the cursor is in,
   * it decodes on from where it is (no new cursor, no second inflate of the chunk, no
   * records decoded twice); elsewhere it restarts the cursor at the target's chunk (its
   * decoder and buffers kept) and decodes up to it.
   * Either way the records that follow are the same.
   */
  #seek(rec: number): void {
    const chunks = this.#reader.chunks;
    const c = this.#chunkOf(rec);
    let skip: number;
    if (rec >= this.#index && this.#index > 0 && this.#chunkOf(this.#index - 1) === c) {
      skip = rec - this.#index;
    } else {
      this.#cursor.restart(c);
      skip = rec - (chunks.length > 0 ? chunks[c].firstRecord : 0);
    }
    if (skip > 0) this.#cursor.skip(skip);
    this.#index = rec;
    this.#pending = 0;
    this.stop = Stop.None;
  }

  /** Starts the next pass at the loop start (after {@link Stop.End}). */
  rewind(): void {
    this.#seek(this.#bounds.start);
    this.passes++;
  }
}
