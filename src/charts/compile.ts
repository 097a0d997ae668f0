/**
 * Vega-Lite → Vega compilation that keeps Vega-Lite's warnings instead of printing them,
 * so a figure whose spec is subtly wrong (a dropped encoding, a log scale over zero) fails
 * a test rather than scrolling past on stderr.
 *
 * @module
 */

import { compile, type TopLevelSpec } from "npm:vega-lite@6.5.0";
import type { Spec as VegaSpec } from "npm:vega@6.4.0";

/** A Vega spec together with the warnings Vega-Lite raised while compiling it. */
export interface CompiledFigure {
  /** The Vega spec, ready for `vega.parse`. */
  spec: VegaSpec;
  /** Vega-Lite warnings, one string each, in the order they were raised. */
  warnings: string[];
}

/**
 * Logger that records messages instead of writing them to the console. Its methods are
 * arrow functions because vega calls them detached from the logger object.
 */
export class CollectingLogger {
  /** Messages at warning level or above, formatted as one line each. */
  readonly messages: string[] = [];
  #level = 2;

  /** Gets or sets the level, as vega's logger interface requires. */
  level = (level?: number): number | this => {
    if (level === undefined) return this.#level;
    this.#level = level;
    return this;
  };

  /** Records an error message. */
  error = (...args: unknown[]): this => {
    this.messages.push(`error: ${args.map(describe).join(" ")}`);
    return this;
  };

  /** Records a warning message. */
  warn = (...args: unknown[]): this => {
    this.messages.push(args.map(describe).join(" "));
    return this;
  };

  /** Ignores informational messages. */
  info = (..._args: unknown[]): this => this;

  /** Ignores debug messages. */
  debug = (..._args: unknown[]): this => this;
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

/** Compiles a Vega-Lite spec to Vega, collecting warnings rather than printing them. */
export function compileFigure(spec: TopLevelSpec): CompiledFigure {
  const logger = new CollectingLogger();
  const { spec: vegaSpec } = compile(spec, { logger });
  return { spec: vegaSpec, warnings: logger.messages };
}
