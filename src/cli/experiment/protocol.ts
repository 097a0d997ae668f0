/**
 * Messages between the runner and its replay workers. Kept in one place so both sides
 * agree on the shape; everything sent is structured-clonable plain data.
 *
 * @module
 */

import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import type { JsonValue, RunConfig, TraceSource } from "../../../experiments/_lib/experiment.ts";

/** Runner → worker: which engine to load and where the repository is. */
export interface InitMessage {
  /** Message tag. */
  type: "init";
  /** URL of the engine module. */
  engine: string;
  /** Absolute repository root; trace paths are relative to it. */
  root: string;
}

/** Runner → worker: replay one job. */
export interface JobMessage {
  /** Message tag. */
  type: "job";
  /** Position of the job in the runner's list. */
  index: number;
  /** The trace to replay. */
  trace: TraceSource;
  /** The configuration. */
  config: RunConfig;
}

/**
 * Runner → worker: replay several jobs of one trace and window together (a unit of
 * units.ts); the worker answers with one message per job.
 */
export interface GroupMessage {
  /** Message tag. */
  type: "group";
  /** Positions of the jobs in the runner's list. */
  indices: number[];
  /** The trace they replay. */
  trace: TraceSource;
  /** Their configurations, in the order of `indices`. */
  configs: RunConfig[];
}

/** Runner → worker: simulate one host. */
export interface HostJobMessage {
  /** Message tag. */
  type: "host";
  /** Position of the job in the runner's list. */
  index: number;
  /** The host description, VM traces relative to the repository root. */
  host: { readonly [key: string]: JsonValue };
}

/** Worker → runner: the engine loaded (or not). */
export interface ReadyMessage {
  /** Message tag. */
  type: "ready";
}

/** Worker → runner: a job's result. */
export interface DoneMessage {
  /** Message tag. */
  type: "done";
  /** Position of the job. */
  index: number;
  /** The replay's (or host simulation's) result, trace paths as declared. */
  result: Result | HostResult;
}

/** Worker → runner: a job (or the engine load) failed. */
export interface FailedMessage {
  /** Message tag. */
  type: "failed";
  /** Position of the job, or -1 when the engine failed to load. */
  index: number;
  /** The error's message. */
  message: string;
  /** Error class name (`InputError`, `ConfigError`, `TraceFormatError`, ...). */
  name: string;
  /** Exit status carried by a user-mistake error; absent for a bug. */
  exitCode?: number;
  /** Stack of a bug, for the report. */
  stack?: string;
}

/** Any message a worker receives. */
export type ToWorker = InitMessage | JobMessage | GroupMessage | HostJobMessage;

/** Any message a worker sends. */
export type FromWorker = ReadyMessage | DoneMessage | FailedMessage;
