/**
 * Golden results of the experiments' host runs: every host simulation an experiment lists
 * (`HostRunSpec`) has a file under tests/golden_host/EXPERIMENT/ holding its result without
 * the wall-clock figures, keys sorted. `deno task golden:update` rewrites them with the
 * replay goldens; tests/host_golden_test.ts compares.
 *
 * @module
 */

import { join } from "node:path";
import type { HostRunSpec, JsonValue } from "../experiments/_lib/experiment.ts";
import { canonicalJson } from "../src/cli/experiment/canonical.ts";
import { byCodePoint, loadExperiments, REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { simulateHost } from "../src/cli/experiment/default_engine.ts";
import type { HostResult } from "../src/host/result.ts";
import { loadPublished, PUBLISHED_RELATIVE_PATH } from "../experiments/_lib/published.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { listFilesUnder, readOrNull } from "./golden_files.ts";

/** Folder of host-run golden files. */
export const HOST_GOLDEN_DIR = "tests/golden_host";

/** One host run to pin: where its golden file lives and what to simulate. */
export interface HostGoldenEntry {
  /** Repository-relative golden file path. */
  file: string;
  /** `experiment/runId`. */
  run: string;
  /** The host description. */
  host: { readonly [key: string]: JsonValue };
}

/** Every experiment's host runs, sorted by file. */
export async function planHostGolden(root: string = REPO_ROOT): Promise<HostGoldenEntry[]> {
  const published = await loadPublished(join(root, PUBLISHED_RELATIVE_PATH));
  const experiments = await loadExperiments([], join(root, "experiments"));
  const entries: HostGoldenEntry[] = [];
  for (const experiment of experiments) {
    const runs = await experiment.runs({ root, published });
    for (const spec of runs) {
      if (!("host" in spec)) continue;
      const host = (spec as HostRunSpec).host;
      entries.push({
        file: `${HOST_GOLDEN_DIR}/${experiment.name}/${spec.id.replaceAll("/", "__")}.json`,
        run: `${experiment.name}/${spec.id}`,
        host,
      });
    }
  }
  return entries.sort((a, b) => byCodePoint(a.file, b.file));
}

/** A host result as its golden file holds it: no wall-clock figures, keys sorted. */
export function hostGoldenText(result: HostResult): string {
  const { wall: _wall, ...rest } = result;
  return `${JSON.stringify(JSON.parse(canonicalJson(rest)), null, 2)}\n`;
}

/** Simulates one entry as the experiment runner does. */
export function computeHostGolden(entry: HostGoldenEntry, root: string = REPO_ROOT): string {
  return hostGoldenText(simulateHost(entry.host, root));
}

/** Existing host golden files, repository-relative, sorted. */
export function listHostGoldenFiles(root: string = REPO_ROOT): Promise<string[]> {
  return listFilesUnder(root, HOST_GOLDEN_DIR);
}

/** Rewrites the host goldens and removes stale ones; prints what changed. */
export async function updateHostGolden(root: string = REPO_ROOT): Promise<void> {
  const entries = await planHostGolden(root);
  const want = new Set(entries.map((e) => e.file));
  let changed = 0;
  for (const entry of entries) {
    const text = computeHostGolden(entry, root);
    const path = join(root, entry.file);
    const before = await readOrNull(path);
    if (before === text) continue;
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await writeFileAtomic(path, text);
    changed++;
    console.log(`${before === null ? "added  " : "changed"}  ${entry.file}`);
  }
  for (const file of await listHostGoldenFiles(root)) {
    if (!want.has(file)) {
      await Deno.remove(join(root, file));
      console.log(`removed  ${file} (no experiment lists this host run)`);
    }
  }
  console.log(`${entries.length} host golden files: ${changed} added or changed.`);
}
