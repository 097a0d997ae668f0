/**
 * The closing summary: every reproduced number beside the published one with its error,
 * predictions labelled as such, and the qualitative checks — printed as a plain table
 * (no colours, so logs and terminals show the same text).
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
import { formatRelError, formatValue } from "../../charts/format.ts";
import {
  formatHeadlineError,
  formatNativeScoreboard,
  formatRowError,
  formatScoreboard,
  headlineError,
  scoreboard,
} from "../../charts/fidelity.ts";
import type { Check, ComparisonRow } from "../../../experiments/_lib/experiment.ts";

/** A row tagged with the experiment it came from. */
export interface SummaryRow {
  /** Experiment name. */
  experiment: string;
  /** The compared number. */
  row: ComparisonRow;
}

/** A check tagged with the experiment it came from. */
export interface SummaryCheck {
  /** Experiment name. */
  experiment: string;
  /** The check. */
  check: Check;
}

function published(row: ComparisonRow): string {
  return row.band
    ? `${formatValue(row.band[0])}-${formatValue(row.band[1])}`
    : formatValue(row.published);
}

/** Relative error beyond which a calibration row is reported as drifted. */
export const CALIBRATION_TOLERANCE = 0.1;

/** The four-character verdict of a check: `ok`, `MISS`, or `----` for not reproduced. */
function verdict(passed: boolean | null): string {
  return passed === null ? "----" : passed ? "ok  " : "MISS";
}

/** Renders the summary table and the checks as text. */
export function renderSummary(
  rows: readonly SummaryRow[],
  checks: readonly SummaryCheck[],
): string {
  const table = new Table({
    head: ["Experiment", "Figure", "Value", "Reproduced", "Published", "Unit", "Error", "Role"],
    style: { head: [], border: [], compact: true },
    colAligns: ["left", "left", "left", "right", "right", "left", "right", "left"],
  });
  for (const { experiment, row } of rows) {
    table.push([
      experiment,
      row.figure,
      row.label,
      formatValue(row.reproduced),
      published(row),
      row.unit,
      formatRowError(row),
      row.role,
    ]);
  }
  const lines = [
    formatScoreboard(scoreboard(rows.map((r) => r.row), checks.map((c) => c.check))),
    formatNativeScoreboard(rows.map((r) => r.row)),
    rows.length ? table.toString() : "No reproduced numbers to compare.",
  ];
  const predictions = rows.filter((r) => r.row.role === "prediction");
  if (predictions.length > 0) {
    lines.push(
      `${rows.length} numbers, ${predictions.length} predictions (not calibrated against); ` +
        `largest prediction error ${largestError(predictions)}.`,
    );
  } else if (rows.length) {
    lines.push(`${rows.length} numbers, all calibration.`);
  }
  // A calibration row far from its published value means the costs set from it no longer
  // reproduce it (the traces or models moved since): say so rather than let "calibration"
  // read as "matches".
  const drifted = rows.filter((r) =>
    r.row.role === "calibration" && r.row.relError !== null &&
    Math.abs(r.row.relError) > CALIBRATION_TOLERANCE
  );
  for (const { experiment, row } of drifted) {
    lines.push(
      `DRIFT ${experiment}: calibration row ${row.label} is ${
        formatRelError(row.relError)
      } off its published value (more than ${CALIBRATION_TOLERANCE * 100}%)`,
    );
  }
  for (const { experiment, check } of checks) {
    lines.push(
      `${verdict(check.passed)} ${experiment}: ${check.label} (${check.role}) — ${check.detail}`,
    );
  }
  const headlines = checks.filter((c) => c.check.headline);
  if (headlines.length > 0) {
    lines.push("Targets (predictions from the real traces):");
    for (const { experiment, check } of headlines) {
      lines.push(`  ${verdict(check.passed)} ${experiment}: ${check.label} — ${check.detail}`);
    }
  }
  if (checks.length > 0) {
    const count = (v: boolean | null) => checks.filter((c) => c.check.passed === v).length;
    lines.push(
      `Checks: ${count(true)} ok, ${count(false)} MISS, ${count(null)} not reproduced ` +
        "(----: no trace of the workload in traces/MANIFEST.json).",
    );
  }
  return lines.join("\n");
}

/**
 * The largest prediction error, by factor over ratio rows and by points over percentage
 * rows (the two do not compare), each naming its row.
 */
function largestError(predictions: readonly SummaryRow[]): string {
  const parts: string[] = [];
  for (const kind of ["log", "pp"] as const) {
    let worst: { error: number; text: string; label: string } | undefined;
    for (const { experiment, row } of predictions) {
      const e = headlineError(row);
      if (e === null || e.kind !== kind) continue;
      if (!worst || Math.abs(e.value) > worst.error) {
        worst = {
          error: Math.abs(e.value),
          text: formatHeadlineError(e),
          label: `${experiment}: ${row.label}`,
        };
      }
    }
    if (worst) parts.push(`${worst.text} (${worst.label})`);
  }
  return parts.length ? parts.join("; ") : "n/a";
}
