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
import { dotRows } from "../src/charts/dot_rows.ts";
import type { DotDatum } from "../src/charts/dot_rows.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import { executionTraces } from "./_lib/corpus.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { need } from "./_lib/results.ts";
import { steadySlowdown } from "../src/engine/steady_state.ts";
import { overviewId, techniqueConfig, TECHNIQUES } from "./_lib/techniques.ts";

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
    for (const trace of await executionTraces(context.root)) {
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
    const data: DotDatum[] = [];
    const order = [...HW_PLATFORMS].sort((a, b) => exitEntryCycles(a) - exitEntryCycles(b));
    const label = (p: string) => `${p}: ${exitEntryCycles(p)} cycles`;
    for (const workload of workloadsOf(results)) {
      for (const platform of order) {
        data.push({
          row: workload,
          series: label(platform),
          value: steadySlowdown(need(results, overviewId(workload, TECHNIQUE, platform))),
        });
      }
    }
    return dotRows({
      title: "Hardware assist (shadow paging): slowdown against exit + entry latency",
      subtitle: [
        "every corpus trace on each profile with VT-x/AMD-V; dots coloured by the profile's",
        "VM exit + VM entry latency (legend, lowest first); grey rule: spread across profiles",
      ],
      data,
      seriesTitle: "profile: exit + entry",
      valueTitle: "slowdown over native (log scale)",
      log: true,
    });
  },
};

export default experiment;
