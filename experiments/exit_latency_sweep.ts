/**
 * How much of first-generation hardware assist's overhead is the price of a VM exit: every
 * corpus workload under VT-x/AMD-V with shadow paging on each platform profile that had
 * hardware assist, plotted against that profile's exit + entry latency. Adams & Agesen
 * (Table 1) measured the drop from the Pentium 4 to Core 2; the modern profile carries
 * today's few hundred cycles. No paper published this sweep, so there are no comparison
 * rows, only the qualitative expectation that cheaper transitions mean less overhead.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { lineSweep } from "../src/charts/line_sweep.ts";
import type { SweepDatum } from "../src/charts/line_sweep.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import { corpusTraces } from "./_lib/corpus.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { need } from "./_lib/results.ts";
import { steadySlowdown } from "./_steady_state.ts";
import { overviewId, techniqueConfig, TECHNIQUES } from "./overview_techniques.ts";

/**
 * Profiles of machines that had hardware assist. `piii-733` and `xeon-2400` predate VT-x
 * and AMD-V: their `hw.*` entries only repeat the Pentium 4's so that the models load, and
 * would add points at the Pentium 4's latency that measure nothing new.
 */
export const HW_PLATFORMS: readonly string[] = [
  "p4-prescott",
  "core2-merom",
  "opteron-barcelona",
  "modern",
];

/** First-generation hardware assist: VT-x/AMD-V with shadow paging (overview's "HW"). */
const TECHNIQUE = TECHNIQUES[2];

/** A profile's VM exit + VM entry latency in cycles. */
export function exitEntryCycles(platform: string): number {
  const p = loadPlatform(platform);
  return p.entries["hw.vm-exit"].value + p.entries["hw.vm-entry"].value;
}

function workloadsOf(results: RunResults): string[] {
  const suffix = `/${TECHNIQUE.id}/${HW_PLATFORMS[0]}`;
  return Object.keys(results).filter((id) => id.endsWith(suffix)).map((id) =>
    id.slice(0, -suffix.length)
  ).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Dash patterns that, with the eight series colours, tell up to 32 workloads apart. */
const DASHES: readonly number[][] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]];

/** Number of series colours in the figure theme (they repeat after this many). */
const COLOURS = 8;

/**
 * One line per workload is more lines than the theme has colours: give every run of eight
 * series its own dash pattern, move the legend to the right in one column, and make the
 * plot tall enough for it.
 */
function withDashedSeries(spec: TopLevelSpec, series: readonly string[]): TopLevelSpec {
  const out = spec as TopLevelSpec & {
    height: number;
    encoding: Record<string, Record<string, unknown>>;
  };
  const legend = { title: null, orient: "right", symbolStrokeWidth: 2, symbolSize: 300 };
  out.height = Math.max(out.height, series.length * 16);
  out.encoding.color = { ...out.encoding.color, legend };
  out.encoding.strokeDash = {
    field: "series",
    type: "nominal",
    scale: {
      domain: [...series],
      range: series.map((_, i) => DASHES[Math.floor(i / COLOURS) % DASHES.length]),
    },
    legend,
  };
  return out;
}

/** The sweep over the hardware-assist profiles. */
const experiment: Experiment = {
  name: "exit_latency_sweep",
  title: "Hardware-assist overhead against VM exit latency",
  citation: "vmmlab sweep over platform profiles (exit latencies after Adams & Agesen, Table 1)",
  papers: ["adams2006"],
  description: "Every committed trace under hardware assist with shadow paging (hw CPU, " +
    "shadow MMU, emulated I/O) on each profile of a machine that had hardware assist " +
    "(Pentium 4 Prescott, Core 2 Merom, Opteron Barcelona, modern), against the profile's " +
    "VM exit + VM entry cycles. Profiles differ in more than the exit latency (VMCB access " +
    "costs, handler work, TLBs), so each line is a comparison of machines, not a controlled " +
    "one-parameter sweep; Core 2 and Barcelona share their transition costs. No published " +
    "numbers: the check tests that no workload gets slower as transitions get cheaper.",
  async runs(context): Promise<RunSpec[]> {
    const runs: RunSpec[] = [];
    for (const trace of await corpusTraces(context.root)) {
      for (const platform of HW_PLATFORMS) {
        runs.push({
          id: overviewId(trace.workload, TECHNIQUE, platform),
          trace: { path: trace.path },
          config: techniqueConfig(TECHNIQUE, platform),
        });
      }
    }
    return runs;
  },
  compare(): ComparisonRow[] {
    return [];
  },
  checks(results): Check[] {
    const names = workloadsOf(results);
    const order = [...HW_PLATFORMS].sort((a, b) => exitEntryCycles(b) - exitEntryCycles(a));
    const monotone = names.filter((w) => {
      const points = order.map((p) => ({
        x: exitEntryCycles(p),
        y: steadySlowdown(need(results, overviewId(w, TECHNIQUE, p))),
      }));
      return points.every((a, i) =>
        points.slice(i + 1).every((b) => b.x === a.x || b.y <= a.y + 1e-9)
      );
    });
    return [{
      label: "hardware assist with shadow paging: lower exit + entry latency, no higher slowdown",
      passed: monotone.length === names.length,
      detail: `${monotone.length} of ${names.length} workloads`,
      role: "prediction",
    }];
  },
  chart(results) {
    const data: SweepDatum[] = [];
    for (const workload of workloadsOf(results)) {
      for (const platform of HW_PLATFORMS) {
        data.push({
          series: workload,
          x: exitEntryCycles(platform),
          y: steadySlowdown(need(results, overviewId(workload, TECHNIQUE, platform))),
        });
      }
    }
    const spec = lineSweep({
      title: "Hardware assist (shadow paging): slowdown against exit + entry latency",
      subtitle: "Profiles (exit + entry cycles): " +
        HW_PLATFORMS.map((p) => `${p} ${exitEntryCycles(p)}`).join(", "),
      data,
      xTitle: "VM exit + VM entry (cycles)",
      yTitle: "slowdown over native (log scale)",
      logY: true,
    });
    return withDashedSeries(spec, workloadsOf(results));
  },
};

export default experiment;
