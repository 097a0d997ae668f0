/**
 * How much of first-generation hardware assist's overhead is the price of a VM exit: every
 * corpus workload under VT-x with shadow paging on the Pentium 4 profile, with the VM exit
 * + VM entry latency swept over the values of the profiles that had hardware assist (the
 * Pentium 4's, Core 2's and Barcelona's, a modern core's) and zero, everything else held
 * at the Pentium 4's.
 *
 * The sweep needs one replay per workload, not one per point: no model state depends on
 * the cycles an exit costs (interrupts, iterations and every model decision follow the
 * trace, not simulated time), so each exit adds exactly the exit + entry latency and the
 * virtualized cycles are a straight line in it, `V(L) = V(L₀) + exits × (L − L₀)`. The
 * experiment checks that claim on every run: it replays a few traces once more with the
 * latency overridden (`platformSet`) and requires the line to hit those replays. Were a
 * later model to make an exit's cost feed back into what happens, that check fails and
 * the sweep must go back to one replay per point.
 *
 * No paper published this sweep, so there are no comparison rows.
 *
 * @module
 */
import { dotRows } from "../src/charts/dot_rows.ts";
import type { DotDatum } from "../src/charts/dot_rows.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import type { Result } from "../src/engine/result.ts";
import { executionTraces } from "./_lib/corpus.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { need } from "./_lib/results.ts";
import { steadySlowdown } from "../src/engine/steady_state.ts";
import { overviewId, techniqueConfig, TECHNIQUES } from "./_lib/techniques.ts";

/** The profile the sweep holds fixed except for its transition latency (Adams & Agesen's). */
export const SWEEP_PLATFORM = "p4-prescott";

/** Profiles of machines that had hardware assist, whose exit + entry latencies are swept. */
export const HW_PLATFORMS: readonly string[] = [
  "p4-prescott",
  "core2-merom",
  "opteron-barcelona",
  "modern",
];

/** First-generation hardware assist: VT-x/AMD-V with shadow paging (overview's "HW"). */
const TECHNIQUE = TECHNIQUES[2];

/** Event counting every VM exit; each is followed by one VM entry. */
export const EXITS_EVENT = "exits.total";

/**
 * Traces replayed a second time at another latency to test the straight line: a
 * process-creation trace (page-table exits), a network trace (interrupt and MMIO exits)
 * and a context-switch trace (CR3 exits), all small.
 */
export const VALIDATION_WORKLOADS: readonly string[] = [
  "forkwait",
  "net-tcp-rx-500",
  "lmbench-ctx-16p-64k",
];

/** The profile whose latency the validation replays take (a point of the sweep). */
const VALIDATION_PROFILE = "core2-merom";

/** Largest relative distance between the line and a replay still counted as a hit (rounding). */
const LINE_TOLERANCE = 1e-9;

/** A profile's VM exit + VM entry latency in cycles. */
export function exitEntryCycles(platform: string): number {
  const p = loadPlatform(platform);
  return p.entries["hw.vm-exit"].value + p.entries["hw.vm-entry"].value;
}

/** The swept latencies, highest first: each hardware-assist profile's, once, and zero. */
export function sweptLatencies(): number[] {
  const values = new Set(HW_PLATFORMS.map(exitEntryCycles));
  values.add(0);
  return [...values].sort((a, b) => b - a);
}

/**
 * Steady slowdown of `result` (replayed at exit + entry latency `from`) had every exit cost
 * `to` instead: each of its exits moves the virtualized cycles by the difference.
 */
export function sweptSlowdown(result: Result, from: number, to: number): number {
  if (result.cycles.native <= 0) return 0;
  const exits = result.events[EXITS_EVENT] ?? 0;
  return steadySlowdown(result) + (exits * (to - from)) / result.cycles.native;
}

/** Run id of a validation replay. */
function validationId(workload: string): string {
  return `line-check/${workload}/${VALIDATION_PROFILE}-latency`;
}

