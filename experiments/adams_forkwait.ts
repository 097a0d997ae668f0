/**
 * Adams & Agesen (ASPLOS 2006), section 6.2: forkwait (40,000 fork/wait pairs) and a
 * Linux kernel compile, natively, under the software VMM (binary translation, shadow
 * paging) and under the hardware VMM (VT-x, shadow paging), as seconds and as ratios to
 * native. Reproduced from the committed real traces on the Pentium 4 profile. The
 * profile was calibrated from Figure 4's nanobenchmarks only, so every number here is a
 * prediction.
 *
 * @module
 */
import { configLabel } from "./_lib/config_label.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import type { Result } from "../src/engine/result.ts";
import { compareRow } from "./_lib/compare.ts";
import { corpusTraces } from "./_lib/corpus.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  Published,
  RunResults,
  RunSpec,
} from "./_lib/experiment.ts";
import { publishedNumber } from "./_lib/published.ts";
import { need } from "./_lib/results.ts";
import { clockHz } from "./_lib/units.ts";
import { VMMS } from "./_lib/adams_vmms.ts";
import {
  nativeCyclesFor,
  oneTimeCycles,
  steadySlowdown,
  virtualizedCyclesFor,
  windowIterations,
} from "../src/engine/steady_state.ts";

/** A macrobenchmark of section 6.2 and the trace that stands for it. */
interface Workload {
  /** Key of the published entry. */
  key: "forkwait_p4_seconds" | "kernel_compile_p4_seconds";
  /** Label in rows and chart. */
  label: string;
  /** Prefix of run ids. */
  id: string;
  /** Matches the corpus workload that records it. */
  match: (workload: string) => boolean;
  /** Whether seconds can be compared (the trace is a whole number of the paper's iterations). */
  seconds: boolean;
  /**
   * Why the native row is calibration, when a parameter of the recorded workload was chosen
   * to match the published native time (its virtualized rows remain predictions).
   */
  nativeCalibrated?: string;
}

const WORKLOADS: readonly Workload[] = [
  {
    key: "forkwait_p4_seconds",
    label: "forkwait",
    id: "forkwait",
    match: (w) => w === "forkwait",
    seconds: true,
  },
  {
    key: "kernel_compile_p4_seconds",
    label: "kernel compile",
    id: "kernel-compile",
    match: (w) => w === "kernel-compile",
    seconds: false,
  },
  // Era-matched forkwait (issue 13): the same fork/exit/wait, dynamically linked against
  // Debian's glibc, and with the parent's resident anonymous memory sized from the paper's
  // native time (traces/recipes/forkwait-2006/recipe.json).
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, dynamic glibc",
    id: "forkwait-dyn",
    match: (w) => w === "forkwait-dyn",
    seconds: true,
  },
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, 2006 parent",
    id: "forkwait-2006",
    match: (w) => w === "forkwait-2006",
    seconds: true,
    nativeCalibrated: "the parent's resident anonymous memory (1404 KiB) was chosen so that " +
      "this native time matches the paper's; the VMM rows remain predictions",
  },
  // The same build step with Debian's gcc 12 building zlib instead of tcc.
  {
    key: "kernel_compile_p4_seconds",
    label: "kernel compile (gcc)",
    id: "kernel-compile-gcc",
    match: (w) => w === "kernel-compile-gcc",
    seconds: false,
  }, // 32-bit guests (issue 13): the paper's guests ran 32-bit Linux with 2-level paging.
  // The same static forkwait on Debian 12's i386 686 kernel (2 levels) and 686-pae (3),
  // and the dynamically linked one on the 686 kernel (era-matched: 32-bit, glibc).
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, 32-bit guest",
    id: "forkwait-i386",
    match: (w) => w === "forkwait-i386",
    seconds: true,
  },
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, 32-bit PAE guest",
    id: "forkwait-i386-pae",
    match: (w) => w === "forkwait-i386-pae",
    seconds: true,
  },
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, dynamic glibc, 32-bit guest",
    id: "forkwait-dyn-i386",
    match: (w) => w === "forkwait-dyn-i386",
    seconds: true,
  },
  {
    key: "forkwait_p4_seconds",
    label: "forkwait, 2006 parent, 32-bit guest",
    id: "forkwait-2006-i386",
    match: (w) => w === "forkwait-2006-i386",
    seconds: true,
  },
];

