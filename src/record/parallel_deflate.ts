/**
 * Chunk compression on a second thread. Deflating a chunk is most of the trace writer's
 * time; handing it to a worker lets the recorder go on converting the plugin stream and
 * encoding the next chunk meanwhile. The worker runs the very `deflateSync` the writer
 * would run at the same level, so the trace is byte-identical either way.
 *
 * Each job lives in shared memory with a state word, so the writer can wait for a result
 * without returning to the event loop (the conversion is one synchronous loop), and can
 * compress a job itself if the worker has not picked it up yet (a worker still starting,
 * or a host too busy to run it): the caller never waits on a job nobody is working on.
 *
 * @module
 */

import { deflateSync } from "npm:fflate@0.8.3";
import { crc32 } from "../trace/crc32.ts";
import type { ChunkCompressor, CompressedChunk } from "../trace/writer.ts";

/** Job states in a job's control word. */
export const JobState = { Queued: 0, Running: 1, Done: 2, Stolen: 3 } as const;

/** What the writer thread sends the worker for one chunk. */
export interface DeflateJob {
  /** Control words: state, compressed length (-1: did not fit `output`), CRC-32 of the input. */
  control: SharedArrayBuffer;
  /** The uncompressed payload. */
  input: SharedArrayBuffer;
  /** Room for the compressed bytes. */
  output: SharedArrayBuffer;
  /** Deflate level. */
  level: number;
}

interface Job {
  control: Int32Array;
  input: Uint8Array;
  output: Uint8Array;
  level: number;
  /** Compressed on this thread while waiting for an older job. */
  result: CompressedChunk | null;
}

/** One-second waits for a running job before the caller compresses it itself. */
const WAIT_SLICES = 30;

/** Room for a compressed payload: deflate never needs much more than stored blocks. */
function outputRoom(raw: number): number {
  return raw + (raw >> 4) + 1024;
}

/** Deflates in submission order on one worker thread; see the module comment. */
export class ParallelDeflate implements ChunkCompressor {
  readonly #worker: Worker;
  readonly #queue: Job[] = [];
  #closed = false;

  /** Starts the worker (it loads in the background; jobs queue meanwhile). */
  constructor() {
    this.#worker = new Worker(new URL("./parallel_deflate_worker.ts", import.meta.url).href, {
      type: "module",
    });
  }

  /** Jobs submitted and not yet taken. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Copies `raw` into shared memory and queues it for the worker. */
  submit(raw: Uint8Array, level: number): void {
    if (this.#closed) throw new Error("parallel deflate is closed");
    const control = new SharedArrayBuffer(12);
    const input = new SharedArrayBuffer(raw.length);
    const output = new SharedArrayBuffer(outputRoom(raw.length));
    const job: Job = {
      control: new Int32Array(control),
      input: new Uint8Array(input),
      output: new Uint8Array(output),
      level,
      result: null,
    };
    job.input.set(raw);
    this.#queue.push(job);
    const message: DeflateJob = { control, input, output, level };
    this.#worker.postMessage(message);
  }

  /** Whether the oldest job's result is ready. */
  ready(): boolean {
    const job = this.#queue[0];
    return job !== undefined &&
      (job.result !== null || Atomics.load(job.control, 0) === JobState.Done);
  }

  /** The oldest job's compressed bytes: the worker's, or this thread's if it got there first. */
  take(): CompressedChunk {
    const job = this.#queue.shift();
    if (job === undefined) throw new Error("no chunk is being compressed");
    if (job.result !== null) return job.result;
    const c = job.control;
    if (Atomics.compareExchange(c, 0, JobState.Queued, JobState.Stolen) === JobState.Queued) {
      return compressHere(job);
    }
    // The worker is on it: rather than idle, compress younger jobs it has not started.
    for (const later of this.#queue) {
      if (Atomics.load(c, 0) === JobState.Done) break;
      if (
        later.result === null &&
        Atomics.compareExchange(later.control, 0, JobState.Queued, JobState.Stolen) ===
          JobState.Queued
      ) {
        later.result = compressHere(later);
      }
    }
    // A worker that died mid-job would never finish it: after WAIT_SLICES seconds of
    // silence compress here (same bytes; a late worker result is simply not read).
    let silent = 0;
    while (Atomics.load(c, 0) !== JobState.Done) {
      if (Atomics.wait(c, 0, JobState.Running, 1000) === "timed-out" && ++silent >= WAIT_SLICES) {
        return compressHere(job);
      }
    }
    const length = c[1];
    // The worker found no room (cannot happen for deflate's worst case, kept for safety).
    if (length < 0) return compressHere(job);
    return { stored: job.output.slice(0, length), crc: c[2] >>> 0 };
  }

  /** Stops the worker; queued jobs are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#worker.terminate();
  }
}

function compressHere(job: Job): CompressedChunk {
  return { stored: deflateLevel(job.input, job.level), crc: crc32(job.input) };
}

/** `deflateSync` at a numeric level (the same call the writer and the worker make). */
export function deflateLevel(raw: Uint8Array, level: number): Uint8Array {
  return deflateSync(raw, { level: level as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 });
}
