/**
 * Results as tidy ("long") CSV: one observation per row, columns
 * `trace,workload,config,kind,name,unit,value`, which `pandas.read_csv` and R's
 * `read.csv` load as-is and pivot by `kind` and `name`. Shared by `replay --csv`,
 * `compare --csv` so both files can be concatenated.
 *
 * Kinds: `cycles` (the window's native and virtualized totals), `per-iteration` (native,
 * virtualized, and steady-state virtualized without the one-time translation),
 * `one-time` (the translator's one-time cycles), `slowdown` (window and steady), `breakdown`
 * (each category's cycles in the window), `breakdown-per-iteration` (each category's
 * steady-state cycles per iteration: what `compare` tabulates), `native-breakdown`, and
 * `event` (counts).
 *
 * @module
 */

import type { Result } from "../engine/result.ts";
import {
  nativePerIteration,
  oneTimeCycles,
  steadyBreakdownPerIteration,
  steadySlowdown,
  steadyVirtualizedPerIteration,
} from "../engine/steady_state.ts";
import { type Cell, toCsv } from "./experiment/csv.ts";

/** The header of every tidy CSV vmmlab writes. */
export const TIDY_HEADER: readonly string[] = [
  "trace",
  "workload",
  "config",
  "kind",
  "name",
  "unit",
  "value",
];

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}

function byName(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The tidy rows of one result, its configuration named `config`. */
export function tidyRows(result: Result, config: string): Cell[][] {
  const head = [result.trace.path, result.trace.workload, config];
  const rows: Cell[][] = [];
  const add = (kind: string, name: string, unit: string, value: number) =>
    rows.push([...head, kind, name, unit, value]);
  add("cycles", "native", "cycles", result.cycles.native);
  add("cycles", "virtualized", "cycles", result.cycles.virtualized);
  add("per-iteration", "native", "cycles", round(nativePerIteration(result), 100));
  add("per-iteration", "virtualized", "cycles", result.cycles.perIteration.virtualized);
  add(
    "per-iteration",
    "steady-virtualized",
    "cycles",
    round(steadyVirtualizedPerIteration(result), 100),
  );
  add("one-time", "bt.translate", "cycles", round(oneTimeCycles(result), 100));
  add("slowdown", "window", "x", result.slowdown);
  add("slowdown", "steady", "x", round(steadySlowdown(result), 1e6));
  for (const [k, v] of Object.entries(result.breakdown).sort(byName)) {
    add("breakdown", k, "cycles", v);
  }
  for (const [k, v] of Object.entries(steadyBreakdownPerIteration(result)).sort(byName)) {
    add("breakdown-per-iteration", k, "cycles", v);
  }
  const native = (result.nativeBreakdown ?? {}) as Record<string, number>;
  for (const [k, v] of Object.entries(native).sort(byName)) {
    add("native-breakdown", k, "cycles", v);
  }
  for (const [k, v] of Object.entries(result.events).sort(byName)) add("event", k, "count", v);
  return rows;
}

/** A tidy CSV document of `results`, each with its configuration's name. */
export function tidyCsv(results: readonly { result: Result; config: string }[]): string {
  return toCsv(TIDY_HEADER, results.flatMap((r) => tidyRows(r.result, r.config)));
}
