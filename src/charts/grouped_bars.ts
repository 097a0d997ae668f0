/**
 * Grouped bar charts (one group per benchmark, one bar per configuration), optionally on
 * a log scale: the shape of Adams & Agesen's Figure 4 and of most overview figures, where
 * values spread over several orders of magnitude.
 *
 * @module
 */

import type { TopLevelSpec } from "vega-lite";
import { decadeTicks } from "./log_axis.ts";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";
import type { Layer, OffsetDef, PositionDef } from "./vl_types.ts";

/** One bar: its group on the x axis, its series (colour) and its value. */
export interface BarDatum {
  /** Group the bar stands in (x axis category). */
  group: string;
  /** Series the bar belongs to (legend entry, colour). */
  series: string;
  /** Bar height. */
  value: number;
}

/** Options of {@link groupedBars}. */
export interface GroupedBarsOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (citation, configuration). */
  subtitle?: string;
  /** The bars, in the order groups and series should appear. */
  data: readonly BarDatum[];
  /** Title of the group axis. */
  groupTitle?: string;
  /** Title of the value axis, with its unit. */
  valueTitle: string;
  /** Log-scale value axis; non-positive values are left out, as a log axis cannot show them. */
  log?: boolean;
  /** Print each bar's value above it, formatted with this d3-format string (e.g. `.3~s`). */
  labelFormat?: string;
  /** Plot height in pixels (default 260). */
  height?: number;
  /**
   * Reference values (e.g. the published ones) drawn as a black tick across the bar of the
   * same group and series, so reproduced and published values share one figure.
   */
  references?: readonly BarDatum[];
  /** What the reference ticks are, shown in their tooltip (default `published`). */
  referenceTitle?: string;
}

/** Builds a grouped bar chart; groups and series keep their order of first appearance. */
export function groupedBars(options: GroupedBarsOptions): TopLevelSpec {
  const rows = options.data.filter((d) => !options.log || d.value > 0).map((d) => ({ ...d }));
  const groups = firstAppearance(rows, (d) => d.group);
  const series = firstAppearance(rows, (d) => d.series);
  const x: PositionDef = {
    field: "group",
    type: "nominal",
    sort: groups,
    title: options.groupTitle ?? null,
    axis: { labelAngle: groups.length > 8 ? -40 : 0 },
  };
  const xOffset: OffsetDef = { field: "series", type: "nominal", sort: series };
  const y: PositionDef = {
    field: "value",
    type: "quantitative",
    title: options.valueTitle,
    scale: options.log ? { type: "log" } : { zero: true },
    axis: options.log
      ? { values: decadeTicks([...rows, ...(options.references ?? [])].map((d) => d.value)) }
      : {},
    stack: null,
  };
  const layers: Layer[] = [{
    mark: { type: "bar" },
    encoding: {
      x,
      xOffset,
      y,
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: series },
        legend: { title: null, orient: "top" },
      },
      tooltip: [
        { field: "group", type: "nominal" },
        { field: "series", type: "nominal" },
        { field: "value", type: "quantitative", format: ",.4~g" },
      ],
    },
  }];
  if (options.references && options.references.length > 0) {
    const refs = options.references.filter((d) => !options.log || d.value > 0).map((d) => ({
      ...d,
    }));
    layers.push({
      data: { values: refs },
      mark: { type: "tick", thickness: 2, color: "#000000" },
      encoding: {
        x,
        xOffset,
        y,
        tooltip: [
          { field: "group", type: "nominal" },
          { field: "series", type: "nominal" },
          {
            field: "value",
            type: "quantitative",
            format: ",.4~g",
            title: options.referenceTitle ?? "published",
          },
        ],
      },
    });
  }
  if (options.labelFormat) {
    layers.push({
      mark: { type: "text", dy: -3, baseline: "bottom", fontSize: 8, color: "#333333" },
      encoding: {
        x,
        xOffset,
        y,
        text: { field: "value", type: "quantitative", format: options.labelFormat },
      },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    width: Math.max(320, groups.length * (series.length * 22 + 20)),
    height: options.height ?? 260,
    data: { values: rows },
    layer: layers,
    config: figureConfig(),
  };
}