const PAPER = "adams2006";

function runId(workload: Workload, column: string): string {
  return `${workload.id}/${column}`;
}

/** The workloads whose runs exist in `results` (kernel compile joins once it is recorded). */
function present(results: RunResults): Workload[] {
  return WORKLOADS.filter((w) => results[runId(w, VMMS[0].column)] !== undefined);
}

/** Published seconds of `column` for a workload. */
function publishedSeconds(published: Published, w: Workload, column: string): number {
  return publishedNumber(published, [PAPER, w.key, column]);
}

/** The paper's forkwait length (40,000 iterations), read from published.json. */
function paperIterations(published: Published): number {
  return publishedNumber(published, [PAPER, "forkwait_p4_seconds", "iterations"]);
}

/** Reproduced seconds of native (from the run's baseline) or the VMM, over the paper's run. */
function seconds(result: Result, iterations: number, native: boolean): number {
  const cycles = native
    ? nativeCyclesFor(result, iterations)
    : virtualizedCyclesFor(result, iterations);
  return cycles / clockHz(result);
}

/** Reproduced ratio to native over the paper's run (forkwait) or the window (others). */
function ratio(result: Result, w: Workload, published: Published): number {
  if (!w.seconds) return steadySlowdown(result);
  const n = paperIterations(published);
  return seconds(result, n, false) / seconds(result, n, true);
}

function translationNote(result: Result): string {
  const once = oneTimeCycles(result);
  if (once === 0) return "";
  const naive = result.slowdown;
  return ` One-time translation (${(once / 1e6).toFixed(1)} M cycles in the ` +
    `${windowIterations(result)}-iteration window) is charged once, not per iteration; ` +
    `the window's raw slowdown is ${naive.toFixed(2)}x.`;
}

