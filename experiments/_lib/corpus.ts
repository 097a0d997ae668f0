/**
 * The committed trace corpus as experiments see it: which traces exist, in a fixed order,
 * so that an experiment over "every workload in the corpus" lists its runs
 * deterministically and picks up a newly recorded trace without being edited.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../../src/util/errors.ts";

/** One committed trace. */
export interface CorpusTrace {
  /** Path relative to the repository root, e.g. `traces/forkwait.vmt`. */
  path: string;
  /** Workload name (the manifest's, or the file name without `.vmt`). */
  workload: string;
  /** Iteration markers in the trace, when the manifest states them. */
  iterations?: number;
  /** Guest instructions in the trace, when the manifest states them. */
  instructions?: number;
}

interface ManifestEntry {
  file?: unknown;
  workload?: unknown;
  iterations?: unknown;
  instructions?: unknown;
}

/**
 * The traces under `ROOT/traces/`, sorted by path: from `traces/MANIFEST.json` when it
 * exists (entries `{file, workload, iterations}`), otherwise every `*.vmt` file there.
 */
export async function corpusTraces(root: string): Promise<CorpusTrace[]> {
  const dir = join(root, "traces");
  const manifestPath = join(dir, "MANIFEST.json");
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(manifestPath);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const out: CorpusTrace[] = [];
  if (text !== undefined) {
    let entries: ManifestEntry[];
    try {
      entries = (JSON.parse(text) as { traces?: ManifestEntry[] }).traces ?? [];
    } catch (e) {
      throw new InputError(`${manifestPath}: not valid JSON (${(e as Error).message})`);
    }
    for (const entry of entries) {
      if (typeof entry.file !== "string" || typeof entry.workload !== "string") {
        throw new InputError(`${manifestPath}: every trace needs a file and a workload`);
      }
      out.push({
        path: `traces/${entry.file}`,
        workload: entry.workload,
        ...(typeof entry.iterations === "number" ? { iterations: entry.iterations } : {}),
        ...(typeof entry.instructions === "number" ? { instructions: entry.instructions } : {}),
      });
    }
  } else {
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".vmt")) {
          out.push({ path: `traces/${entry.name}`, workload: entry.name.slice(0, -4) });
        }
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The corpus traces that execute guest code, for experiments that replay "every workload"
 * under CPU and MMU models: a page-content snapshot set (no instructions, only page
 * hashes, e.g. a multi-VM sharing study) has no run time to slow down.
 */
export async function executionTraces(root: string): Promise<CorpusTrace[]> {
  return (await corpusTraces(root)).filter((t) =>
    t.instructions !== 0 && !/snapshot/.test(t.workload)
  );
}
