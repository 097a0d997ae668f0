/**
 * Reproduced-versus-published bars: for every compared number, the value vmmlab
 * reproduced beside the value the paper published, with the relative error printed over
 * the pair and predictions (numbers not used for calibration) marked with a dagger, so a
 * reader sees at a glance how close each reproduction is and which ones were free to miss.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { formatRelError } from "./format.ts";
import { decadeTicks } from "./log_axis.ts";
import { firstAppearance } from "./order.ts";
import { figureConfig } from "./theme.ts";
import type { Layer, OffsetDef, PositionDef } from "./vl_types.ts";

/** One compared number. */
export interface ComparisonDatum {
  /** What the number is (benchmark, configuration). */
  label: string;
  /** The value vmmlab reproduced. */
  reproduced: number;
  /** The value the paper published, or null when it published none. */
  published: number | null;
  /** `(reproduced - published) / published`, or null without a published value. */
  relError: number | null;
  /** True when the number was not used for calibration: a prediction. */
  prediction: boolean;
}

/** Options of {@link comparisonBars}. */
export interface ComparisonBarsOptions {
  /** Figure title. */
  title: string;
  /** Line under the title (citation). */
  subtitle?: string;
  /** The compared numbers, in display order. */
  data: readonly ComparisonDatum[];
  /** Title of the value axis, with its unit. */
  valueTitle: string;
  /** Log-scale value axis (non-positive values are left out). */
  log?: boolean;
}

/** Mark appended to the label of a prediction. */
export const PREDICTION_MARK = " †";

/** Builds the side-by-side chart of reproduced and published values with error labels. */
export function comparisonBars(options: ComparisonBarsOptions): TopLevelSpec {
  const keep = (v: number | null): v is number => v !== null && (!options.log || v > 0);
  const bars: { label: string; source: string; value: number }[] = [];
  const errors: { label: string; top: number; error: string }[] = [];
  for (const d of options.data) {
    const label = d.prediction ? d.label + PREDICTION_MARK : d.label;
    if (keep(d.reproduced)) bars.push({ label, source: "reproduced", value: d.reproduced });
    if (keep(d.published)) bars.push({ label, source: "published", value: d.published });
    const tops = [d.reproduced, d.published].filter(keep);
    if (tops.length > 0 && d.relError !== null) {
      errors.push({ label, top: Math.max(...tops), error: formatRelError(d.relError) });
    }
  }
  const labels = firstAppearance(bars, (d) => d.label);
  const sources = ["reproduced", "published"];
  const x: PositionDef = {
    field: "label",
    type: "nominal",
    sort: labels,
    title: null,
    axis: { labelAngle: labels.length > 6 ? -40 : 0, labelLimit: 160 },
  };
  const xOffset: OffsetDef = { field: "source", type: "nominal", sort: sources };
  const scale = options.log ? { type: "log" as const } : { zero: true };
  const layers: Layer[] = [
    {
      data: { values: bars },
      mark: { type: "bar" },
      encoding: {
        x,
        xOffset,
        y: {
          field: "value",
          type: "quantitative",
          title: options.valueTitle,
          scale,
          stack: null,
          axis: options.log ? { values: decadeTicks(bars.map((b) => b.value)) } : {},
        },
        color: {
          field: "source",
          type: "nominal",
          scale: { domain: sources, range: ["#0072B2", "#BBBBBB"] },
          legend: { title: null, orient: "top" },
        },
        tooltip: [
          { field: "label", type: "nominal" },
          { field: "source", type: "nominal" },
          { field: "value", type: "quantitative", format: ",.4~g" },
        ],
      },
    },
    {
      data: { values: errors },
      mark: { type: "text", dy: -4, baseline: "bottom", fontSize: 10, color: "#222222" },
      encoding: {
        x,
        y: { field: "top", type: "quantitative", scale, stack: null },
        text: { field: "error", type: "nominal" },
      },
    },
  ];
  const hasPrediction = options.data.some((d) => d.prediction);
  const notes = [options.subtitle ?? ""];
  if (hasPrediction) notes.push("† prediction: not used for calibration");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: notes.filter((n) => n !== "") },
    width: Math.max(320, labels.length * 52),
    height: 260,
    layer: layers,
    config: figureConfig(),
  };
}
