/**
 * Atomic file output: write to a temporary file beside the target, then rename, so an
 * interrupted run never leaves a half-written result, trace or figure behind. The
 * temporary file is registered for removal on SIGINT/SIGTERM, and its name carries the
 * process id so that the next run removes it after a SIGKILL (src/util/interrupt.ts).
 *
 * @module
 */

import { dirname } from "node:path";
import { EnvironmentError, environmentError } from "./errors.ts";
import { removeOnInterrupt, sweepStaleOnce } from "./interrupt.ts";

let counter = 0;
const releases = new Map<string, () => void>();

/**
 * A temporary path beside `path`, unique within this process, registered for removal on
 * interrupt until {@link releaseTemp}. Removes stale temporary files of dead processes in
 * the same folder first.
 */
export function tempPathFor(path: string): string {
  counter++;
  sweepStaleOnce(dirname(path));
  const tmp = `${path}.vmmlab-${Deno.pid}-${counter}.tmp`;
  releases.set(tmp, removeOnInterrupt(tmp));
  return tmp;
}

/** Ends the interrupt registration of a temporary path (renamed into place, or removed). */
export function releaseTemp(tmp: string): void {
  releases.get(tmp)?.();
  releases.delete(tmp);
}

/**
 * Refuses to replace something that is not a regular file: renaming over `/dev/null` or
 * a FIFO would replace the device itself (as root) or surprise its reader.
 */
export function refuseSpecialFile(path: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return; // absent (or unreadable: the write itself will say so)
  }
  if (info.isFile || info.isDirectory) return;
  throw new EnvironmentError(
    path,
    `${info.isCharDevice || info.isBlockDevice ? "a device" : "a pipe or socket"}, ` +
      `not a regular file`,
  );
}

function removeQuietly(tmp: string): void {
  try {
    Deno.removeSync(tmp);
  } catch { /* already gone */ }
  releaseTemp(tmp);
}

/** Writes bytes or text to `path` atomically, creating the parent folder. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  refuseSpecialFile(path);
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
  } catch (e) {
    throw environmentError(e, dirname(path)) ?? e;
  }
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
    releaseTemp(tmp);
  } catch (e) {
    removeQuietly(tmp);
    throw environmentError(e, path) ?? e;
  }
}

/** Synchronous twin of {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  refuseSpecialFile(path);
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw environmentError(e, dirname(path)) ?? e;
  }
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
    releaseTemp(tmp);
  } catch (e) {
    removeQuietly(tmp);
    throw environmentError(e, path) ?? e;
  }
}
