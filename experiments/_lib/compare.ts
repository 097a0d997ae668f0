/**
 * Building comparison rows: relative error computed one way everywhere, so that every
 * figure, the report and the closing summary agree on what "12% off" means.
 *
 * @module
 */

import type { ComparisonRow, Role } from "./experiment.ts";

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

/** Fields of a row before its relative error is computed. */
export interface RowInput {
  /** See {@link ComparisonRow.figure}. */
  figure: string;
  /** See {@link ComparisonRow.label}. */
  label: string;
  /** See {@link ComparisonRow.reproduced}. */
  reproduced: number;
  /** See {@link ComparisonRow.published}. */
  published: number | null;
  /** See {@link ComparisonRow.band}. */
  band?: readonly [number, number];
  /** See {@link ComparisonRow.unit}. */
  unit: string;
  /** See {@link ComparisonRow.role}. */
  role: Role;
  /** See {@link ComparisonRow.runs}. */
  runs: readonly string[];
  /** See {@link ComparisonRow.note}. */
  note?: string;
  /** See {@link ComparisonRow.native}. */
  native?: boolean;
}

/** A comparison row with its relative error filled in (band distance when a band is given). */
export function compareRow(input: RowInput): ComparisonRow {
  const relError = input.band
    ? bandError(input.reproduced, input.band)
    : relativeError(input.reproduced, input.published);
  return { ...input, relError };
}
