/**
 * The worker side of {@link ParallelDeflate}: claims each job unless the writer thread
 * already took it, deflates it, and publishes the result through the job's control word.
 *
 * @module
 */

import { crc32 } from "../trace/crc32.ts";
import { type DeflateJob, deflateLevel, JobState } from "./parallel_deflate.ts";

const worker = globalThis as unknown as {
  onmessage: (e: MessageEvent<DeflateJob>) => void;
};

worker.onmessage = (e) => {
  const job = e.data;
  const control = new Int32Array(job.control);
  if (Atomics.compareExchange(control, 0, JobState.Queued, JobState.Running) !== 0) return;
  const input = new Uint8Array(job.input);
  const stored = deflateLevel(input, job.level);
  control[2] = crc32(input);
  const output = new Uint8Array(job.output);
  if (stored.length <= output.length) {
    output.set(stored);
    control[1] = stored.length;
  } else {
    control[1] = -1;
  }
  Atomics.store(control, 0, JobState.Done);
  Atomics.notify(control, 0);
};
