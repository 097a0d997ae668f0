/**
 * The look shared by every vmmlab figure. The font family is the one shipped in
 * `assets/fonts/`, so SVG text measured by vega and PNG text drawn by resvg agree and no
 * figure depends on the fonts of the machine that rendered it.
 *
 * @module
 */

import type { Config } from "npm:vega-lite@6.5.0";

/**
 * The mark of a published value in every figure: a hollow black diamond, drawn above the
 * reproduced bars, dots and lines, so a reproduced value equal to it still shows both.
 */
export const PUBLISHED_MARK = {
  type: "point",
  shape: "diamond",
  filled: false,
  size: 110,
  strokeWidth: 2,
  color: "#000000",
  opacity: 1,
} as const;

/** Font family every figure uses; `assets/fonts/` holds its files. */
export const FONT_FAMILY = "DejaVu Sans";

/** Colours for the series of a figure, in order (colour-blind safe, Okabe-Ito). */
export const SERIES_COLOURS: readonly string[] = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
];

/** Vega-Lite configuration applied to every figure: fixed font, white background, sizes. */
export function figureConfig(): Config {
  return {
    font: FONT_FAMILY,
    background: "white",
    padding: 8,
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e6e6e6" },
    legend: { labelFontSize: 11, titleFontSize: 12 },
    title: { fontSize: 14, anchor: "start", subtitleFontSize: 11, subtitleColor: "#555555" },
    range: { category: [...SERIES_COLOURS] },
  };
}
