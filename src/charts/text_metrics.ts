/**
 * Text measurement for vega's headless renderer. Without a canvas, vega guesses every
 * string's width as 0.8 × font size per character, which for DejaVu Sans is about a third
 * too wide: legends spread out, labels are truncated early and bars sized for the wrong
 * text. This installs vega's documented hook (`textMetrics.width`) with the advance
 * widths of the shipped fonts, so layout matches what resvg draws. Deterministic: it
 * depends on the font files only.
 *
 * @module
 */

import * as vega from "npm:vega@6.4.0";
import { loadFonts } from "./fonts.ts";
import { FontMetrics } from "./ttf_metrics.ts";

/** The part of a vega text item the measurement reads. */
export interface TextItem {
  /** Font size in pixels (vega's default 11). */
  fontSize?: number | string;
  /** Font weight (`bold`, `600`, ...). */
  fontWeight?: string | number;
}

/** Regular and bold metrics of the figure font. */
export interface FigureFontMetrics {
  /** DejaVu Sans Book. */
  regular: FontMetrics;
  /** DejaVu Sans Bold. */
  bold: FontMetrics;
}

function fontSize(item: TextItem): number {
  return item.fontSize != null ? (+item.fontSize || 0) : 11;
}

function isBold(item: TextItem): boolean {
  const weight = item.fontWeight;
  if (weight === undefined || weight === null) return false;
  if (typeof weight === "number") return weight >= 600;
  return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
}

/**
 * The width of `text` in `item`'s font. Vega calls this both to size text marks and, through
 * its own truncation, to find where a label longer than `item.limit` is cut; so it measures
 * the text as given and leaves truncation to vega (a truncated label's bounds are then
 * those of the whole label: a little spare room, never a clipped label).
 */
export function measureText(
  metrics: FigureFontMetrics,
  item: TextItem,
  text: unknown,
): number {
  const size = fontSize(item);
  const value = text == null ? "" : String(text).trim();
  if (size <= 0 || value === "") return 0;
  return (isBold(item) ? metrics.bold : metrics.regular).width(value, size);
}

let installed: Promise<FigureFontMetrics> | undefined;

/** Installs the shipped fonts' metrics as vega's text measurement, once per process. */
export function installTextMetrics(): Promise<FigureFontMetrics> {
  installed ??= loadFonts().then((files) => {
    const metrics = {
      regular: FontMetrics.parse(files.regular),
      bold: FontMetrics.parse(files.bold),
    };
    const hook = (vega as unknown as {
      textMetrics: { width: (item: TextItem, text: unknown) => number };
    }).textMetrics;
    hook.width = (item, text) => measureText(metrics, item, text);
    return metrics;
  });
  return installed;
}
