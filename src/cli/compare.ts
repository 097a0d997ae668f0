/**
 * The comparison `vmmlab compare` prints: for each trace, one row per cause (breakdown
 * category) with its steady-state cycles per iteration under each configuration, then
 * the totals, the one-time translation (apart: a long run pays it once), the native
 * baseline and the overhead over native. Built from result objects only.
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
import type { Result, ResultConfig } from "../engine/result.ts";
import {
  nativePerIteration,
  oneTimeCycles,
  steadyBreakdownPerIteration,
  steadySlowdown,
  steadyVirtualizedPerIteration,
} from "../engine/steady_state.ts";

/** Schema tag of `compare --json`. */
export const COMPARE_SCHEMA = "vmmlab.compare/1";

/** One configuration's figures on one trace. */
export interface CompareCell {
  /** Configuration label. */
  config: string;
  /** Native cycles per iteration (the baseline on this configuration's platform). */
  nativePerIteration: number;
  /** Steady-state virtualized cycles per iteration (one-time translation left out). */
  steadyPerIteration: number;
  /** The window's virtualized cycles per iteration, one-time translation included. */
  windowPerIteration: number;
  /** One-time translation cycles of the window. */
  oneTimeCycles: number;
  /** Steady overhead over native: `steady / native - 1`. */
  overhead: number;
  /** Steady slowdown (`steady / native`). */
  slowdown: number;
  /** Steady cycles per iteration by cause. */
  causes: Record<string, number>;
  /** The result's warnings. */
  warnings: string[];
}

/** One trace's block of the comparison. */
export interface CompareTrace {
  /** Trace path as given. */
  path: string;
  /** Workload name. */
  workload: string;
  /** Content hash. */
  hash: string;
  /** Iterations of the replayed window. */
  iterations: number;
  /** Causes, largest first (by the largest value across configurations), then by name. */
  causes: string[];
  /** One cell per configuration, in the order given. */
  cells: CompareCell[];
}

/** What `compare --json` prints. */
export interface CompareReport {
  /** Always {@link COMPARE_SCHEMA}. */
  schema: typeof COMPARE_SCHEMA;
  /** The configurations, in the order given, with their full echoed configuration. */
  configs: { label: string; config: ResultConfig }[];
  /** One block per trace, in the order given. */
  traces: CompareTrace[];
}

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}

/** Builds the comparison; `results[t][c]` is trace `t` under configuration `c`. */
export function buildComparison(
  labels: readonly string[],
  results: readonly (readonly Result[])[],
): CompareReport {
  const traces = results.map((row): CompareTrace => {
    const first = row[0];
    const cells = row.map((r, i): CompareCell => {
      const native = nativePerIteration(r);
      const steady = steadyVirtualizedPerIteration(r);
      return {
        config: labels[i],
        nativePerIteration: round(native, 100),
        steadyPerIteration: round(steady, 100),
        windowPerIteration: r.cycles.perIteration.virtualized,
        oneTimeCycles: round(oneTimeCycles(r), 100),
        overhead: native > 0 ? round(steady / native - 1, 1e6) : 0,
        slowdown: round(steadySlowdown(r), 1e6),
        causes: steadyBreakdownPerIteration(r),
        warnings: Array.isArray(r.warnings) ? r.warnings.map(String) : [],
      };
    });
    const peak = new Map<string, number>();
    for (const c of cells) {
      for (const [k, v] of Object.entries(c.causes)) peak.set(k, Math.max(peak.get(k) ?? 0, v));
    }
    const causes = [...peak.entries()].filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
    return {
      path: first.trace.path,
      workload: first.trace.workload,
      hash: first.trace.hash,
      iterations: first.trace.iterations,
      causes,
      cells,
    };
  });
  return {
    schema: COMPARE_SCHEMA,
    configs: labels.map((label, i) => ({ label, config: results[0][i].config })),
    traces,
  };
}

/** Cycles as a table shows them: whole numbers with thousands separators, "-" for none. */
function cycles(x: number | undefined): string {
  if (x === undefined || x === 0) return "-";
  return Math.round(x).toLocaleString("en-US");
}

function percent(x: number): string {
  return `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
}

/** The comparison as a terminal table (cycles per iteration, steady state). */
export function formatComparison(report: CompareReport): string {
  const labels = report.configs.map((c) => c.label);
  const many = report.traces.length > 1;
  const table = new Table({
    head: [...(many ? ["Trace"] : []), "Cause (cycles/iteration)", ...labels],
    colAligns: [...(many ? ["left" as const] : []), "left", ...labels.map(() => "right" as const)],
    style: { head: [], border: [], compact: true },
  });
  for (const t of report.traces) {
    const lead = (i: number) => many ? [i === 0 ? t.workload : ""] : [];
    const rows: string[][] = t.causes.map((k) => [k, ...t.cells.map((c) => cycles(c.causes[k]))]);
    rows.push(["total (steady state)", ...t.cells.map((c) => cycles(c.steadyPerIteration))]);
    rows.push(["native", ...t.cells.map((c) => cycles(c.nativePerIteration))]);
    rows.push(["overhead over native", ...t.cells.map((c) => percent(c.overhead))]);
    if (t.cells.some((c) => c.oneTimeCycles > 0)) {
      rows.push([
        "one-time translation (cycles, once)",
        ...t.cells.map((c) => cycles(c.oneTimeCycles)),
      ]);
    }
    rows.forEach((r, i) => table.push([...lead(i), ...r]));
  }
  const lines = [
    ...report.traces.map((t) =>
      `trace       ${t.path} (${t.workload}, ${t.iterations} iterations, ${t.hash.slice(0, 19)})`
    ),
    ...report.configs.map((c) =>
      `config      ${c.label}: cpu ${c.config.cpu}, mmu ${c.config.mmu}, io ${c.config.io}, memory ${c.config.memory}, platform ${c.config.platform}`
    ),
    "",
    table.toString(),
  ];
  const warned = new Set<string>();
  for (const t of report.traces) {
    for (const c of t.cells) {
      for (const w of c.warnings) {
        const line = `warning: ${t.workload}, ${c.config}: ${w}`;
        if (!warned.has(line)) lines.push(line);
        warned.add(line);
      }
    }
  }
  return lines.join("\n");
}
