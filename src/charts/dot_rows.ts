/**
 * Dot rows: one row per category, one dot per series along a value axis, a thin rule
 * from the smallest to the largest dot. It is the readable form of a sweep over a few
 * settings (platform profiles) for many categories (every corpus workload): twenty lines
 * of four points each tangle in a line chart, while rows keep every workload's own
 * spread visible and its name on the axis.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { decadeTicks } from "./log_axis.ts";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";
import type { Layer, PositionDef } from "./vl_types.ts";

/** One dot: its row, its series (colour) and its value. */
export interface DotDatum {
  /** Row the dot stands in (y axis category). */
  row: string;
  /** Series the dot belongs to (legend entry, colour). */
  series: string;
  /** Position on the value axis. */
  value: number;
}

/** Options of {@link dotRows}. */
export interface DotRowsOptions {
  /** Figure title. */
  title: string;
  /** Line(s) under the title. */
  subtitle?: string | readonly string[];
  /** The dots, in the order rows and series should appear. */
  data: readonly DotDatum[];
  /** Title of the value axis, with its unit. */
  valueTitle: string;
  /** Title of the legend (what the series are). */
  seriesTitle?: string;
  /** Log-scale value axis; non-positive values are left out. */
  log?: boolean;
}

/** Builds a dot-row chart; rows and series keep their order of first appearance. */
export function dotRows(options: DotRowsOptions): TopLevelSpec {
  const dots = options.data.filter((d) => !options.log || d.value > 0).map((d) => ({ ...d }));
  const rows = firstAppearance(dots, (d) => d.row);
  const series = firstAppearance(dots, (d) => d.series);
  const spans = rows.map((row) => {
    const values = dots.filter((d) => d.row === row).map((d) => d.value);
    return { row, low: Math.min(...values), high: Math.max(...values) };
  });
  const y: PositionDef = {
    field: "row",
    type: "nominal",
    sort: rows,
    title: null,
    axis: { labelLimit: 220, grid: true },
  };
  const scale = options.log ? { type: "log" as const } : { zero: false };
  const axis = options.log ? { values: decadeTicks(dots.map((d) => d.value)) } : {};
  const layers: Layer[] = [
    {
      data: { values: spans },
      mark: { type: "rule", color: "#999999", strokeWidth: 1.5 },
      encoding: {
        y,
        x: { field: "low", type: "quantitative", scale, axis, title: options.valueTitle },
        x2: { field: "high" },
      },
    },
    {
      data: { values: dots },
      mark: { type: "point", filled: true, size: 70, opacity: 1 },
      encoding: {
        y,
        x: { field: "value", type: "quantitative", scale, axis, title: options.valueTitle },
        color: {
          field: "series",
          type: "nominal",
          scale: { domain: series },
          legend: {
            title: options.seriesTitle ?? null,
            orient: "top",
            columns: 2,
            labelLimit: 320,
          },
        },
        tooltip: [
          { field: "row", type: "nominal" },
          { field: "series", type: "nominal" },
          { field: "value", type: "quantitative", format: ",.4~g" },
        ],
      },
    },
  ];
  const subtitle = options.subtitle ?? "";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: options.title,
      subtitle: typeof subtitle === "string" ? subtitle : [...subtitle],
    },
    width: 520,
    height: Math.max(120, rows.length * 20),
    layer: layers,
    config: figureConfig(),
  };
}
