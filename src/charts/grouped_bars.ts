/**
 * Grouped bar charts (one group per benchmark, one bar per configuration): the shape of
 * Adams & Agesen's Figure 4 and of most overview figures. On a log scale, where values
 * spread over several orders of magnitude, the bars become dots: a bar's length means
 * nothing on a log axis (it depends on where the axis happens to start).
 *
 * Published references are hollow black diamonds drawn above the bars and dots, so a
 * value equal to its reference still shows both; value labels stand above the higher of
 * the two with a white halo, so no tick, diamond or rule runs through a number.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { decadeTicks } from "./log_axis.ts";
import { firstAppearance } from "./order.ts";
import { figureConfig, PUBLISHED_MARK } from "./theme.ts";
import type { ColorDef, Layer, OffsetDef, PositionDef } from "./vl_types.ts";

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
  /** Line(s) under the title (citation, configuration). */
  subtitle?: string | readonly string[];
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
   * Reference values (e.g. the published ones) drawn as a hollow black diamond at the
   * value, on the bar of the same group and series, so both share one figure.
   */
  references?: readonly BarDatum[];
  /** What the reference diamonds are, shown in their tooltip (default `published`). */
  referenceTitle?: string;
  /**
   * Bars run left to right, one group per row: for figures with many groups (a whole
   * corpus of workloads), whose names would otherwise be slanted and squeezed.
   */
  horizontal?: boolean;
  /**
   * Order of the groups, when it is not their first appearance in the data then the
   * references (e.g. a paper's row order that interleaves rows with and without data).
   */
  groups?: readonly string[];
  /** Values marked by a dashed line across the plot (e.g. the ends of a published range). */
  rules?: readonly number[];
}

/** Pixels per bar along the group axis. */
const BAR_SIZE = 22;

/** Pixels between groups. */
const GROUP_GAP = 20;

/** Average advance of an axis-label character in pixels (DejaVu Sans, 11 px), with margin. */
const LABEL_CHAR_WIDTH = 7.5;

/** Share of the largest value a labelled linear axis extends to, room for its label. */
const LABEL_HEADROOM = 1.1;

/**
 * Builds a grouped bar chart; groups and series keep their order of first appearance in
 * the data, then in the references (a group with only a reference shows its diamonds alone).
 */
