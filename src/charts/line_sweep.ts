/**
 * Line charts of a sweep: one line per series over a swept parameter — hardware-assist
 * overhead against VM-exit latency, ballooning against configured memory, sharing against
 * the number of identical VMs.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";

/** One point of a sweep. */
export interface SweepDatum {
  /** The line the point belongs to (legend entry, colour). */
  series: string;
  /** The swept parameter's value. */
  x: number;
  /** The measured value. */
  y: number;
}

/** Options of {@link lineSweep}. */
export interface LineSweepOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (citation, configuration). */
  subtitle?: string;
  /** The points; series keep their order of first appearance. */
  data: readonly SweepDatum[];
  /** Title of the x axis, with its unit. */
  xTitle: string;
  /** Title of the y axis, with its unit. */
  yTitle: string;
  /** Log-scale x axis. */
  logX?: boolean;
  /** Log-scale y axis. */
  logY?: boolean;
  /** Start the y axis at zero (ignored on a log axis; default true). */
  zeroY?: boolean;
}

/** Builds a line chart with point markers; points are connected in order of x. */
export function lineSweep(options: LineSweepOptions): TopLevelSpec {
  const rows = options.data
    .filter((d) => (!options.logX || d.x > 0) && (!options.logY || d.y > 0))
    .map((d) => ({ ...d }));
  const series = firstAppearance(rows, (d) => d.series);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: options.xTitle,
        scale: options.logX ? { type: "log" } : { zero: false },
      },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yTitle,
        scale: options.logY ? { type: "log" } : { zero: options.zeroY ?? true },
      },
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: series },
        legend: { title: null, orient: "top", ...(series.length > 4 ? { columns: 3 } : {}) },
      },
      order: { field: "x", type: "quantitative" },
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "x", type: "quantitative", format: ",.4~g" },
        { field: "y", type: "quantitative", format: ",.4~g" },
      ],
    },
    config: figureConfig(),
  };
}
