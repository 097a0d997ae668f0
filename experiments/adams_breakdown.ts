/**
 * Where each VMM's time goes on forkwait, in the spirit of Adams & Agesen's Figure 5:
 * the cycles of one fork/wait iteration natively, under the software VMM and under the
 * hardware VMM, split into the causes the engine charged them to. The engine's breakdown
 * categories are grouped into a few families by the guest event that caused them, so the
 * bars compare like with like across the two techniques.
 *
 * @module
 */
import { stackedBars } from "../src/charts/stacked_bars.ts";
import type { StackDatum } from "../src/charts/stacked_bars.ts";
import type { Result } from "../src/engine/result.ts";
import { corpusTraces } from "./_lib/corpus.ts";
import type { Check, ComparisonRow, Experiment, Published, RunSpec } from "./_lib/experiment.ts";
import { publishedNumber } from "./_lib/published.ts";
import { need } from "./_lib/results.ts";
import { VMMS } from "./_lib/adams_vmms.ts";
import { oneTimeCycles, windowIterations } from "../src/engine/steady_state.ts";

/** The families of overhead, in stacking order, each with the categories it takes. */
export const FAMILIES: readonly { label: string; mmu: boolean; takes: (key: string) => boolean }[] =
  [
    {
      label: "guest work (as native)",
      mmu: false,
      takes: (k) =>
        k.startsWith("guest.") || k.startsWith("native.") || k === "mmu.walk" ||
        k === "mmu.tlb" || k === "io.device",
    },
    { label: "translation", mmu: false, takes: (k) => k === "bt.translate" },
    { label: "indirect branches", mmu: false, takes: (k) => k === "bt.indirect" },
    {
      label: "page-table writes",
      mmu: true,
      takes: (k) =>
        k.includes("traced-write") || k.includes("trace-fault") || k.includes("adapted-write"),
    },
    {
      label: "page faults",
      mmu: true,
      takes: (k) => k.includes("fault") || k.includes("exception") || k === "hw.inject",
    },
    {
      label: "CR3 writes, INVLPG",
      mmu: true,
      takes: (k) =>
        k.includes("cr3") || k.includes("invlpg") || k === "mmu.shadow.switch" ||
        k === "mmu.shadow.build",
    },
    {
      // Allocating, zeroing and freeing shadow pages, their reverse map and re-protecting
      // newly shadowed tables (issue 12): the shadow MMU's bookkeeping, none of it a trap.
      label: "shadow-page upkeep",
      mmu: true,
      takes: (k) =>
        k === "mmu.shadow.pages" || k === "mmu.shadow.rmap" || k === "mmu.shadow.reprotect",
    },
    {
      label: "other sensitive ops",
      mmu: false,
      takes: () => true,
    },
  ];

/** Call-out classes that belong to the CR3/INVLPG family rather than "other". */
const MMU_CALLOUTS: Readonly<Record<string, string>> = {
  "cr3-write": "CR3 writes, INVLPG",
  "invlpg": "CR3 writes, INVLPG",
};

const CALLOUT_CATEGORY = "bt.callout";
const CALLOUT_EVENT_PREFIX = "bt.callouts.";

/** The family a breakdown category belongs to. */
export function familyOf(category: string): string {
  for (const family of FAMILIES) if (family.takes(category)) return family.label;
  return FAMILIES[FAMILIES.length - 1].label;
}

/**
 * Cycles per iteration of each family for one breakdown. The translator's one-time cost
 * is spread over `iterations` (the paper's run), the rest over the window's iterations.
 * Call-out cycles are apportioned to families by the call-out counts per class, which is
 * exact when every class costs the same call-out (true of every built-in profile).
 */
export function familyCycles(
  breakdown: Readonly<Record<string, number>>,
  events: Readonly<Record<string, number>>,
  window: number,
  oneTime: number,
  iterations: number,
): Map<string, number> {
  const out = new Map<string, number>(FAMILIES.map((f) => [f.label, 0]));
  const add = (family: string, cycles: number) => out.set(family, out.get(family)! + cycles);
  for (const key of Object.keys(breakdown).sort()) {
    let cycles = breakdown[key];
    if (key === "bt.translate" && oneTime > 0) {
      add(familyOf(key), (cycles - oneTime) / window + oneTime / iterations);
      continue;
    }
    cycles /= window;
    if (key === CALLOUT_CATEGORY) {
      const classes = Object.keys(events).filter((e) => e.startsWith(CALLOUT_EVENT_PREFIX)).sort();
      const total = classes.reduce((sum, e) => sum + events[e], 0);
      if (total > 0) {
        for (const e of classes) {
          const cls = e.slice(CALLOUT_EVENT_PREFIX.length);
          add(MMU_CALLOUTS[cls] ?? familyOf(key), (cycles * events[e]) / total);
        }
        continue;
      }
    }
    add(familyOf(key), cycles);
  }
  return out;
}