function workloadsOf(results: RunResults): string[] {
  const suffix = `/${TECHNIQUE.id}/${SWEEP_PLATFORM}`;
  return Object.keys(results).filter((id) => id.endsWith(suffix)).map((id) =>
    id.slice(0, -suffix.length)
  ).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Who has which latency, for the legend: `4340 cycles (p4-prescott)`. */
function latencyLabel(latency: number): string {
  const owners = HW_PLATFORMS.filter((p) => exitEntryCycles(p) === latency);
  return `${latency} cycles${
    owners.length > 0 ? ` (${owners.join(", ")})` : " (free transitions)"
  }`;
}

/** The sweep on the Pentium 4 profile. */
const experiment: Experiment = {
  name: "exit_latency_sweep",
  title: "Hardware-assist overhead against VM exit latency",
  citation: "vmmlab sweep of the exit + entry latency (values from Adams & Agesen, Table 1, " +
    "and the platform profiles)",
  papers: ["adams2006"],
  description: "Every committed trace under hardware assist with shadow paging (hw CPU, " +
    "shadow MMU, emulated I/O) on the Pentium 4 profile, with only the VM exit + VM entry " +
    "latency varied: the Pentium 4's, Core 2's and Barcelona's (equal), a modern core's, " +
    "and zero, where what is left is the VMM's handler work. A controlled one-parameter " +
    "sweep, computed from one replay per trace (the overview's): the virtualized cycles " +
    "are a straight line in the latency, the number of exits its slope, because no model " +
    "state depends on what an exit costs. The check replays " +
    `${VALIDATION_WORKLOADS.join(", ")} again at ${VALIDATION_PROFILE}'s latency and ` +
    "requires the line to meet those replays. No published numbers.",
  async runs(context): Promise<RunSpec[]> {
    const runs: RunSpec[] = [];
    const traces = await executionTraces(context.root);
    for (const trace of traces) {
      runs.push({
        id: overviewId(trace.workload, TECHNIQUE, SWEEP_PLATFORM),
        trace: { path: trace.path },
        config: techniqueConfig(TECHNIQUE, SWEEP_PLATFORM),
      });
    }
    const other = loadPlatform(VALIDATION_PROFILE).entries;
    for (const workload of VALIDATION_WORKLOADS) {
      const trace = traces.find((t) => t.workload === workload);
      if (!trace) continue;
      runs.push({
        id: validationId(workload),
        trace: { path: trace.path },
        config: {
          ...techniqueConfig(TECHNIQUE, SWEEP_PLATFORM),
          platformSet: {
            "hw.vm-exit": other["hw.vm-exit"].value,
            "hw.vm-entry": other["hw.vm-entry"].value,
          },
        },
      });
    }
    return runs;
  },
  compare(): ComparisonRow[] {
    return [];
  },
  checks(results): Check[] {
    const from = exitEntryCycles(SWEEP_PLATFORM);
    const to = exitEntryCycles(VALIDATION_PROFILE);
    const checked = VALIDATION_WORKLOADS.filter((w) => validationId(w) in results);
    if (checked.length === 0) return [];
    const pairs = checked.map((w) => ({
      workload: w,
      line: sweptSlowdown(need(results, overviewId(w, TECHNIQUE, SWEEP_PLATFORM)), from, to),
      replayed: steadySlowdown(need(results, validationId(w))),
    }));
    const misses = pairs.filter((p) =>
      !(Math.abs(p.line - p.replayed) <= LINE_TOLERANCE * Math.abs(p.replayed))
    );
    const detail = pairs.map((p) =>
      `${p.workload}: line ${p.line.toFixed(4)}x, replayed ${p.replayed.toFixed(4)}x`
    ).join("; ");
    return [{
      label: `the sweep's straight line meets a replay at ${to} cycles on every checked trace`,
      passed: misses.length === 0,
      detail,
      // A test of the sweep's method against direct replays, not a prediction of anything
      // published: it stays out of the fidelity scoreboard's checks.
      role: "calibration",
    }];
  },
  chart(results) {
    const from = exitEntryCycles(SWEEP_PLATFORM);
    const data: DotDatum[] = [];
    const latencies = sweptLatencies().reverse();
    for (const workload of workloadsOf(results)) {
      const r = need(results, overviewId(workload, TECHNIQUE, SWEEP_PLATFORM));
      for (const latency of latencies) {
        data.push({
          row: workload,
          series: latencyLabel(latency),
          value: sweptSlowdown(r, from, latency),
        });
      }
    }
    return dotRows({
      title: "Hardware assist (shadow paging): slowdown against VM exit + entry latency",
      subtitle: [
        `every corpus trace on the ${SWEEP_PLATFORM} profile, only the exit + entry latency`,
        "varied (legend, lowest first); grey rule: spread across latencies",
      ],
      data,
      seriesTitle: "exit + entry latency",
      valueTitle: "slowdown over native (log scale)",
      log: true,
    });
  },
};

export default experiment;
