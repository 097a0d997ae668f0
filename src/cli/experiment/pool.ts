/**
 * Runs replay jobs over a pool of Web Workers, handing each free worker the next job.
 * Which worker computes which job varies from run to run; results are keyed by job, so
 * nothing downstream can tell — outputs are the same for any worker count.
 *
 * @module
 */

import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import { InputError } from "../../util/errors.ts";
import { isHostJob, type Job } from "./jobs.ts";
import type { FailedMessage, FromWorker, ToWorker } from "./protocol.ts";

/** Options of {@link runJobs}. */
export interface PoolOptions {
  /** Number of workers (at least 1; never more than there are jobs). */
  workers: number;
  /** URL of the engine module. */
  engine: string;
  /** Absolute repository root. */
  root: string;
  /** Called as each job completes, in completion order. */
  onResult(job: Job, result: Result | HostResult): void | Promise<void>;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url).href;

function toError(job: Job | undefined, message: FailedMessage): Error {
  const where = job
    ? `${job.uses[0]}${job.uses.length > 1 ? ` (+${job.uses.length - 1})` : ""}: `
    : "";
  if (message.exitCode !== undefined) {
    const error = new InputError(`${where}${message.message}`);
    Object.defineProperty(error, "exitCode", { value: message.exitCode });
    return error;
  }
  const error = new Error(`${where}${message.name}: ${message.message}`);
  if (message.stack) error.stack = `${error.message}\n--- in worker ---\n${message.stack}`;
  return error;
}

/** Replays every job on `workers` workers; rejects on the first failure and stops the rest. */
export function runJobs(jobs: readonly Job[], options: PoolOptions): Promise<void> {
  if (jobs.length === 0) return Promise.resolve();
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  const workers: Worker[] = [];
  let next = 0;
  let finished = 0;
  let settled = false;
  return new Promise<void>((resolve, reject) => {
    const stop = () => {
      settled = true;
      for (const w of workers) w.terminate();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      stop();
      reject(error);
    };
    const feed = (worker: Worker) => {
      if (next >= jobs.length) return;
      const index = next++;
      const job = jobs[index];
      const message: ToWorker = isHostJob(job)
        ? { type: "host", index, host: job.host }
        : { type: "job", index, trace: job.trace, config: job.config };
      worker.postMessage(message);
    };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_URL, { type: "module" });
      workers.push(worker);
      worker.onerror = (event) => {
        event.preventDefault();
        fail(new Error(`Replay worker crashed: ${event.message}`));
      };
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (settled) return;
        const message = event.data;
        if (message.type === "ready") {
          feed(worker);
        } else if (message.type === "failed") {
          fail(toError(jobs[message.index], message));
        } else {
          const job = jobs[message.index];
          Promise.resolve(options.onResult(job, message.result)).then(() => {
            if (settled) return;
            finished++;
            if (finished === jobs.length) {
              stop();
              resolve();
            } else {
              feed(worker);
            }
          }, fail);
        }
      };
      const init: ToWorker = { type: "init", engine: options.engine, root: options.root };
      worker.postMessage(init);
    }
  });
}
