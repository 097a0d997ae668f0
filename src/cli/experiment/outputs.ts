/**
 * The finishing step shared by a full run and a merge: given every job's result, write
 * each experiment's results (JSON, CSV), comparison, Vega-Lite spec, SVG and PNG, then the
 * summary and the offline report. Every file is written atomically, and nothing here
 * reads the clock, so the files depend on the results alone (outside their `host` fields).
 *
 * @module
 */

import { join } from "node:path";
import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import type { Result } from "../../engine/result.ts";
import type { HostResult } from "../../host/result.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  HostResults,
  Published,
  RunResults,
} from "../../../experiments/_lib/experiment.ts";
import { paperCitation } from "../../../experiments/_lib/published.ts";
import { buildReport, type ReportFigure, type ReportRun } from "../../charts/report.ts";
import { svgToPng } from "../../charts/png.ts";
import { renderSvg } from "../../charts/svg.ts";
import { renderMarkdownSummary } from "./markdown.ts";
import { writeFileAtomic } from "../../util/atomic.ts";
import { type Cell, toCsv } from "./csv.ts";
import { type Plan, type PlannedExperiment, traceLabel } from "./jobs.ts";
import type { Progress } from "./progress.ts";
import type { SummaryCheck, SummaryRow } from "./summary.ts";

/** Schema tag of an experiment's results.json. */
export const EXPERIMENT_SCHEMA = "vmmlab.experiment/1";

/** Schema tag of summary.json. */
export const SUMMARY_SCHEMA = "vmmlab.summary/1";

/** What finishing one experiment produced. */
export interface ExperimentOutcome {
  /** The experiment. */
  experiment: Experiment;
  /** Its compared numbers. */
  rows: readonly ComparisonRow[];
  /** Its checks. */
  checks: readonly Check[];
  /** Milliseconds spent rendering its SVG and PNG (wall time, for reports only). */
  renderMs: number;
}

/** Options of {@link writeOutputs}. */
export interface OutputOptions {
  /** Output folder. */
  out: string;
  /** The published values. */
  published: Published;
  /** Progress display. */
  progress: Progress;
  /** Receives warnings (chart problems), one line each. */
  warn(line: string): void;
  /** A sentence for the top of the report (e.g. that a stand-in engine was used). */
  note?: string;
  /** The run's identity (runIdentity in canonical.ts), named in the summary and report. */
  run?: string;
}

/** The sentence that names the run whose results a summary or report shows. */
export function runSentence(run: string): string {
  return `Run ${run}: the identity of these results (the same in manifest.json when the ` +
    `folder holds one complete run).`;
}

function checkRows(name: string, rows: readonly ComparisonRow[], ids: Set<string>): void {
  for (const row of rows) {
    const where = `experiments/${name}.ts: comparison row ${row.label}`;
    if (!Number.isFinite(row.reproduced)) throw new Error(`${where}: reproduced is not finite`);
    if (row.role !== "calibration" && row.role !== "prediction") {
      throw new Error(`${where}: role must be calibration or prediction`);
    }
    for (const id of row.runs) {
      if (!ids.has(id)) throw new Error(`${where}: refers to unknown run ${id}`);
    }
  }
}

/** results.csv rows of a host run: one per VM (`run/vm`), the VM's own replay figures. */
function hostCsvRows(id: string, h: HostResult): Cell[][] {
  return h.vms.map((vm) => [
    `${id}/${vm.name}`,
    vm.trace.path,
    vm.trace.hash,
    vm.trace.workload,
    vm.iterations,
    vm.vmm.cpu,
    vm.vmm.mmu,
    vm.vmm.memory,
    vm.vmm.io,
    h.host.platform,
    h.host.seed,
    vm.cycles.native,
    vm.cycles.virtualized,
    vm.iterations > 0 ? vm.cycles.native / vm.iterations : null,
    vm.iterations > 0 ? vm.cycles.virtualized / vm.iterations : null,
    vm.cycles.virtualizationSlowdown,
  ]);
}