export function groupedBars(options: GroupedBarsOptions): TopLevelSpec {
  const keep = (d: BarDatum) => !options.log || d.value > 0;
  const rows = options.data.filter(keep).map((d) => ({ ...d }));
  const refs = (options.references ?? []).filter(keep).map((d) => ({ ...d }));
  const groups = options.groups
    ? [...options.groups]
    : firstAppearance([...rows, ...refs], (d) => d.group);
  const series = firstAppearance([...rows, ...refs], (d) => d.series);
  const horizontal = options.horizontal === true;
  const values = [...rows, ...refs].map((d) => d.value);
  // The axis reaches past the highest bar, reference and rule; labels avoid a diamond by
  // a share of the highest value alone.
  const top = Math.max(0, ...values.concat(options.rules ?? []).filter(Number.isFinite));
  const dataTop = Math.max(0, ...values);
  const group: PositionDef = {
    field: "group",
    type: "nominal",
    sort: groups,
    title: options.groupTitle ?? null,
    axis: horizontal ? { labelLimit: 220 } : { labelAngle: groups.length > 8 ? -40 : 0 },
  };
  const offset: OffsetDef = { field: "series", type: "nominal", sort: series };
  const value: PositionDef = {
    field: "value",
    type: "quantitative",
    title: options.valueTitle,
    // A linear axis with value labels reaches a little past the largest value, so the
    // label of the longest bar is not cut off at the plot's edge.
    scale: options.log
      ? { type: "log" }
      : options.labelFormat && top > 0
      ? { zero: true, domainMax: top * LABEL_HEADROOM }
      : { zero: true },
    axis: options.log ? { values: decadeTicks([...rows, ...refs].map((d) => d.value)) } : {},
    stack: null,
  };
  const position = horizontal
    ? { y: group, yOffset: offset, x: value }
    : { x: group, xOffset: offset, y: value };
  // One series colouring for the bars and the faded reference-only bars, so both share a legend.
  const color: ColorDef = {
    field: "series",
    type: "nominal",
    scale: { domain: series },
    legend: { title: null, orient: "top", symbolOpacity: 1 },
  };
  const log = options.log === true;
  const layers: Layer[] = [{
    mark: log ? { type: "point", filled: true, size: 70, opacity: 1 } : { type: "bar" },
    encoding: {
      ...position,
      color,
      tooltip: [
        { field: "group", type: "nominal" },
        { field: "series", type: "nominal" },
        { field: "value", type: "quantitative", format: ",.4~g" },
      ],
    },
  }];
  // A group without any reproduced bar shows its references as faded bars under the
  // diamonds, so a published-only row still reads as a bar chart.
  const withData = new Set(rows.map((d) => d.group));
  const orphans = refs.filter((d) => !withData.has(d.group));
  if (orphans.length > 0) {
    layers.push({
      data: { values: orphans },
      mark: log ? { type: "point", filled: true, size: 70, opacity: 0.3 } : {
        type: "bar",
        opacity: 0.3,
      },
      encoding: {
        ...position,
        color,
      },
    });
  }
  if (refs.length > 0) {
    layers.push({
      data: { values: refs },
      mark: PUBLISHED_MARK,
      encoding: {
        ...position,
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
  if (options.rules && options.rules.length > 0) {
    const field: PositionDef = { field: "value", type: "quantitative" };
    layers.push({
      data: { values: options.rules.map((v) => ({ value: v })) },
      mark: { type: "rule", strokeDash: [6, 4], color: "#000000" },
      encoding: horizontal ? { x: field } : { y: field },
    });
  }
  if (options.labelFormat) {
    // A label stands past its value, or past its reference when the reference's diamond
    // sits just beyond the value (where it would run through the text); it is drawn twice:
    // a white halo first, so a rule under it is masked, then the text.
    const refAt = new Map(refs.map((r) => [`${r.group}\u0000${r.series}`, r.value]));
    const spanDecades = log
      ? Math.max(1, Math.log10(dataTop / Math.min(...values.filter((v) => v > 0), dataTop)))
      : 0;
    const collides = (value: number, ref: number) =>
      ref >= value &&
      (log ? Math.log10(ref / value) < 0.08 * spanDecades : ref - value < 0.08 * dataTop);
    const labelled = rows.map((d) => {
      const ref = refAt.get(`${d.group}\u0000${d.series}`);
      return { ...d, at: ref !== undefined && collides(d.value, ref) ? ref : d.value };
    });
    const at: PositionDef = { ...value, field: "at" };
    const labelPosition = horizontal ? { ...position, x: at } : { ...position, y: at };
    for (const halo of [true, false]) {
      const paint = halo ? { stroke: "#ffffff", strokeWidth: 3, color: "#ffffff" } : {
        color: "#333333",
      };
      layers.push({
        data: { values: labelled },
        mark: horizontal
          ? { type: "text", dx: 8, align: "left", baseline: "middle", fontSize: 8, ...paint }
          : { type: "text", dy: -7, baseline: "bottom", fontSize: 8, ...paint },
        encoding: {
          ...labelPosition,
          text: { field: "value", type: "quantitative", format: options.labelFormat },
        },
      });
    }
  }
  // Up to eight groups keep their labels level: each group is made wide enough for its label.
  const label = groups.length > 8
    ? 0
    : LABEL_CHAR_WIDTH * Math.max(0, ...groups.map((g) => g.length));
  const along = groups.length * Math.max(72, series.length * BAR_SIZE + GROUP_GAP, label);
  const subtitle = options.subtitle ?? "";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: options.title,
      subtitle: typeof subtitle === "string" ? subtitle : [...subtitle],
    },
    width: horizontal ? 560 : Math.max(320, along),
    height: horizontal
      ? Math.max(160, groups.length * (series.length * (BAR_SIZE / 2) + GROUP_GAP / 2))
      : options.height ?? 260,
    data: { values: rows },
    layer: layers,
    config: figureConfig(),
  };
}
