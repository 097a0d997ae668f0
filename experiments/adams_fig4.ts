/**
 * Adams & Agesen (ASPLOS 2006), Figure 4: the seven nanobenchmarks (syscall, in, cr8wr,
 * callret, pgfault, divzero, ptemod) on a 3.8 GHz Pentium 4, natively, under the
 * software (binary translation) VMM and under the hardware-assisted (VT-x) VMM, both with
 * shadow page tables. Each benchmark is a synthetic recipe modelling what FrobOS does per
 * iteration; the Pentium 4 profile's costs are calibrated from this very figure, so every
 * row here is a calibration row, not a prediction.
 *
 * @module
 */

import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import { compareRow } from "./_lib/compare.ts";
import type { ComparisonRow, Experiment, RunConfig, RunSpec } from "./_lib/experiment.ts";
import { publishedCell } from "./_lib/published.ts";
import { need } from "./_lib/results.ts";

/** The nanobenchmarks, in the figure's order. */
const BENCHMARKS = ["syscall", "in", "cr8wr", "callret", "pgfault", "divzero", "ptemod"] as const;

/** The three systems of the figure: published column, legend label, configuration. */
const SYSTEMS: readonly { column: string; label: string; config: RunConfig }[] = [
  {
    column: "native",
    label: "native",
    config: { cpu: "native", mmu: "native", io: "native", memory: "none" },
  },
  {
    column: "software_vmm",
    label: "software VMM",
    config: { cpu: "bt", mmu: "shadow", io: "emulated", memory: "none" },
  },
  {
    column: "hardware_vmm",
    label: "hardware VMM",
    config: { cpu: "hw", mmu: "shadow", io: "emulated", memory: "none" },
  },
];

const TABLE = ["adams2006", "fig4_nanobench_cycles"] as const;
const PLATFORM = "p4-prescott";
const SEED = 1;
/**
 * FrobOS runs each nanobenchmark in a loop and reports the steady state, hot in the
 * caches; one warm-up iteration leaves the first pass's cold cache and TLB misses out.
 */
const WARMUP = 1;

function runId(benchmark: string, column: string): string {
  return `${benchmark}/${column}`;
}

/** Adams & Agesen Figure 4, reproduced from the synthetic nanobenchmark recipes. */
const experiment: Experiment = {
  name: "adams_fig4",
  title: "Nanobenchmarks: native, software VMM, hardware VMM",
  citation: "Adams & Agesen, ASPLOS 2006, Figure 4",
  papers: ["adams2006"],
  description: "Cycles per iteration of each nanobenchmark on the Pentium 4 (Prescott) profile. " +
    "Software VMM: binary translation with shadow paging; hardware VMM: VT-x with shadow " +
    "paging. The profile's costs are calibrated from this figure, so every row is calibration.",

  runs(): RunSpec[] {
    return BENCHMARKS.flatMap((benchmark) =>
      SYSTEMS.map((system) => ({
        id: runId(benchmark, system.column),
        trace: { synth: benchmark },
        config: { ...system.config, platform: PLATFORM, seed: SEED, warmup: WARMUP },
      }))
    );
  },

  compare(results, published): ComparisonRow[] {
    return BENCHMARKS.flatMap((benchmark) =>
      SYSTEMS.map((system) => {
        const id = runId(benchmark, system.column);
        return compareRow({
          figure: "Figure 4",
          label: `${benchmark}, ${system.label}`,
          reproduced: need(results, id).cycles.perIteration.virtualized,
          published: publishedCell(published, TABLE, benchmark, system.column),
          unit: "cycles",
          role: "calibration",
          runs: [id],
        });
      })
    );
  },

  chart(results, published) {
    const data: BarDatum[] = [];
    const references: BarDatum[] = [];
    for (const benchmark of BENCHMARKS) {
      for (const system of SYSTEMS) {
        const id = runId(benchmark, system.column);
        data.push({
          group: benchmark,
          series: system.label,
          value: need(results, id).cycles.perIteration.virtualized,
        });
        references.push({
          group: benchmark,
          series: system.label,
          value: publishedCell(published, TABLE, benchmark, system.column),
        });
      }
    }
    return groupedBars({
      title: "Nanobenchmarks (Adams & Agesen, Figure 4)",
      subtitle: "Pentium 4 Prescott profile; dots reproduced, hollow black diamonds published",
      data,
      references,
      valueTitle: "cycles per iteration (log scale)",
      log: true,
      labelFormat: ".3~s",
    });
  },
};

export default experiment;
