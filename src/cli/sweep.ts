/**
 * `vmmlab sweep`: the plan (every trace under every combination of the `--vary` values),
 * the CSV of the measured points and the chart — a line per trace over one numeric key,
 * or a heat map per trace over two keys. Pure functions of the plan and the results; the
 * command (sweep_command.ts) runs the replays.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { heatMap } from "../charts/heat_map.ts";
import { lineSweep } from "../charts/line_sweep.ts";
import type { ReplayConfig } from "../engine/config.ts";
import type { Result } from "../engine/result.ts";
import {
  nativePerIteration,
  oneTimeCycles,
  steadySlowdown,
  steadyVirtualizedPerIteration,
} from "../engine/steady_state.ts";
import { InputError, UsageError } from "../util/errors.ts";
import { applySetting, splitPair } from "./config_spec.ts";
import { type Cell, toCsv } from "./experiment/csv.ts";

/** One `--vary KEY=V1,V2,..`. */
export interface Vary {
  /** Key in the compact configuration syntax (`platform.hw.vm-exit`, `mmu.pwc-entries`). */
  key: string;
  /** Values in the order given. */
  values: string[];
}

/** The most points one sweep may plan (every size from input is bounded). */
export const MAX_POINTS = 10_000;

/** Parses one `--vary` flag; the key is checked by applying each value to a scratch config. */
export function parseVary(flag: string): Vary {
  const [key, raw] = splitPair("--vary", flag);
  const values = raw.split(",").map((v) => v.trim());
  if (values.some((v) => v === "")) {
    throw new InputError(`--vary: ${key}: empty value in "${raw}" (write KEY=V1,V2,..)`);
  }
  if (new Set(values).size !== values.length) {
    throw new InputError(`--vary: ${key}: a value is given twice in "${raw}"`);
  }
  if (key === "label") throw new InputError("--vary: label cannot be varied");
  for (const v of values) applySetting("--vary", {}, key, v);
  return { key, values };
}

/** One combination of values, one per vary key, in the keys' order. */
export type Point = string[];

/** Every combination of the values, the first key varying slowest. */
export function points(varies: readonly Vary[]): Point[] {
  let out: Point[] = [[]];
  for (const v of varies) out = out.flatMap((p) => v.values.map((x) => [...p, x]));
  return out;
}

/** Checks the number of keys and points before any work. */
export function checkSweepSize(varies: readonly Vary[], traces: number): void {
  if (varies.length === 0) throw new UsageError("sweep needs at least one --vary KEY=V1,V2,..");
  if (varies.length > 2) {
    throw new UsageError("sweep varies at most two keys at once (a line chart or a heat map)");
  }
  const keys = new Set(varies.map((v) => v.key));
  if (keys.size !== varies.length) throw new InputError("--vary: the same key is varied twice");
  const n = varies.reduce((s, v) => s * v.values.length, 1) * traces;
  if (n > MAX_POINTS) {
    throw new InputError(`--vary: ${n} replays planned, more than the ${MAX_POINTS} allowed`);
  }
}

/** `base` with the point's values applied (a deep enough copy: base is not changed). */
export function pointConfig(
  base: ReplayConfig & { platform?: string },
  varies: readonly Vary[],
  point: Point,
): ReplayConfig & { platform?: string } {
  const config = {
    ...base,
    options: { ...base.options },
    platformSet: { ...base.platformSet },
  };
  varies.forEach((v, i) => applySetting("--vary", config, v.key, point[i]));
  return config;
}

/** What the chart and the CSV's headline column measure. */
export const METRICS = {
  "steady-slowdown": "steady-state slowdown over native (x)",
  "overhead": "steady-state overhead over native (%)",
  "steady-per-iteration": "steady-state virtualized cycles per iteration",
  "slowdown": "slowdown of the recorded window (x)",
} as const;

/** Short titles of the metrics, for legends. */
const SHORT: Readonly<Record<Metric, string>> = {
  "steady-slowdown": "slowdown (x)",
  "overhead": "overhead (%)",
  "steady-per-iteration": "cycles/iteration",
  "slowdown": "window slowdown (x)",
};

/** d3 formats of the metrics' cell labels. */
const FORMAT: Readonly<Record<Metric, string>> = {
  "steady-slowdown": ".3f",
  "overhead": ".1f",
  "steady-per-iteration": ",.0f",
  "slowdown": ".3f",
};

/** A metric name. */
export type Metric = keyof typeof METRICS;

/** Checks a `--metric` value. */
export function parseMetric(raw: string): Metric {
  if (!Object.hasOwn(METRICS, raw)) {
    throw new UsageError(`--metric must be one of ${Object.keys(METRICS).join(", ")}, not ${raw}`);
  }
  return raw as Metric;
}

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}