/** Family cycles per iteration of a run's configured VMM (`native` false) or its baseline. */
function runFamilies(result: Result, native: boolean, iterations: number): Map<string, number> {
  const nativeBreakdown = (result.nativeBreakdown ?? {}) as Record<string, number>;
  return native
    ? familyCycles(nativeBreakdown, {}, windowIterations(result), 0, iterations)
    : familyCycles(
      result.breakdown,
      result.events,
      windowIterations(result),
      oneTimeCycles(result),
      iterations,
    );
}

const WORKLOAD = "forkwait";

function paperIterations(published: Published): number {
  return publishedNumber(published, ["adams2006", "forkwait_p4_seconds", "iterations"]);
}

/** The overhead breakdown of both VMMs on forkwait. */
const experiment: Experiment = {
  name: "adams_breakdown",
  title: "Where the time goes: forkwait under the software and hardware VMMs",
  citation: "after Adams & Agesen, ASPLOS 2006, Figure 5 (overhead sources)",
  papers: ["adams2006"],
  description: "Cycles of one forkwait iteration on the Pentium 4 profile, natively and " +
    "under each VMM, split by cause: the engine's breakdown categories grouped into " +
    "families (page-table write traces, true and hidden page faults, CR3 writes and " +
    "INVLPG, translation, indirect-branch lookups, other privileged operations). " +
    "Translation is a one-time cost, spread over the paper's 40,000 iterations. The paper " +
    "publishes no per-cause numbers for forkwait, so there are no comparison rows; the check " +
    "tests its qualitative explanation that the hardware VMM loses on forkwait through MMU " +
    "virtualization exits.",
  async runs(context): Promise<RunSpec[]> {
    const trace = (await corpusTraces(context.root)).find((t) => t.workload === WORKLOAD);
    if (trace === undefined) return [];
    return VMMS.map((vmm) => ({
      id: `${WORKLOAD}/${vmm.column}`,
      trace: { path: trace.path },
      config: vmm.config,
    }));
  },
  compare(): ComparisonRow[] {
    return [];
  },
  checks(results, published): Check[] {
    const id = `${WORKLOAD}/hardware_vmm`;
    if (results[id] === undefined) {
      return [{
        label: "forkwait, hardware VMM: most overhead is MMU virtualization",
        passed: null,
        detail: "not reproduced: no trace (forkwait is not in traces/MANIFEST.json)",
        role: "prediction",
      }];
    }
    const result = need(results, id);
    const n = paperIterations(published);
    const vmm = runFamilies(result, false, n);
    const base = runFamilies(result, true, n);
    let overhead = 0;
    let mmu = 0;
    for (const family of FAMILIES) {
      const extra = vmm.get(family.label)! - base.get(family.label)!;
      overhead += extra;
      if (family.mmu) mmu += extra;
    }
    const share = overhead > 0 ? mmu / overhead : 0;
    return [{
      label: "forkwait, hardware VMM: most overhead is MMU virtualization " +
        "(page-table writes, page faults, CR3/INVLPG)",
      passed: share > 0.5,
      detail: `${(share * 100).toFixed(1)}% of ${Math.round(overhead)} overhead cycles ` +
        "per iteration",
      role: "prediction",
    }];
  },
  chart(results, published) {
    const n = paperIterations(published);
    const data: StackDatum[] = [];
    const bars: { bar: string; families: Map<string, number> }[] = [];
    const first = results[`${WORKLOAD}/${VMMS[0].column}`];
    if (first !== undefined) bars.push({ bar: "native", families: runFamilies(first, true, n) });
    for (const vmm of VMMS) {
      const result = results[`${WORKLOAD}/${vmm.column}`];
      if (result !== undefined) {
        bars.push({ bar: vmm.label, families: runFamilies(result, false, n) });
      }
    }
    for (const family of FAMILIES) {
      for (const { bar, families } of bars) {
        data.push({ bar, part: family.label, value: families.get(family.label)! / 1000 });
      }
    }
    return stackedBars({
      title: "Forkwait: where each VMM's time goes",
      subtitle: "Pentium 4 profile, real trace; one-time translation spread over 40,000 iterations",
      data,
      valueTitle: "thousand cycles per iteration",
      horizontal: true,
    });
  },
};

export default experiment;
