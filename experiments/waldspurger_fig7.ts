/**
 * Waldspurger (OSDI 2002), Figure 7: the idle memory tax. Two 256 MB VMs with equal shares
 * compete for 360 MB; one is idle, the other runs a memory-hungry workload. At tax 0 each
 * gets about half; at the default tax 0.75 memory moves from the idle VM to the active
 * one. The active VM's trace is replayed with the `balloon` model re-planned by
 * min-funding revocation (`memory.host-mb`, `memory.peers` = the idle VM).
 *
 * @module
 */

import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import { compareRow } from "./_lib/compare.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { publishedNumber } from "./_lib/published.ts";
import { need } from "./_lib/results.ts";
import { activeTrace } from "./_lib/waldspurger_vm.ts";
import { PAGE_SIZE } from "../src/trace/page.ts";

const PAPER = "waldspurger2002";
const FIGURE = ["waldspurger2002", "fig7_idle_memory_tax"] as const;
/** Host memory both VMs share, MB (the paper: "about 360 MB"). */
const HOST_MB = 360;
/** Each VM's configured size, MB. */
const VM_MB = 256;
/** The idle VM as a peer: equal shares (1000), 256 MB, active fraction 0. */
const IDLE_PEER = `1000/${VM_MB}/0`;
const PAGES_PER_MB = 2 ** 20 / PAGE_SIZE;
/** The two tax rates the figure contrasts. */
const TAXES: readonly number[] = [0, 0.75];

function runId(tax: number): string {
  return `active/tax-${tax}`;
}

/** MB allocated to the active VM at the end of the run. */
function activeMb(results: RunResults, tax: number): number {
  return (need(results, runId(tax)).events["mem.allocated-pages"] ?? 0) / PAGES_PER_MB;
}

/** Throughput gain (%) of the active VM at tax 0.75 over tax 0 (inverse cycle ratio). */
function gain(results: RunResults): number {
  const t0 = need(results, runId(0)).cycles.virtualized;
  const t75 = need(results, runId(0.75)).cycles.virtualized;
  return t75 > 0 ? 100 * (t0 / t75 - 1) : 0;
}

/** Whether the active VM replayed the paper's own workload. */
function isDbench(results: RunResults): boolean {
  return need(results, runId(0)).trace.workload === "dbench";
}

function workloadNote(results: RunResults): string {
  const w = need(results, runId(0)).trace.workload;
  return w === "dbench" ? "dbench trace" : `trace ${w} stands in for dbench (not in the corpus)`;
}

/** Waldspurger Figure 7 as the end-state allocations under tax 0 and 0.75. */
const experiment: Experiment = {
  name: "waldspurger_fig7",
  title: "Idle memory tax: allocation of an idle and an active VM",
  citation: "Waldspurger, OSDI 2002, Figure 7",
  papers: [PAPER],
  description: "Two 256 MB VMs with equal shares (1000) share 360 MB. The active VM's trace " +
    "is replayed with the balloon model under the idle memory tax (memory.host-mb=360, " +
    "memory.peers=1000/256/0 for the idle VM, memory.tax=0 or 0.75) on the Pentium III " +
    "profile; its allocation is the model's mem.allocated-pages and the idle VM gets the " +
    "rest of the 360 MB. The paper's active VM ran dbench; the corpus has no dbench trace " +
    "yet, so the trace of Figure 2 stands in (named in every row). The sampling period is " +
    "the default 30 s, longer than the trace, so the active VM counts as fully active (the " +
    "estimator's state before its first period); a period shorter than a trace whose " +
    "footprint is a few MB would rate it idle. Only the allocations can be compared: with a " +
    "footprint far below 180 MB, the active VM does not page at either tax, so the " +
    "paper's >30% throughput gain cannot appear. Predictions.",

  async runs(context): Promise<RunSpec[]> {
    const { path } = await activeTrace(context.root);
    return TAXES.map((tax) => ({
      id: runId(tax),
      trace: { path },
      config: {
        cpu: "native",
        mmu: "native",
        io: "native",
        memory: "balloon",
        platform: "piii-733",
        seed: 1,
        options: {
          "memory.vm-mb": VM_MB,
          "memory.host-mb": HOST_MB,
          "memory.peers": IDLE_PEER,
          "memory.tax": tax,
        },
      },
    }));
  },

  compare(results, p): ComparisonRow[] {
    const each = publishedNumber(p, [...FIGURE, "tax_0_each_MB"]);
    const note = workloadNote(results);
    return [
      compareRow({
        figure: "Figure 7",
        label: "tax 0: active VM",
        reproduced: activeMb(results, 0),
        published: each,
        unit: "MB",
        role: "prediction",
        runs: [runId(0)],
        note,
      }),
      compareRow({
        figure: "Figure 7",
        label: "tax 0: idle VM",
        reproduced: HOST_MB - activeMb(results, 0),
        published: each,
        unit: "MB",
        role: "prediction",
        runs: [runId(0)],
        note: "360 MB minus the active VM's allocation",
      }),
      compareRow({
        figure: "Figure 7",
        label: `tax 0.75: active VM throughput gain${
          isDbench(results) ? "" : ` (${need(results, runId(0)).trace.workload} for dbench)`
        }`,
        reproduced: gain(results),
        published: null,
        unit: "%",
        role: "prediction",
        runs: [runId(0), runId(0.75)],
        note: `published ">30%"; ${note}`,
      }),
    ];
  },

  checks(results): Check[] {
    const a0 = activeMb(results, 0), a75 = activeMb(results, 0.75);
    const g = gain(results);
    return [
      {
        label: "Figure 7: tax 0.75 moves memory from the idle VM to the active VM",
        passed: a75 > a0,
        detail: `active VM ${a0} MB at tax 0, ${a75} MB at tax 0.75 ` +
          `(idle VM ${HOST_MB - a0} -> ${HOST_MB - a75} MB)`,
        role: "prediction",
      },
      {
        label: "Figure 7: active VM throughput gain at tax 0.75 > 30%",
        // The gain is dbench's, from the memory it no longer lacks: a stand-in trace whose
        // footprint fits either way cannot test it.
        passed: isDbench(results) ? g > 30 : null,
        detail: isDbench(results)
          ? `${g.toFixed(2)}% (${workloadNote(results)})`
          : `not reproduced: no trace (dbench is not in traces/MANIFEST.json); ` +
            `${g.toFixed(2)}% with ${workloadNote(results)}`,
        role: "prediction",
      },
    ];
  },

  chart(results, p) {
    const workload = need(results, runId(0)).trace.workload;
    const each = publishedNumber(p, [...FIGURE, "tax_0_each_MB"]);
    const data: BarDatum[] = [];
    for (const tax of TAXES) {
      const group = `tax ${tax}`;
      data.push({ group, series: "idle VM", value: HOST_MB - activeMb(results, tax) });
      data.push({ group, series: "active VM", value: activeMb(results, tax) });
    }
    return groupedBars({
      title: "Idle memory tax (Waldspurger, Figure 7)",
      subtitle: `two 256 MB VMs in ${HOST_MB} MB; trace ${workload}` +
        `${workload === "dbench" ? "" : " (dbench stand-in)"}; hollow black diamonds published`,
      data,
      references: [
        { group: "tax 0", series: "idle VM", value: each },
        { group: "tax 0", series: "active VM", value: each },
      ],
      valueTitle: "memory allocated (MB)",
      labelFormat: ".0f",
    });
  },
};

export default experiment;