function resultsCsv(planned: PlannedExperiment, results: RunResults, hosts: HostResults): string {
  const rows = planned.runs.flatMap(({ spec }): Cell[][] => {
    if ("host" in spec) return hostCsvRows(spec.id, hosts[spec.id]);
    const r = results[spec.id];
    return [[
      spec.id,
      r.trace.path,
      r.trace.hash,
      r.trace.workload,
      r.trace.iterations,
      r.config.cpu,
      r.config.mmu,
      r.config.memory,
      r.config.io,
      r.config.platform,
      r.config.seed,
      r.cycles.native,
      r.cycles.virtualized,
      r.cycles.perIteration.native,
      r.cycles.perIteration.virtualized,
      r.slowdown,
    ]];
  });
  return toCsv([
    "run",
    "trace",
    "hash",
    "workload",
    "iterations",
    "cpu",
    "mmu",
    "memory",
    "io",
    "platform",
    "seed",
    "native_cycles",
    "virtualized_cycles",
    "native_per_iteration",
    "virtualized_per_iteration",
    "slowdown",
  ], rows);
}

function comparisonCsv(rows: readonly ComparisonRow[]): string {
  return toCsv(
    [
      "figure",
      "label",
      "reproduced",
      "published",
      "band_low",
      "band_high",
      "unit",
      "rel_error",
      "role",
      "runs",
      "note",
    ],
    rows.map((r) => [
      r.figure,
      r.label,
      r.reproduced,
      r.published,
      r.band?.[0],
      r.band?.[1],
      r.unit,
      r.relError,
      r.role,
      r.runs.join(" "),
      r.note,
    ]),
  );
}

/**
 * A host run as one line of the report's run table: its VMs' traces and workloads, the
 * host's platform and scheduler, and the VMs' mean virtualization slowdown.
 */
