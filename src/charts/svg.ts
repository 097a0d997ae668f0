/**
 * Vega-Lite spec → SVG text with vega's headless view (no canvas, no DOM), text measured
 * with the shipped fonts. The output depends only on the spec (and the font files), so two
 * renders of the same figure are byte-identical.
 *
 * @module
 */

import { parse, View } from "npm:vega@6.4.0";
import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { CollectingLogger, compileFigure } from "./compile.ts";
import { installTextMetrics } from "./text_metrics.ts";

/** An SVG rendering and the warnings raised on the way. */
export interface SvgFigure {
  /** The SVG document text. */
  svg: string;
  /** Vega-Lite and vega warnings, one string each. */
  warnings: string[];
}

/** Renders a Vega-Lite spec to SVG text; deterministic for a given spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<SvgFigure> {
  await installTextMetrics();
  const compiled = compileFigure(spec);
  const logger = new CollectingLogger();
  const view = new View(parse(compiled.spec), { renderer: "none", logger });
  try {
    const svg = await view.toSVG();
    return { svg, warnings: [...compiled.warnings, ...logger.messages] };
  } finally {
    view.finalize();
  }
}
