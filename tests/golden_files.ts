/**
 * File helpers shared by the golden updaters. They live apart from `golden_update.ts` because
 * that module awaits at top level when run and imports `host_golden.ts`, which needs these: a
 * static import back into the running module would be an import cycle through a pending top-level
 * await, which never resolves.
 *
 * @module
 */

import { join, relative } from "node:path";
import { byCodePoint } from "../src/cli/experiment/discover.ts";

/** Every file under `root`/`dir` (none when it is absent), repository-relative with `/`, sorted. */
export async function listFilesUnder(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(path: string): Promise<void> {
    for await (const entry of Deno.readDir(path)) {
      const full = join(path, entry.name);
      if (entry.isDirectory) await walk(full);
      else files.push(relative(root, full).split("\\").join("/"));
    }
  }
  try {
    await walk(join(root, dir));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return files.sort(byCodePoint);
}

/** A file's text, or null when there is none. */
export async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}
