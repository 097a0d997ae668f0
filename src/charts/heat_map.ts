/**
 * Heat maps of a two-parameter sweep: one panel per trace, a cell per pair of swept
 * values, coloured by the measured value and labelled with it, so that a reader gets the
 * number without a legend lookup (`vmmlab sweep` with two `--vary` keys).
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";

/** One cell of a heat map. */
export interface HeatDatum {
  /** The panel (trace) the cell belongs to. */
  panel: string;
  /** Value of the x parameter (shown as a category, in order of first appearance). */
  x: string;
  /** Value of the y parameter (likewise). */
  y: string;
  /** The measured value. */
  value: number;
}

/** Options of {@link heatMap}. */
export interface HeatMapOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (configuration). */
  subtitle?: string;
  /** The cells; panels, x and y values keep their order of first appearance. */
  data: readonly HeatDatum[];
  /** Title of the x axis. */
  xTitle: string;
  /** Title of the y axis. */
  yTitle: string;
  /** Title of the colour legend, with its unit. */
  valueTitle: string;
  /** d3 format of the cell labels (default `.3f`). */
  format?: string;
}

/** Builds a faceted heat map with value labels in every cell. */
export function heatMap(options: HeatMapOptions): TopLevelSpec {
  const rows = options.data.map((d) => ({ ...d }));
  const panels = firstAppearance(rows, (d) => d.panel);
  const xs = firstAppearance(rows, (d) => d.x);
  const ys = firstAppearance(rows, (d) => d.y);
  const values = rows.map((d) => d.value);
  const mid = (Math.min(...values) + Math.max(...values)) / 2;
  const format = options.format ?? ".3f";
  const cell = Math.max(28, Math.min(56, Math.floor(360 / Math.max(1, xs.length))));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: options.subtitle ?? "" },
    data: { values: rows },
    facet: {
      column: {
        field: "panel",
        type: "nominal",
        sort: panels,
        title: null,
        header: { labelFontSize: 12 },
      },
    },
    spec: {
      width: cell * xs.length,
      height: cell * ys.length,
      encoding: {
        // No grid: a rule through a cell would strike through its label.
        x: {
          field: "x",
          type: "ordinal",
          sort: xs,
          title: options.xTitle,
          axis: { grid: false, labelAngle: 0 },
        },
        y: {
          field: "y",
          type: "ordinal",
          // Numbers grow upwards as on any y axis; names read top-down in the order given.
          sort: ys.every((y) => y !== "" && Number.isFinite(Number(y))) ? [...ys].reverse() : ys,
          title: options.yTitle,
          axis: { grid: false },
        },
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            color: {
              field: "value",
              type: "quantitative",
              title: options.valueTitle,
              scale: { scheme: "blues" },
              legend: { orient: "right", titleLimit: 240 },
            },
            tooltip: [
              { field: "panel", type: "nominal" },
              { field: "x", type: "ordinal", title: options.xTitle },
              { field: "y", type: "ordinal", title: options.yTitle },
              { field: "value", type: "quantitative", format, title: options.valueTitle },
            ],
          },
        },
        {
          mark: { type: "text", fontSize: 10 },
          encoding: {
            text: { field: "value", type: "quantitative", format },
            color: {
              condition: { test: `datum.value > ${mid}`, value: "white" },
              value: "black",
            },
          },
        },
      ],
    },
    resolve: { scale: { color: "shared" } },
    config: figureConfig(),
  };
}