/** Adams & Agesen's forkwait and kernel compile, predicted from the real traces. */
const experiment: Experiment = {
  name: "adams_forkwait",
  title: "Forkwait and kernel compile: native, software VMM, hardware VMM",
  citation: "Adams & Agesen, ASPLOS 2006, section 6.2 (forkwait, kernel compile)",
  papers: [PAPER],
  description: "The committed forkwait trace (a Debian 6.1 guest recorded under QEMU TCG, " +
    "fork/wait pairs between iteration markers) replayed on the Pentium 4 (Prescott) profile " +
    "under the software VMM (binary translation + shadow paging) and the hardware VMM " +
    "(VT-x + shadow paging), each against its native baseline. Seconds are the " +
    "steady-state cycles per iteration times the paper's 40,000 iterations, plus the " +
    "translator's one-time cost once, divided by the profile's clock. The kernel compile " +
    "joins as a ratio to native when a kernel-compile trace is in traces/MANIFEST.json. Beside " +
    "them, when recorded: forkwait dynamically linked against Debian's glibc (forkwait-dyn), " +
    "the same with a parent holding 1404 KiB of resident anonymous memory, a size chosen so " +
    "that the native time matches the paper's 6.02 s (forkwait-2006: its native row is " +
    "calibration, its VMM rows predictions), and the kernel compile with Debian's gcc " +
    "building zlib (kernel-compile-gcc) beside the tcc one; and forkwait on 32-bit guests, " +
    "as the paper's were: Debian 12's i386 686 kernel with 2-level paging (forkwait-i386; " +
    "forkwait-dyn-i386 dynamically linked, forkwait-2006-i386 with the 2006 parent's 1404 KiB, " +
    "not re-sized for 32 bits, so its native row is a prediction) and its 686-pae kernel with 3 levels " +
    "(forkwait-i386-pae). The " +
    "profile is calibrated from Figure 4 only: every other number here is a prediction.",
  async runs(context): Promise<RunSpec[]> {
    const corpus = await corpusTraces(context.root);
    const runs: RunSpec[] = [];
    for (const w of WORKLOADS) {
      const trace = corpus.find((t) => w.match(t.workload));
      if (trace === undefined) continue;
      for (const vmm of VMMS) {
        runs.push({ id: runId(w, vmm.column), trace: { path: trace.path }, config: vmm.config });
      }
    }
    return runs;
  },
  compare(results, published): ComparisonRow[] {
    const rows: ComparisonRow[] = [];
    for (const w of present(results)) {
      const figure = `Section 6.2, ${w.label}`;
      const base = need(results, runId(w, VMMS[0].column));
      const nativePublished = publishedSeconds(published, w, "native");
      if (w.seconds) {
        const n = paperIterations(published);
        rows.push(compareRow({
          figure,
          label: `${w.label}, native`,
          reproduced: seconds(base, n, true),
          published: nativePublished,
          unit: "s",
          role: w.nativeCalibrated === undefined ? "prediction" : "calibration",
          runs: [runId(w, VMMS[0].column)],
          native: true,
          note: `Native baseline of the software-VMM run, ${
            Math.round(base.cycles.native / windowIterations(base))
          } cycles per iteration x ${n} iterations.${
            w.nativeCalibrated === undefined ? "" : ` Calibration: ${w.nativeCalibrated}.`
          }`,
        }));
        for (const vmm of VMMS) {
          const id = runId(w, vmm.column);
          const result = need(results, id);
          rows.push(compareRow({
            figure,
            label: `${w.label}, ${vmm.label}`,
            reproduced: seconds(result, n, false),
            published: publishedSeconds(published, w, vmm.column),
            unit: "s",
            role: "prediction",
            runs: [id],
            note: `${n} iterations at the steady per-iteration cost.${translationNote(result)}`,
          }));
        }
      }
      if (!w.seconds) {
        for (const vmm of VMMS) {
          const id = runId(w, vmm.column);
          rows.push(compareRow({
            figure,
            label: `${w.label}, ${vmm.label}`,
            reproduced: nativePublished * ratio(need(results, id), w, published),
            published: publishedSeconds(published, w, vmm.column),
            unit: "s",
            role: "prediction",
            runs: [id],
            note: `The trace is a window of the build, not all of it: seconds = the published ` +
              `native ${nativePublished} s x the reproduced ratio to native (so the error ` +
              `equals the ratio's).`,
          }));
        }
      }
      for (const vmm of VMMS) {
        const id = runId(w, vmm.column);
        const result = need(results, id);
        rows.push(compareRow({
          figure,
          label: `${w.label}, ${vmm.label} / native`,
          reproduced: ratio(result, w, published),
          published: publishedSeconds(published, w, vmm.column) / nativePublished,
          unit: "x native",
          role: "prediction",
          runs: [id],
          note: `Published ratio = published ${vmm.column} seconds / native seconds.` +
            translationNote(result),
        }));
      }
    }
    return rows;
  },
  checks(results, published): Check[] {
    const checks: Check[] = [];
    const [forkwait, compile, ...eraMatched] = WORKLOADS;
    if (results[runId(forkwait, VMMS[0].column)] === undefined) {
      for (const vmm of VMMS) {
        checks.push({
          label: `forkwait ${vmm.label} (${
            configLabel(vmm.config)
          }) slowdown within 25% of the published value`,
          passed: null,
          detail: "not reproduced: no trace (forkwait is not in traces/MANIFEST.json)",
          role: "prediction",
          headline: true,
        });
      }
    } else {
      const ratios = VMMS.map((vmm) =>
        ratio(need(results, runId(forkwait, vmm.column)), forkwait, published)
      );
      VMMS.forEach((vmm, i) => {
        const target = publishedSeconds(published, forkwait, vmm.column) /
          publishedSeconds(published, forkwait, "native");
        const error = (ratios[i] - target) / target;
        checks.push({
          label: `forkwait ${vmm.label} (${configLabel(vmm.config)}) slowdown within 25% of ` +
            `the published ${target.toFixed(1)}x`,
          passed: Math.abs(error) <= 0.25,
          detail: `reproduced ${ratios[i].toFixed(2)}x (${(error * 100).toFixed(1)}%)`,
          role: "prediction",
          headline: true,
        });
      });
      checks.push({
        label: "forkwait: native < software VMM < hardware VMM (the paper's ordering)",
        passed: 1 < ratios[0] && ratios[0] < ratios[1],
        detail: `native 1, software ${ratios[0].toFixed(2)}x, hardware ${ratios[1].toFixed(2)}x`,
        role: "prediction",
      });
    }
    const label = "kernel compile: native < software VMM < hardware VMM (the paper's ordering)";
    if (results[runId(compile, VMMS[0].column)] === undefined) {
      checks.push({
        label,
        passed: null,
        detail: "not reproduced: no trace (no kernel-compile workload in traces/MANIFEST.json)",
        role: "prediction",
      });
    } else {
      const r = VMMS.map((vmm) =>
        ratio(need(results, runId(compile, vmm.column)), compile, published)
      );
      const p = VMMS.map((vmm) =>
        publishedSeconds(published, compile, vmm.column) /
        publishedSeconds(published, compile, "native")
      );
      checks.push({
        label,
        passed: 1 < r[0] && r[0] < r[1],
        detail: `reproduced 1 / ${r[0].toFixed(2)}x / ${r[1].toFixed(2)}x; published 1 / ` +
          `${p[0].toFixed(2)}x / ${p[1].toFixed(2)}x`,
        role: "prediction",
      });
    }
    // The native-time class (issue 12): the paper's native kernel compile cannot be
    // predicted in seconds from the corpus trace, which is not the paper's build.
    checks.push({
      label: "kernel compile native 265 s (make -j8 bzImage of Linux 2.6.11) from native " +
        "cycles / clock",
      passed: null,
      detail: "not reproduced: the kernel-compile traces are windows of small builds (tcc: one " +
        "compile and the link; gcc: one object of zlib), not the paper's Linux build, so only ratios to native are " +
        "compared",
      role: "prediction",
    });
    // The era-matched workloads: the paper's ordering, when their traces are present.
    for (const w of eraMatched) {
      if (results[runId(w, VMMS[0].column)] === undefined) continue;
      const r = VMMS.map((vmm) => ratio(need(results, runId(w, vmm.column)), w, published));
      checks.push({
        label: `${w.label}: native < software VMM < hardware VMM (the paper's ordering)`,
        passed: 1 < r[0] && r[0] < r[1],
        detail: `reproduced 1 / ${r[0].toFixed(2)}x / ${r[1].toFixed(2)}x`,
        role: "prediction",
      });
    }
    return checks;
  },
  chart(results, published) {
    const data: BarDatum[] = [];
    const references: BarDatum[] = [];
    for (const w of present(results)) {
      const nativePublished = publishedSeconds(published, w, "native");
      data.push({ group: w.label, series: "native", value: 1 });
      references.push({ group: w.label, series: "native", value: 1 });
      for (const vmm of VMMS) {
        data.push({
          group: w.label,
          series: vmm.label,
          value: ratio(need(results, runId(w, vmm.column)), w, published),
        });
        references.push({
          group: w.label,
          series: vmm.label,
          value: publishedSeconds(published, w, vmm.column) / nativePublished,
        });
      }
    }
    return groupedBars({
      title: "Macrobenchmarks relative to native (Adams & Agesen, section 6.2)",
      subtitle: "Pentium 4 profile, real traces; bars predicted, hollow black diamonds published",
      data,
      references,
      valueTitle: "time relative to native",
      labelFormat: ".3~r",
    });
  },
};

export default experiment;
