/**
 * Waldspurger (OSDI 2002), Figure 2: the overhead of ballooning — a 256 MB VM ballooned
 * down to N MB against a VM configured with N MB — replayed with the `balloon` memory
 * model. The paper ran dbench; the experiment uses the corpus's dbench trace when there is
 * one, otherwise a real file-system trace as a stand-in (see `ACTIVE_WORKLOADS` in _lib/waldspurger_vm.ts), and
 * names the trace it used in every row.
 *
 * @module
 */

import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import { compareRow } from "./_lib/compare.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  RunConfig,
  RunResults,
  RunSpec,
} from "./_lib/experiment.ts";
import { publishedNumber } from "./_lib/published.ts";
import { need } from "./_lib/results.ts";
import { activeTrace } from "./_lib/waldspurger_vm.ts";

/** VM sizes of the figure's x axis (MB): the paper sweeps 128 to 256. */
export const SIZES_MB: readonly number[] = [128, 160, 192, 224, 256];
/** Size of the ballooned VM as configured (MB). */
const FULL_MB = 256;
const PAPER = "waldspurger2002";
const FIGURE = ["waldspurger2002", "fig2_ballooning", "overhead_percent_ballooned_vs_configured"];

/** Models of both VMs: only the memory model differs from native, as in the paper's comparison. */
const BASE: RunConfig = {
  cpu: "native",
  mmu: "native",
  io: "native",
  memory: "balloon",
  platform: "piii-733",
  seed: 1,
};

function ballooned(mb: number): string {
  return `ballooned/${mb}`;
}
function configured(mb: number): string {
  return `configured/${mb}`;
}

/** Overhead (%) of the ballooned VM over the configured one at `mb`. */
function overhead(results: RunResults, mb: number): number {
  const b = need(results, ballooned(mb)).cycles.virtualized;
  const c = need(results, configured(mb)).cycles.virtualized;
  return c > 0 ? 100 * (b / c - 1) : 0;
}

function workloadOf(results: RunResults): string {
  return need(results, configured(SIZES_MB[0])).trace.workload;
}

/** Waldspurger Figure 2 from a real corpus trace (dbench or a named stand-in). */
const experiment: Experiment = {
  name: "waldspurger_fig2",
  title: "Ballooning overhead: ballooned vs configured VM size",
  citation: "Waldspurger, OSDI 2002, Figure 2",
  papers: [PAPER],
  description: "Cycles of a 256 MB VM ballooned down to N MB (balloon model, memory.vm-mb=256, " +
    "memory.balloon-mb=256-N) against a VM configured with N MB (memory.vm-mb=N, no balloon), " +
    "N = 128..256, on the Pentium III profile; overhead = ballooned / configured - 1. The " +
    "paper ran dbench; the corpus has no dbench trace yet, so the first of " +
    "lmbench-create-10k, lmbench-create-0k, forkwait in traces/MANIFEST.json stands in (a " +
    "dbench trace is used automatically once recorded; every row names its workload). " +
    "Only the memory model differs from native. The balloon's inflation precedes the " +
    "window (memory.charge-setup=false); the traces' footprints fit in 128 MB, so neither " +
    "VM pages and the overhead is what the sampled working-set estimator and the VM size " +
    "change. The paper attributes its overhead mostly to the guest sizing its data " +
    "structures for 256 MB, which a trace recorded at one size cannot show. Predictions.",

  async runs(context): Promise<RunSpec[]> {
    const { path } = await activeTrace(context.root);
    const runs: RunSpec[] = [];
    for (const mb of SIZES_MB) {
      runs.push({
        id: configured(mb),
        trace: { path },
        config: { ...BASE, options: { "memory.vm-mb": mb, "memory.balloon-mb": 0 } },
      });
      runs.push({
        id: ballooned(mb),
        trace: { path },
        config: {
          ...BASE,
          options: { "memory.vm-mb": FULL_MB, "memory.balloon-mb": FULL_MB - mb },
        },
      });
    }
    return runs;
  },

  compare(results, p): ComparisonRow[] {
    const workload = workloadOf(results);
    return [128, 224].map((mb) =>
      compareRow({
        figure: "Figure 2",
        label: `overhead at ${mb} MB${workload === "dbench" ? "" : ` (${workload} for dbench)`}`,
        reproduced: overhead(results, mb),
        published: publishedNumber(p, [...FIGURE, `${mb}MB`]),
        unit: "%",
        role: "prediction",
        runs: [ballooned(mb), configured(mb)],
        note: workload === "dbench"
          ? "dbench trace"
          : `trace ${workload} stands in for dbench (not in the corpus)`,
      })
    );
  },

  checks(results): Check[] {
    const at128 = overhead(results, 128);
    const at224 = overhead(results, 224);
    const workload = workloadOf(results);
    const values = `${at128.toFixed(3)}% at 128 MB, ${at224.toFixed(3)}% at 224 MB`;
    return [{
      label: "Figure 2: ballooning costs more the further the VM is ballooned (128 MB >= 224 MB)",
      // The paper's overhead comes from dbench sizing itself for the configured memory; a
      // stand-in trace cannot test that, so without dbench the figure is not reproduced.
      passed: workload === "dbench" ? at128 >= at224 : null,
      detail: workload === "dbench"
        ? `${values} (trace dbench)`
        : `not reproduced: no trace (dbench is not in traces/MANIFEST.json); stand-in ` +
          `${workload} gives ${values}`,
      role: "prediction",
    }];
  },

  chart(results, p) {
    const data: BarDatum[] = [];
    const references: BarDatum[] = [];
    for (const mb of SIZES_MB) {
      data.push({ group: `${mb} MB`, series: "reproduced", value: overhead(results, mb) });
    }
    for (const mb of [128, 224]) {
      references.push({
        group: `${mb} MB`,
        series: "reproduced",
        value: publishedNumber(p, [...FIGURE, `${mb}MB`]),
      });
    }
    const workload = workloadOf(results);
    const subtitle = [
      `256 MB VM ballooned to N MB vs configured with N MB; trace ${workload}` +
      `${workload === "dbench" ? "" : " (dbench stand-in)"}; hollow black diamonds published`,
    ];
    // An all-zero figure says why rather than looking like a plotting fault.
    if (data.every((d) => Math.abs(d.value) < 0.005)) {
      subtitle.push(
        `Every reproduced overhead is 0%: the recorded ${workload} window's footprint fits in ` +
          "the smallest size (128 MB),",
        "so the balloon never takes a page the guest uses; a workload with a larger working set " +
          "is needed to exercise ballooning.",
      );
    }
    return groupedBars({
      title: "Ballooning overhead (Waldspurger, Figure 2)",
      subtitle,
      data,
      references,
      groupTitle: "N",
      valueTitle: "overhead of ballooning (%)",
      labelFormat: ".2f",
    });
  },
};

export default experiment;
