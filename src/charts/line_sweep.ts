/**
 * Line charts of a sweep: one line per series over a swept parameter — hardware-assist
 * overhead against VM-exit latency, ballooning against configured memory, sharing against
 * the number of identical VMs.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { firstAppearance } from "./order.ts";
import { figureConfig, PUBLISHED_MARK } from "./theme.ts";
import type { PositionDef, UnitLayer } from "./vl_types.ts";

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
  /**
   * Published values, drawn as hollow black diamonds above the lines (so a line passing
   * through one cannot hide it); their `series` names them in the tooltip.
   */
  references?: readonly SweepDatum[];
}

/** Builds a line chart with point markers; points are connected in order of x. */
export function lineSweep(options: LineSweepOptions): TopLevelSpec {
  const rows = options.data
    .filter((d) => (!options.logX || d.x > 0) && (!options.logY || d.y > 0))
    .map((d) => ({ ...d }));
  const series = firstAppearance(rows, (d) => d.series);
  const x: PositionDef = {
    field: "x",
    type: "quantitative" as const,
    title: options.xTitle,
    scale: options.logX ? { type: "log" as const } : { zero: false },
  };
  const y: PositionDef = {
    field: "y",
    type: "quantitative" as const,
    title: options.yTitle,
    scale: options.logY ? { type: "log" as const } : { zero: options.zeroY ?? true },
  };
  const lines: UnitLayer = {
    mark: { type: "line" as const, point: true },
    encoding: {
      x,
      y,
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
        { field: "y", type: "quantitative" as const, format: ",.4~g" },
      ],
    },
  };
  const head = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    width: 420,
    height: 260,
    data: { values: rows },
  };
  const refs = (options.references ?? []).filter((d) =>
    (!options.logX || d.x > 0) && (!options.logY || d.y > 0)
  ).map((d) => ({ ...d }));
  if (refs.length === 0) {
    return { ...head, mark: lines.mark, encoding: lines.encoding, config: figureConfig() };
  }
  return {
    ...head,
    layer: [lines, {
      data: { values: refs },
      mark: PUBLISHED_MARK,
      encoding: {
        x,
        y,
        tooltip: [
          { field: "series", type: "nominal" },
          { field: "x", type: "quantitative", format: ",.4~g" },
          { field: "y", type: "quantitative", format: ",.4~g", title: "published" },
        ],
      },
    }],
    config: figureConfig(),
  };
}
