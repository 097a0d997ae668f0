/**
 * Atomic file output: write to a temporary file beside the target, then rename, so an
 * interrupted run never leaves a half-written result, trace or figure behind.
 *
 * @module
 */

import { dirname } from "node:path";

let counter = 0;

/** A temporary path beside `path`, unique within this process. */
export function tempPathFor(path: string): string {
  counter++;
  return `${path}.${Deno.pid}.${counter}.tmp`;
}

/** Writes bytes or text to `path` atomically, creating the parent folder. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Synchronous twin of {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
}
