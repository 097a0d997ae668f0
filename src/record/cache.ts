/**
 * The recorder's cache folder: downloaded Debian packages, the unpacked guest kernel, the
 * compiled plugin and workloads, and the kernel symbol table. Everything in it can be
 * rebuilt, so it lives under the project root in `.cache/vmmlab/` (git-ignored), or where
 * `VMMLAB_CACHE` points.
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { removeOnInterrupt, sweepStale } from "../util/interrupt.ts";

/** The project root (two levels above this file). */
export function projectRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
}

/** The cache folder, created on demand. */
export function cacheDir(...parts: string[]): string {
  const base = Deno.env.get("VMMLAB_CACHE") ?? join(projectRoot(), ".cache", "vmmlab");
  const dir = join(base, ...parts);
  Deno.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A new work folder under `runs/` (QEMU logs, FIFOs, the raw stream: tens of MB), named
 * with this process's id and removed if the run is interrupted. The work folders of
 * recorders that no longer exist (killed with SIGKILL, or failed and kept for inspection)
 * are removed first.
 */
export function makeRunDir(prefix: string): string {
  const runs = cacheDir("runs");
  sweepStale(runs);
  const dir = Deno.makeTempDirSync({ dir: runs, prefix, suffix: `.vmmlab-${Deno.pid}` });
  removeOnInterrupt(dir);
  return dir;
}

/**
 * Keeps a work folder of {@link makeRunDir} for the user (`--keep`): renamed without the
 * process id, so no later run removes it. Returns its new path.
 */
export function keepRunDir(dir: string): string {
  const kept = dir.replace(/\.vmmlab-\d+$/, "");
  if (kept === dir) return dir;
  Deno.renameSync(dir, kept);
  return kept;
}

/** Hex SHA-256 of some bytes or text. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether a path exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
