/**
 * Building comparison rows: relative error computed one way everywhere, so that every
 * figure, the report and the closing summary agree on what "12% off" means.
 *
 * @module
 */

import type { ComparisonRow, RowInput } from "../../src/charts/comparison_row.ts";

export type { RowInput };

/** `(reproduced - published) / published`; null when published is null or zero. */
export function relativeError(reproduced: number, published: number | null): number | null {
  if (published === null || published === 0 || !Number.isFinite(published)) return null;
  return (reproduced - published) / Math.abs(published);
}

/** Relative distance from a range: 0 inside `[low, high]`, else relative to the nearer edge. */
export function bandError(reproduced: number, band: readonly [number, number]): number | null {
  const [low, high] = band;
  if (reproduced < low) return relativeError(reproduced, low);
  if (reproduced > high) return relativeError(reproduced, high);
  return 0;
}

/** A comparison row with its relative error filled in (band distance when a band is given). */
export function compareRow(input: RowInput): ComparisonRow {
  const relError = input.band
    ? bandError(input.reproduced, input.band)
    : relativeError(input.reproduced, input.published);
  return { ...input, relError };
}
