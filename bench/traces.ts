/**
 * The traces benchmarks run on: every committed corpus trace plus the test fixture, in
 * name order, so benchmark output is stable.
 *
 * @module
 */

import { join } from "node:path";

const ROOT = new URL("..", import.meta.url).pathname;

/** A named trace file for a benchmark. */
export interface BenchTrace {
  /** Short name (file name without extension). */
  name: string;
  /** Absolute path. */
  path: string;
}

/** Committed traces: traces/*.vmt and tests/fixtures/*.vmt, sorted by name. */
export function benchTraces(): BenchTrace[] {
  const out: BenchTrace[] = [];
  for (const dir of ["traces", "tests/fixtures"]) {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(join(ROOT, dir))];
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.isFile && e.name.endsWith(".vmt")) {
        out.push({ name: e.name.replace(/\.vmt$/, ""), path: join(ROOT, dir, e.name) });
      }
    }
  }
  const extra = Deno.env.get("VMMLAB_BENCH_TRACE");
  if (extra) out.push({ name: extra.split("/").pop()!.replace(/\.vmt$/, ""), path: extra });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
