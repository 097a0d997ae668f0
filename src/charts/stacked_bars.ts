/**
 * Stacked bar charts: one bar per configuration split into the categories its cycles
 * were charged to — the shape of Adams & Agesen's overhead breakdown (their Figure 5) and
 * of Sugerman et al.'s cost of one packet-sending OUT (their Figure 5).
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";

/** One segment of a stacked bar. */
export interface StackDatum {
  /** The bar the segment belongs to. */
  bar: string;
  /** The category of the segment (legend entry, colour). */
  part: string;
  /** Segment length; non-positive segments are left out. */
  value: number;
}

/** Options of {@link stackedBars}. */
export interface StackedBarsOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (citation, configuration). */
  subtitle?: string;
  /** The segments; bars and parts keep their order of first appearance. */
  data: readonly StackDatum[];
  /** Title of the bar axis. */
  barTitle?: string;
  /** Title of the value axis, with its unit. */
  valueTitle: string;
  /** Draw bars horizontally (long bar names read better that way). */
  horizontal?: boolean;
  /** Stack to 100% of each bar instead of absolute values. */
  normalize?: boolean;
}

/** Builds a stacked bar chart; bar order and stacking order follow the data's order. */
export function stackedBars(options: StackedBarsOptions): TopLevelSpec {
  const filtered = options.data.filter((d) => d.value > 0);
  const parts = firstAppearance(filtered, (d) => d.part);
  const bars = firstAppearance(filtered, (d) => d.bar);
  const rows = filtered.map((d) => ({ ...d, partIndex: parts.indexOf(d.part) }));
  const band = {
    field: "bar",
    type: "nominal",
    sort: bars,
    title: options.barTitle ?? null,
    axis: { labelAngle: options.horizontal || bars.length <= 5 ? 0 : -35, labelLimit: 180 },
  } as const;
  const length = {
    field: "value",
    type: "quantitative",
    title: options.valueTitle,
    stack: options.normalize ? "normalize" : "zero",
    scale: { nice: true },
    axis: options.normalize ? { format: "%" } : {},
  } as const;
  const size = Math.max(160, bars.length * (options.horizontal ? 28 : 90));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    width: options.horizontal ? 420 : size,
    height: options.horizontal ? size : 260,
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      ...(options.horizontal ? { y: band, x: length } : { x: band, y: length }),
      color: {
        field: "part",
        type: "nominal",
        scale: { domain: parts },
        legend: { title: null, orient: "right" },
      },
      order: { field: "partIndex", type: "quantitative" },
      tooltip: [
        { field: "bar", type: "nominal" },
        { field: "part", type: "nominal" },
        { field: "value", type: "quantitative", format: ",.4~g" },
      ],
    },
    config: figureConfig(),
  };
}
