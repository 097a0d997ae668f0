/**
 * The overview none of the papers has: every workload in the trace corpus under the four
 * classic ways of virtualizing x86 — binary translation, paravirtualization, first-generation
 * hardware assist (shadow paging) and hardware assist with nested paging — on the Pentium 4
 * the 2006 comparison used and on a modern server profile. The corpus is read from
 * traces/MANIFEST.json at run time, so a newly recorded trace joins without an edit here.
 *
 * @module
 */
import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { figureConfig } from "../src/charts/theme.ts";
import { executionTraces } from "./_lib/corpus.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { need } from "./_lib/results.ts";
import {
  overviewId,
  PLATFORMS,
  type Technique,
  techniqueConfig,
  TECHNIQUES,
} from "./_lib/techniques.ts";
import { steadySlowdown } from "../src/engine/steady_state.ts";

/** Workloads present in `results`, sorted. */
function workloadsOf(results: RunResults): string[] {
  const suffix = `/${TECHNIQUES[0].id}/${PLATFORMS[0].id}`;
  return Object.keys(results).filter((id) => id.endsWith(suffix)).map((id) =>
    id.slice(0, -suffix.length)
  ).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Column label of a technique on a platform. */
function column(technique: Technique, platform: { label: string }): string {
  return `${technique.label} · ${platform.label}`;
}

/** Every corpus workload under every technique on both platforms. */
const experiment: Experiment = {
  name: "overview_techniques",
  title: "Every workload under every technique, then and now",
  citation: "vmmlab overview (no paper has this figure)",
  papers: [],
  description: "Slowdown over native of every committed trace under binary translation " +
    "(bt CPU + shadow paging + emulated I/O), paravirtualization (pv CPU + direct paging " +
    "with batched, validated updates + paravirtual I/O), first-generation hardware assist " +
    "(hw CPU + shadow paging + emulated I/O) and hardware assist with nested paging (hw CPU " +
    "+ nested paging + emulated I/O), on the Pentium 4 (Prescott) profile and the modern " +
    "profile. Binary translation's one-time translation of the window's kernel code is left " +
    "out (a warm translation cache), as it would be in a long run. The Pentium 4 had no " +
    "nested paging: its HW+NPT column is a what-if on a machine without a page-walk cache " +
    "or second-level TLB, where 24-reference walks and splintered 2 MB kernel pages can cost " +
    "more than shadow paging does. Nothing here is compared with a published number.",
  async runs(context): Promise<RunSpec[]> {
    const runs: RunSpec[] = [];
    for (const trace of await executionTraces(context.root)) {
      for (const platform of PLATFORMS) {
        for (const technique of TECHNIQUES) {
          runs.push({
            id: overviewId(trace.workload, technique, platform.id),
            trace: { path: trace.path },
            config: techniqueConfig(technique, platform.id),
          });
        }
      }
    }
    return runs;
  },
  compare(): ComparisonRow[] {
    return [];
  },
  checks(results): Check[] {
    const names = workloadsOf(results);
    // Only where nested paging exists: the Pentium 4 had none, its HW+NPT column is a what-if.
    return PLATFORMS.filter((platform) => platform.id !== "p4-prescott").map((platform) => {
      const better = names.filter((w) =>
        steadySlowdown(need(results, overviewId(w, TECHNIQUES[3], platform.id))) <=
          steadySlowdown(need(results, overviewId(w, TECHNIQUES[2], platform.id)))
      );
      return {
        label: `${platform.label}: nested paging is no slower than shadow paging under ` +
          "hardware assist, on every workload",
        passed: better.length === names.length,
        detail: `${better.length} of ${names.length} workloads`,
        role: "prediction" as const,
      };
    });
  },
  chart(results): TopLevelSpec {
    const names = workloadsOf(results);
    const columns: string[] = [];
    const cells: { workload: string; column: string; slowdown: number; label: string }[] = [];
    for (const platform of PLATFORMS) {
      for (const technique of TECHNIQUES) {
        const col = column(technique, platform);
        columns.push(col);
        for (const workload of names) {
          const s = steadySlowdown(need(results, overviewId(workload, technique, platform.id)));
          cells.push({ workload, column: col, slowdown: s, label: s.toFixed(s < 10 ? 2 : 1) });
        }
      }
    }
    const max = Math.max(1, ...cells.map((c) => c.slowdown));
    const dark = Math.sqrt(max);
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: "Slowdown over native: every workload, four techniques, two platforms",
        subtitle: "BT = binary translation, PV = paravirtualization, HW = VT-x with shadow " +
          "paging, HW+NPT = nested paging",
      },
      data: { values: cells },
      width: columns.length * 62,
      height: Math.max(120, names.length * 20),
      encoding: {
        x: {
          field: "column",
          type: "nominal",
          sort: columns,
          title: null,
          axis: { orient: "top", labelAngle: -35, labelAlign: "left" },
        },
        y: { field: "workload", type: "nominal", sort: names, title: null },
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            color: {
              field: "slowdown",
              type: "quantitative",
              title: "x native",
              scale: { type: "log", scheme: "yelloworangered", domain: [1, max] },
            },
            tooltip: [
              { field: "workload", type: "nominal" },
              { field: "column", type: "nominal" },
              { field: "slowdown", type: "quantitative", format: ".3~r" },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "label", type: "nominal" },
            color: {
              condition: { test: `datum.slowdown > ${dark}`, value: "#ffffff" },
              value: "#000000",
            },
          },
        },
      ],
      config: { ...figureConfig(), axis: { grid: false, labelFontSize: 11 } },
    };
  },
};

export default experiment;
