/**
 * Runs replay jobs over a pool of Web Workers, handing each free worker the next unit of
 * jobs (one job, or jobs of one trace replayed together: units.ts). Which worker computes
 * which job varies from run to run; results are keyed by job, so nothing downstream can
 * tell — outputs are the same for any worker count and any split into units.
 *
 * @module
 */

import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import { InputError } from "../../util/errors.ts";
import { isHostJob, type Job, type ReplayJob } from "./jobs.ts";
import type { FailedMessage, FromWorker, ToWorker } from "./protocol.ts";

/** Options of {@link runJobs}. */
export interface PoolOptions {
  /** Number of workers (at least 1; never more than there are units). */
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

/** Replays every job on `workers` workers, each alone, in the given order (see {@link runUnits}). */
export function runJobs(jobs: readonly Job[], options: PoolOptions): Promise<void> {
  return runUnits(jobs.map((job) => [job]), options);
}

/**
 * Replays every unit's jobs on `workers` workers, units in the given order, a worker's next
 * unit once every job of its last one is stored; rejects on the first failure and stops
 * the rest. A unit of several jobs must hold replay jobs of one trace (units.ts).
 */
export function runUnits(units: readonly (readonly Job[])[], options: PoolOptions): Promise<void> {
  const jobs = units.flat();
  if (jobs.length === 0) return Promise.resolve();
  const count = Math.max(1, Math.min(options.workers, units.length));
  const workers: Worker[] = [];
  /** Jobs of each worker's current unit whose results are not stored yet. */
  const pending = new Map<Worker, number>();
  let nextUnit = 0;
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
      if (nextUnit >= units.length) return;
      const unit = units[nextUnit++];
      const first = next;
      next += unit.length;
      pending.set(worker, unit.length);
      const job = unit[0];
      let message: ToWorker;
      if (isHostJob(job)) {
        message = { type: "host", index: first, host: job.host };
      } else if (unit.length === 1) {
        message = { type: "job", index: first, trace: job.trace, config: job.config };
      } else {
        message = {
          type: "group",
          indices: unit.map((_, k) => first + k),
          trace: job.trace,
          configs: unit.map((j) => (j as ReplayJob).config),
        };
      }
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
            const left = pending.get(worker)! - 1;
            pending.set(worker, left);
            if (finished === jobs.length) {
              stop();
              resolve();
            } else if (left === 0) {
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