/** The value of `metric` in a result. */
export function metricOf(result: Result, metric: Metric): number {
  switch (metric) {
    case "steady-slowdown":
      return round(steadySlowdown(result), 1e6);
    case "overhead":
      return round(100 * (steadySlowdown(result) - 1), 1e4);
    case "steady-per-iteration":
      return round(steadyVirtualizedPerIteration(result), 100);
    case "slowdown":
      return result.slowdown;
  }
}

/** One measured point: which trace, which values, its result. */
export interface SweepPoint {
  /** The trace as the user named it. */
  trace: string;
  /** The values, one per vary key. */
  point: Point;
  /** The replay's result. */
  result: Result;
}

/** The sweep's CSV: one row per trace and point, a column per vary key, then the figures. */
export function sweepCsv(varies: readonly Vary[], rows: readonly SweepPoint[]): string {
  const header = [
    "trace",
    "workload",
    ...varies.map((v) => v.key),
    "cpu",
    "mmu",
    "io",
    "memory",
    "platform",
    "iterations",
    "native_per_iteration",
    "steady_per_iteration",
    "window_per_iteration",
    "one_time_cycles",
    "steady_slowdown",
    "window_slowdown",
    "overhead_percent",
    "warnings",
  ];
  const body = rows.map(({ trace, point, result: r }): Cell[] => [
    trace,
    r.trace.workload,
    ...point,
    r.config.cpu,
    r.config.mmu,
    r.config.io,
    r.config.memory,
    r.config.platform,
    r.trace.iterations,
    round(nativePerIteration(r), 100),
    round(steadyVirtualizedPerIteration(r), 100),
    r.cycles.perIteration.virtualized,
    round(oneTimeCycles(r), 100),
    metricOf(r, "steady-slowdown"),
    r.slowdown,
    metricOf(r, "overhead"),
    Array.isArray(r.warnings) ? r.warnings.join(" | ") : "",
  ]);
  return toCsv(header, body);
}

/** Names each trace by its workload, or by its path when two traces share a workload. */
function panelNames(rows: readonly SweepPoint[]): Map<string, string> {
  const byWorkload = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = byWorkload.get(r.result.trace.workload) ?? new Set();
    set.add(r.trace);
    byWorkload.set(r.result.trace.workload, set);
  }
  const out = new Map<string, string>();
  for (const r of rows) {
    const shared = (byWorkload.get(r.result.trace.workload)?.size ?? 0) > 1;
    out.set(r.trace, shared ? r.trace : r.result.trace.workload);
  }
  return out;
}

/** Positive values spanning two decades or more read better on a log axis (TLB sizes, 2^k). */
export function spansDecades(values: readonly number[]): boolean {
  if (values.length < 3 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) >= 100;
}

/**
 * The chart: one numeric key gives a line per trace; one non-numeric key a heat map of
 * traces against its values; two keys a heat map per trace.
 */
export function sweepChart(
  varies: readonly Vary[],
  rows: readonly SweepPoint[],
  metric: Metric,
  subtitle: string,
): TopLevelSpec {
  const names = panelNames(rows);
  const yTitle = METRICS[metric];
  const title = `vmmlab sweep: ${yTitle} against ${varies.map((v) => v.key).join(" and ")}`;
  if (varies.length === 1 && varies[0].values.every((v) => Number.isFinite(Number(v)))) {
    return lineSweep({
      title,
      subtitle,
      data: rows.map((r) => ({
        series: names.get(r.trace)!,
        x: Number(r.point[0]),
        y: metricOf(r.result, metric),
      })),
      xTitle: varies[0].key,
      yTitle,
      logX: spansDecades(varies[0].values.map(Number)),
      zeroY: metric !== "steady-slowdown",
    });
  }
  if (varies.length === 1) {
    return heatMap({
      title,
      subtitle,
      data: rows.map((r) => ({
        panel: "",
        x: r.point[0],
        y: names.get(r.trace)!,
        value: metricOf(r.result, metric),
      })),
      xTitle: varies[0].key,
      yTitle: "trace",
      valueTitle: SHORT[metric],
      format: FORMAT[metric],
    });
  }
  return heatMap({
    title,
    subtitle,
    data: rows.map((r) => ({
      panel: names.get(r.trace)!,
      x: r.point[0],
      y: r.point[1],
      value: metricOf(r.result, metric),
    })),
    xTitle: varies[0].key,
    yTitle: varies[1].key,
    valueTitle: SHORT[metric],
    format: FORMAT[metric],
  });
}