function hostReportRun(id: string, h: HostResult): ReportRun {
  const unique = (xs: string[]) => [...new Set(xs)].join(", ");
  const slowdowns = h.vms.map((v) => v.cycles.virtualizationSlowdown);
  return {
    id,
    trace: `host ${h.host.name}: ${h.vms.length} VMs of ${unique(h.vms.map((v) => v.trace.path))}`,
    hash: unique(h.vms.map((v) => v.trace.hash)),
    workload: unique(h.vms.map((v) => v.trace.workload)),
    iterations: h.vms.reduce((sum, v) => sum + v.iterations, 0),
    config: {
      cpu: unique(h.vms.map((v) => v.vmm.cpu)),
      mmu: unique(h.vms.map((v) => v.vmm.mmu)),
      memory: unique(h.vms.map((v) => v.vmm.memory)),
      io: unique(h.vms.map((v) => v.vmm.io)),
      platform: h.host.platform,
      seed: h.host.seed,
      pcpus: h.host.pcpus,
      scheduler: `${h.host.scheduler.name} ${h.host.scheduler.sliceMs} ms`,
      durationMs: h.host.durationMs,
    },
    slowdown: slowdowns.reduce((a, b) => a + b, 0) / Math.max(1, slowdowns.length),
  };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Writes every experiment's outputs, summary.json/csv and report.html under `options.out`. */
export async function writeOutputs(
  plan: Plan,
  results: ReadonlyMap<string, Result | HostResult>,
  options: OutputOptions,
): Promise<ExperimentOutcome[]> {
  const outcomes: ExperimentOutcome[] = [];
  const figures: ReportFigure[] = [];
  options.progress.start(plan.experiments.length, "figures");
  for (const planned of plan.experiments) {
    const { experiment } = planned;
    const byId: Record<string, Result> = {};
    const hostsById: Record<string, HostResult> = {};
    for (const run of planned.runs) {
      const result = results.get(run.key);
      if (!result) throw new Error(`No result for ${experiment.name}/${run.spec.id}`);
      if ("host" in run.spec) hostsById[run.spec.id] = result as HostResult;
      else byId[run.spec.id] = result as Result;
    }
    const runResults: RunResults = byId;
    const hosts: HostResults = hostsById;
    const rows = [...experiment.compare(runResults, options.published, hosts)];
    checkRows(experiment.name, rows, new Set(planned.runs.map((r) => r.spec.id)));
    const checks = [...(experiment.checks?.(runResults, options.published, hosts) ?? [])];
    const spec: TopLevelSpec = experiment.chart(runResults, options.published, rows, hosts);
    const started = performance.now();
    const { svg, warnings } = await renderSvg(spec);
    for (const w of warnings) options.warn(`${experiment.name}: chart: ${w}`);
    const png = await svgToPng(svg);
    const renderMs = performance.now() - started;
    const dir = join(options.out, experiment.name);
    const papers = experiment.papers.map((key) => ({
      key,
      citation: paperCitation(options.published, key),
    }));
    const document = {
      schema: EXPERIMENT_SCHEMA,
      experiment: {
        name: experiment.name,
        title: experiment.title,
        citation: experiment.citation,
        papers,
        description: experiment.description,
      },
      runs: planned.runs.map(({ spec }) =>
        "host" in spec ? { id: spec.id, host: spec.host, result: hostsById[spec.id] } : {
          id: spec.id,
          trace: traceLabel(spec.trace),
          config: spec.config,
          result: byId[spec.id],
        }
      ),
      comparison: rows,
      checks,
    };
    await writeFileAtomic(join(dir, "results.json"), json(document));
    await writeFileAtomic(join(dir, "results.csv"), resultsCsv(planned, runResults, hosts));
    await writeFileAtomic(join(dir, "comparison.csv"), comparisonCsv(rows));
    await writeFileAtomic(join(dir, "chart.vl.json"), json(spec));
    await writeFileAtomic(join(dir, "chart.svg"), svg);
    await writeFileAtomic(join(dir, "chart.png"), png);
    outcomes.push({ experiment, rows, checks, renderMs });
    figures.push({
      name: experiment.name,
      title: experiment.title,
      citation: experiment.citation,
      papers: papers.map((p) => p.citation),
      description: experiment.description,
      spec,
      rows,
      checks,
      runs: planned.runs.map(({ spec: run }) => {
        if ("host" in run) return hostReportRun(run.id, hostsById[run.id]);
        const r = byId[run.id];
        return {
          id: run.id,
          trace: r.trace.path,
          hash: r.trace.hash,
          workload: r.trace.workload,
          iterations: r.trace.iterations,
          config: r.config,
          slowdown: r.slowdown,
        };
      }),
    });
    options.progress.advance(experiment.name);
  }
  options.progress.stop();
  const summaryRows: SummaryRow[] = outcomes.flatMap((o) =>
    o.rows.map((row) => ({ experiment: o.experiment.name, row }))
  );
  const summaryChecks: SummaryCheck[] = outcomes.flatMap((o) =>
    o.checks.map((check) => ({ experiment: o.experiment.name, check }))
  );
  await writeFileAtomic(
    join(options.out, "summary.json"),
    json({
      schema: SUMMARY_SCHEMA,
      ...(options.run === undefined ? {} : { run: options.run }),
      rows: summaryRows.map(({ experiment, row }) => ({ experiment, ...row })),
      checks: summaryChecks.map(({ experiment, check }) => ({ experiment, ...check })),
    }),
  );
  await writeFileAtomic(
    join(options.out, "summary.csv"),
    toCsv(
      ["experiment", "figure", "label", "reproduced", "published", "unit", "rel_error", "role"],
      summaryRows.map(({ experiment, row: r }) => [
        experiment,
        r.figure,
        r.label,
        r.reproduced,
        r.published,
        r.unit,
        r.relError,
        r.role,
      ]),
    ),
  );
  await writeFileAtomic(
    join(options.out, "summary.md"),
    renderMarkdownSummary(summaryRows, summaryChecks) +
      (options.run === undefined ? "" : `\n${runSentence(options.run)}\n`),
  );
  const html = await buildReport({
    title: "vmmlab: reproduced figures",
    note: [options.note, options.run === undefined ? undefined : runSentence(options.run)]
      .filter((n) => n !== undefined).join(" ") || undefined,
    figures,
  });
  await writeFileAtomic(join(options.out, "report.html"), html);
  return outcomes;
}
