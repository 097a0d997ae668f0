/**
 * Parsing of numeric command-line options, so a bad value is a one-line usage error
 * (exit status 1) rather than a NaN that surfaces later, and checks of output paths, so a
 * bad one is a one-line input error (exit status 2) before any work starts.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { InvalidArgumentError } from "npm:@commander-js/extra-typings@15.1.0";
import { InputError, UsageError } from "../util/errors.ts";
import { refuseSpecialFile } from "../util/atomic.ts";

/** Parses an integer option within `[min, max]`. */
export function parseIntOption(name: string, raw: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new UsageError(`${name} must be an integer, not ${JSON.stringify(raw)}`);
  }
  const v = Number(raw);
  if (v < min || v > max) {
    throw new UsageError(`${name} must be between ${min} and ${max}, not ${v}`);
  }
  return v;
}

/** The nearest existing ancestor of `path` (itself included) and whether it is a folder. */
function nearestExisting(path: string): { path: string; isDirectory: boolean } {
  let p = resolve(path);
  for (;;) {
    try {
      return { path: p, isDirectory: Deno.statSync(p).isDirectory };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
    }
    const up = dirname(p);
    if (up === p) return { path: p, isDirectory: true };
    p = up;
  }
}

/**
 * Checks an output file before any work starts, so that a folder given as the file, or a
 * file standing where a parent folder must go, is one line naming the option (exit
 * status 2) instead of a failed rename after minutes of replay or recording; a device or
 * FIFO is refused too (the rename would replace `/dev/null` itself). Creates nothing.
 */
export function checkOutputFile(flag: string, path: string): void {
  const at = nearestExisting(path);
  if (at.path === resolve(path)) {
    if (at.isDirectory) throw new InputError(`${flag}: ${path} is a folder, not a file`);
    try {
      // A device or FIFO would be replaced by the rename that completes the write.
      refuseSpecialFile(path);
    } catch (e) {
      throw new InputError(`${flag}: ${(e as Error).message}`);
    }
    return;
  }
  if (!at.isDirectory) {
    throw new InputError(`${flag}: ${path}: ${at.path} is a file, not a folder`);
  }
}

/**
 * Checks an output folder before any work starts: it may be missing (it is created) but
 * neither it nor an ancestor may be a file. One line naming the option, exit status 2.
 */
export function checkOutputFolder(flag: string, path: string): void {
  const at = nearestExisting(path);
  if (!at.isDirectory) {
    throw new InputError(
      at.path === resolve(path)
        ? `${flag}: ${path} is a file, not a folder`
        : `${flag}: ${path}: ${at.path} is a file, not a folder`,
    );
  }
}

/**
 * Checks an output file whose writer runs only after minutes of work (a recording): as
 * {@link checkOutputFile}, then creates a missing parent folder and proves the folder
 * writable by creating and deleting a probe file, so an unwritable path is one line
 * (exit status 2) before anything is booted.
 */
export function prepareOutputFile(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  try {
    checkOutputFile(flag, path);
    Deno.mkdirSync(dir, { recursive: true });
    const probe = `${dir}/.vmmlab-write-probe-${Deno.pid}`;
    Deno.writeFileSync(probe, new Uint8Array(0), { createNew: true });
    Deno.removeSync(probe);
  } catch (e) {
    if (e instanceof InputError) throw e;
    // Includes Deno's own refusal of a path outside the granted permissions (NotCapable).
    throw new InputError(`${flag}: ${path}: cannot write in ${dir} (${(e as Error).message})`);
  }
}

/**
 * Most replay workers a run may start. Each worker is an isolate holding its own trace
 * reader and models (tens of MB), so an unbounded count from a flag or from the host's
 * core count could exhaust memory before any replay; 256 is more than any machine the
 * project's traces need, and a larger host simply runs 256 at a time.
 */
export const MAX_WORKERS = 256;

/**
 * Commander's parser for `--workers` (and `--slurm-cpus`, which becomes the workers of
 * each Slurm task): a whole number from 1 to {@link MAX_WORKERS}. Out of range is a bad
 * configuration, one line and exit status 2, before any worker starts.
 */
export function workerCount(text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < 1 || value > MAX_WORKERS) {
    throw new InputError(
      `--workers: must be an integer from 1 to ${MAX_WORKERS}, not ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** Workers when `--workers` is not given: one per core, at most {@link MAX_WORKERS}. */
export function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency ?? 1));
}

/**
 * Commander's parser for a count option (`--shards`): a whole number of at least 1, or
 * commander's own one-line usage error.
 */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError("Expected a whole number of at least 1.");
  }
  return value;
}
