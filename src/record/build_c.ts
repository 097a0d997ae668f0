/**
 * Compiles the recorder's C sources (the TCG plugin, static guest workloads) with the
 * host's gcc on first use, caching the result under a name keyed by the hash of the
 * sources and flags, so an edited source is rebuilt and an unchanged one never is.
 *
 * @module
 */

import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheDir, exists, sha256Hex } from "./cache.ts";
import { run } from "./host_tools.ts";
import { releaseTemp, tempPathFor } from "../util/atomic.ts";

/** A compiled artifact. */
export interface BuiltArtifact {
  /** Path of the output in the cache. */
  path: string;
  /** First 16 hex digits of the hash of sources and flags. */
  hash: string;
}

/**
 * Compiles `sources` with `flags` into the cache folder `kind`, named `name-<hash>`.
 * `includeDirs` are passed as `-I` and `hostFlags` as they are, both left out of the hash:
 * they are host paths, which differ between clones, while the headers they provide are
 * hashed via `extraHashInputs` (and the packages behind `hostFlags` are pinned).
 */
export async function buildC(
  kind: string,
  name: string,
  sources: string[],
  flags: string[],
  extraHashInputs: string[] = [],
  includeDirs: string[] = [],
  hostFlags: string[] = [],
): Promise<BuiltArtifact> {
  const texts: string[] = [];
  for (const s of [...sources, ...extraHashInputs]) {
    texts.push(basename(s), Deno.readTextFileSync(s));
  }
  const hash = (await sha256Hex(JSON.stringify([flags, texts]))).slice(0, 16);
  const dir = cacheDir(kind);
  const path = join(dir, `${name}-${hash}`);
  if (!exists(path)) {
    const tmp = tempPathFor(path);
    try {
      await run(
        "gcc",
        [...flags, ...hostFlags, ...includeDirs.flatMap((d) => ["-I", d]), "-o", tmp, ...sources],
        {
          what: `gcc building ${name}`,
        },
      );
      Deno.renameSync(tmp, path);
    } finally {
      releaseTemp(tmp);
    }
  }
  return { path, hash };
}

/** Path of the plugin's C source. */
export const PLUGIN_SOURCE = fileURLToPath(new URL("./plugin/vmmlab_plugin.c", import.meta.url));

/**
 * Paths of the headers the plugin includes from its own folder. gcc finds them next to the
 * source by itself; they are listed so that editing one (the page hash the memory models
 * rely on) changes the build hash and rebuilds the plugin, and so tests can compile them.
 */
export const PLUGIN_HEADERS: readonly string[] = [
  fileURLToPath(new URL("./plugin/page_hash.h", import.meta.url)),
];

/** Compiles the TCG plugin (once per version of its source and headers). */
export function buildPlugin(): Promise<BuiltArtifact> {
  return buildC("plugin", "vmmlab_plugin.so", [PLUGIN_SOURCE], [
    "-O2",
    "-Wall",
    "-shared",
    "-fPIC",
  ], [...PLUGIN_HEADERS]);
}
