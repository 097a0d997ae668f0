/**
 * `vmmlab sweep TRACE.. --vary KEY=V1,V2,.. [--vary KEY2=..] [--config SPEC]
 * [--set platform.KEY=VALUE ..] [--option KEY=VALUE ..] [--metric M] [--workers N]
 * [--out DIR|-] [--quiet]`: a study without writing TypeScript. Replays run on the
 * experiment runner's worker pool; outputs are written once every replay is done, so
 * an interrupted or failed sweep leaves no partial file.
 *
 * @module
 */

import { InvalidArgumentError } from "npm:@commander-js/extra-typings@15.1.0";
import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import { join, resolve } from "node:path";
import { renderSvg } from "../charts/svg.ts";
import { svgToPng } from "../charts/png.ts";
import { resolveConfig } from "../engine/config.ts";
import type { Result } from "../engine/result.ts";
import { loadPlatform, withOverrides } from "../platforms/load.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { InputError } from "../util/errors.ts";
import { type NamedConfig, parseConfigSpec } from "./config_spec.ts";
import { canonicalJson } from "./experiment/canonical.ts";
import { DEFAULT_ENGINE_URL } from "./experiment/engine.ts";
import type { Job } from "./experiment/jobs.ts";
import { runJobs } from "./experiment/pool.ts";
import { defaultProgress, type Progress, SilentProgress } from "./experiment/progress.ts";
import { checkOutputFolder } from "./options.ts";
import { writeStdout } from "./output.ts";
import { collect, parseOptionFlags, parseSetFlags } from "./settings.ts";
import {
  checkSweepSize,
  type Metric,
  parseMetric,
  parseVary,
  pointConfig,
  points,
  sweepChart,
  sweepCsv,
  type SweepPoint,
  type Vary,
} from "./sweep.ts";

/** Schema tag of `sweep.json`. */
export const SWEEP_SCHEMA = "vmmlab.sweep/1";

/** What one sweep asks for. */
export interface SweepRequest {
  /** Trace files, as the user named them. */
  traces: string[];
  /** The keys and values to vary. */
  varies: Vary[];
  /** The configuration every point starts from. */
  base: NamedConfig;
  /** Parallel replay workers. */
  workers: number;
  /** Progress display. */
  progress: Progress;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError("Expected a whole number of at least 1.");
  }
  return value;
}

/**
 * Replays every trace at every point on the worker pool; returns the points in plan
 * order (trace by trace, the first key varying slowest), whatever order they finish in.
 */
export async function runSweep(request: SweepRequest): Promise<SweepPoint[]> {
  const plan = points(request.varies);
  const jobs: Job[] = [];
  const where: { trace: string; point: string[] }[] = [];
  for (const trace of request.traces) {
    for (const point of plan) {
      const config = pointConfig(request.base.config, request.varies, point);
      // Checked here, before any worker starts: an unknown platform entry is one line.
      const resolved = resolveConfig(config);
      withOverrides(loadPlatform(resolved.platform), resolved.platformSet);
      const label = request.varies.map((v, i) => `${v.key}=${point[i]}`).join(",");
      // Workers read `root + path`: an absolute path with root "/" reaches any trace.
      const source = { path: resolve(trace) };
      const key = canonicalJson({ trace: source, config });
      jobs.push({ key, file: "", trace: source, config, uses: [`${trace} ${label}`] });
      where.push({ trace, point });
    }
  }
  const results = new Map<Job, Result>();
  request.progress.start(jobs.length, "sweep");
  try {
    await runJobs(jobs, {
      workers: request.workers,
      engine: DEFAULT_ENGINE_URL,
      root: "/",
      onResult(job, result) {
        results.set(job, result);
        request.progress.advance(job.uses[0]);
      },
    });
  } finally {
    request.progress.stop();
  }
  return jobs.map((job, i) => {
    const result = results.get(job)!;
    result.trace = { ...result.trace, path: where[i].trace };
    return { trace: where[i].trace, point: where[i].point, result };
  });
}

