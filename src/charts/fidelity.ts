/**
 * How far a reproduced number is from its published one, measured so that the measure
 * means the same on every row, and the one-line fidelity scoreboard built from it.
 *
 * A relative error misleads in two places: on quantities that are already percentages
 * (a published 2% reproduced as 48.8% is "+2340%", though it is 46.8 percentage points),
 * and in aggregates (a value half the published one is -50%, one twice it is +100%, for
 * the same factor of two). So percentages are compared by their difference in percentage
 * points, and everything else by the log-ratio ln(reproduced / published), shown as the
 * factor it stands for (x1.5, /2.0).
 *
 * @module
 */

import { formatRelError } from "./format.ts";
import type { Check, ComparisonRow } from "./comparison_row.ts";

/** The fields of a comparison row the measure reads. */
export type MeasuredRow = Pick<
  ComparisonRow,
  "reproduced" | "published" | "band" | "unit" | "role" | "native"
>;

/** The fields of a check the scoreboard reads. */
export type MeasuredCheck = Pick<Check, "passed" | "role">;

/** A row's error: percentage points, or a natural log-ratio. Signed: positive is above. */
export type HeadlineError =
  | { readonly kind: "pp"; readonly value: number }
  | { readonly kind: "log"; readonly value: number };

/** Whether a row's values are percentages (compared in percentage points). */
export function isPercentUnit(unit: string): boolean {
  return unit.trimStart().startsWith("%") || unit === "points";
}

/** The published value a row is measured against: its value, or the nearer end of its range. */
function target(row: MeasuredRow): number | null {
  if (row.band) {
    const [low, high] = row.band;
    if (row.reproduced < low) return low;
    if (row.reproduced > high) return high;
    return row.reproduced;
  }
  return row.published;
}

/** The row's headline error; null when there is nothing to compare or no ratio exists. */
export function headlineError(row: MeasuredRow): HeadlineError | null {
  const t = target(row);
  if (t === null || !Number.isFinite(t) || !Number.isFinite(row.reproduced)) return null;
  if (isPercentUnit(row.unit)) return { kind: "pp", value: row.reproduced - t };
  if (t <= 0 || row.reproduced <= 0) return null;
  return { kind: "log", value: Math.log(row.reproduced / t) };
}

/** `+4.2 pp`, `x1.52` (above), `/2.10` (below), or `n/a`. */
export function formatHeadlineError(error: HeadlineError | null): string {
  if (error === null) return "n/a";
  if (error.kind === "pp") {
    const text = error.value.toFixed(1);
    return `${error.value >= 0 || Number(text) === 0 ? "+" : ""}${text.replace("-0.0", "0.0")} pp`;
  }
  const factor = Math.exp(Math.abs(error.value));
  return `${error.value >= 0 ? "x" : "/"}${factor.toFixed(2)}`;
}

/** The one-line summary of how close the predictions come. */
export interface Scoreboard {
  /** Prediction rows. */
  readonly predictions: number;
  /** Prediction rows with a log-ratio (not percentages, positive values). */
  readonly ratioRows: number;
  /** Median |ln(reproduced / published)| over those, or null. */
  readonly medianAbsLogRatio: number | null;
  /** Prediction rows with any headline error. */
  readonly scored: number;
  /** Of those, the share within 25%: ratio within [1/1.25, 1.25], or within 5 points. */
  readonly shareWithin25: number | null;
  /** Prediction checks (orderings, ranges) that held. */
  readonly checksHeld: number;
  /** Prediction checks that could be judged. */
  readonly checksJudged: number;
}

/** Percentage-point distance that counts as "within 25%" for a percentage row. */
export const WITHIN_POINTS = 5;

/** The median of some numbers, or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The scoreboard of a set of rows and checks; calibration rows and checks do not count. */
export function scoreboard(
  rows: readonly MeasuredRow[],
  checks: readonly MeasuredCheck[],
): Scoreboard {
  const predictions = rows.filter((r) => r.role === "prediction");
  const errors = predictions.map(headlineError).filter((e): e is HeadlineError => e !== null);
  const logs = errors.filter((e) => e.kind === "log").map((e) => Math.abs(e.value));
  const within =
    errors.filter((e) =>
      e.kind === "log" ? Math.abs(e.value) <= Math.log(1.25) : Math.abs(e.value) <= WITHIN_POINTS
    ).length;
  const judged = checks.filter((c) => c.role === "prediction" && c.passed !== null);
  return {
    predictions: predictions.length,
    ratioRows: logs.length,
    medianAbsLogRatio: median(logs),
    scored: errors.length,
    shareWithin25: errors.length > 0 ? within / errors.length : null,
    checksHeld: judged.filter((c) => c.passed).length,
    checksJudged: judged.length,
  };
}

/** `Fidelity: 60 predictions; median |log-ratio| 0.41 (x1.51); 34% within 25%; 9 of 14 checks held`. */
export function formatScoreboard(s: Scoreboard): string {
  const median = s.medianAbsLogRatio === null
    ? "n/a"
    : `${s.medianAbsLogRatio.toFixed(2)} (x${Math.exp(s.medianAbsLogRatio).toFixed(2)})`;
  const within = s.shareWithin25 === null ? "n/a" : `${Math.round(100 * s.shareWithin25)}%`;
  return `Fidelity: ${s.predictions} predictions; median |log-ratio| ${median} over ` +
    `${s.ratioRows} ratio rows; ${within} of ${s.scored} within 25% ` +
    `(percentages: within ${WITHIN_POINTS} points); ` +
    `${s.checksHeld} of ${s.checksJudged} prediction checks (orderings, ranges) held`;
}

/**
 * The native-time rows' line: how far the native baseline itself is from the native times
 * the papers measured (those rows also count among the predictions above).
 */
export function formatNativeScoreboard(rows: readonly MeasuredRow[]): string {
  const native = rows.filter((r) => r.native === true && r.role === "prediction");
  const s = scoreboard(native, []);
  if (s.scored === 0) return "Native baseline: no native-time rows";
  const median = s.medianAbsLogRatio === null
    ? "n/a"
    : `${s.medianAbsLogRatio.toFixed(2)} (x${Math.exp(s.medianAbsLogRatio).toFixed(2)})`;
  const within = s.shareWithin25 === null ? "n/a" : `${Math.round(100 * s.shareWithin25)}%`;
  return `Native baseline: ${s.predictions} native-time rows (published native times and ` +
    `rates vs native cycles per iteration x iterations / clock); median |log-ratio| ` +
    `${median} over ${s.ratioRows}; ${within} of ${s.scored} within 25%`;
}

/**
 * A row's error for its table cell: percentage points for a percentage row, else the
 * relative error (`relError`, as computed by the experiment) in percent.
 */
export function formatRowError(row: MeasuredRow & { readonly relError: number | null }): string {
  return isPercentUnit(row.unit)
    ? formatHeadlineError(headlineError(row))
    : formatRelError(row.relError);
}