/** Writes sweep.csv, sweep.json, sweep.vl.json, sweep.svg and sweep.png into `dir`. */
export async function writeSweep(
  dir: string,
  varies: readonly Vary[],
  base: NamedConfig,
  rows: readonly SweepPoint[],
  metric: Metric,
): Promise<string[]> {
  const c = rows[0]?.result.config;
  const fixed = Object.entries(base.config.platformSet ?? {}).map(([k, v]) => `${k}=${v}`);
  const subtitle = c
    ? `every point: cpu ${c.cpu}, mmu ${c.mmu}, io ${c.io}, memory ${c.memory}, platform ${c.platform}${
      fixed.length > 0 ? `, ${fixed.join(", ")}` : ""
    }`
    : "";
  const spec = sweepChart(varies, rows, metric, subtitle);
  const { svg, warnings } = await renderSvg(spec);
  for (const w of warnings) console.error(`vmmlab: warning: chart: ${w}`);
  const png = await svgToPng(svg);
  const document = {
    schema: SWEEP_SCHEMA,
    base: { label: base.label, config: base.config },
    vary: varies,
    metric,
    points: rows.map((r) => ({ trace: r.trace, values: r.point, result: r.result })),
  };
  const files: [string, string | Uint8Array][] = [
    ["sweep.csv", sweepCsv(varies, rows)],
    ["sweep.json", JSON.stringify(document, null, 2) + "\n"],
    ["sweep.vl.json", JSON.stringify(spec, null, 2) + "\n"],
    ["sweep.svg", svg],
    ["sweep.png", png],
  ];
  for (const [name, data] of files) await writeFileAtomic(join(dir, name), data);
  return files.map(([name]) => join(dir, name));
}

/** Adds the `sweep` subcommand to `program`. */
export function registerSweepCommand(program: Command): void {
  program
    .command("sweep")
    .description(
      "replay traces over a grid of model options and platform costs; write a CSV and a chart",
    )
    .argument("<traces...>", "trace files (.vmt)")
    .option(
      "--vary <key=v1,v2,..>",
      "a key of the compact syntax and its values, e.g. platform.hw.vm-exit=250,500,1000 (once or twice)",
      collect,
      [] as string[],
    )
    .option("--config <spec>", "the configuration every point starts from", "cpu=hw,mmu=nested")
    .option(
      "--set <platform.key=value>",
      "override a platform entry at every point (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--option <key=value>",
      "model option at every point (repeatable)",
      collect,
      [] as string[],
    )
    .option(
      "--metric <name>",
      "what the chart shows: steady-slowdown|overhead|steady-per-iteration|slowdown",
      "steady-slowdown",
    )
    .option("--workers <n>", "parallel replay workers (default: one per core)", positiveInteger)
    .option(
      "--out <dir>",
      "output folder (- prints the CSV on standard output, no chart)",
      "out/sweep",
    )
    .option("--quiet", "no progress display")
    .action(async (traces, o) => {
      const metric = parseMetric(o.metric);
      const varies = o.vary.map(parseVary);
      checkSweepSize(varies, traces.length);
      const base = parseConfigSpec(o.config);
      base.config.options = { ...parseOptionFlags(o.option), ...base.config.options };
      base.config.platformSet = { ...parseSetFlags(o.set), ...base.config.platformSet };
      for (const v of varies) {
        if (
          v.key.startsWith("platform.") && base.config.platformSet[v.key.slice(9)] !== undefined
        ) {
          throw new InputError(`--vary: ${v.key} is also fixed by --set or --config`);
        }
      }
      if (o.out !== "-") checkOutputFolder("--out", o.out);
      for (const t of traces) {
        try {
          if (!Deno.statSync(t).isFile) throw new InputError(`${t}: not a file`);
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) throw new InputError(`${t}: no such trace file`);
          throw e;
        }
      }
      const rows = await runSweep({
        traces,
        varies,
        base,
        workers: Math.max(1, o.workers ?? navigator.hardwareConcurrency ?? 1),
        progress: o.quiet ? new SilentProgress() : defaultProgress(),
      });
      const warned = new Set<string>();
      for (const r of rows) {
        for (const w of Array.isArray(r.result.warnings) ? r.result.warnings : []) {
          if (!warned.has(String(w))) console.error(`vmmlab: warning: ${w}`);
          warned.add(String(w));
        }
      }
      if (o.out === "-") {
        await writeStdout(sweepCsv(varies, rows));
        return;
      }
      const files = await writeSweep(o.out, varies, base, rows, metric);
      console.error(`${rows.length} replays; wrote ${files.join(", ")}`);
    });
}
