import assert from "node:assert/strict";
import {
  formatHeadlineError,
  formatNativeScoreboard,
  formatRowError,
  formatScoreboard,
  headlineError,
  type MeasuredRow,
  scoreboard,
} from "./fidelity.ts";
import type { Role } from "./comparison_row.ts";

const row = (
  reproduced: number,
  published: number | null,
  unit: string,
  role: Role = "prediction",
) => ({
  reproduced,
  published,
  unit,
  role,
  relError: published ? (reproduced - published) / published : null,
});

Deno.test("a percentage is off by points, not by a relative error of its tiny published value", () => {
  const r = row(48.8, 2, "%");
  assert.equal(formatRowError(r), "+46.8 pp");
  assert.deepEqual(headlineError(r), { kind: "pp", value: 46.8 });
  assert.equal(formatRowError(row(10, 12.5, "% idle")), "-2.5 pp");
});

Deno.test("other quantities: the cell keeps the relative error, the headline is a factor", () => {
  assert.equal(formatRowError(row(2.49, 6.1, "x native")), "-59%");
  assert.equal(formatHeadlineError(headlineError(row(2.49, 6.1, "x native"))), "/2.45");
  assert.equal(formatHeadlineError(headlineError(row(12, 6, "s"))), "x2.00");
  assert.equal(headlineError(row(0, 6, "s")), null, "no ratio to a zero");
  // Inside a published range the error is zero; outside, measured to the nearer end.
  assert.deepEqual(headlineError({ ...row(4.0, null, "x"), band: [3.9, 4.6] }), {
    kind: "log",
    value: 0,
  });
  assert.ok(
    Math.abs(
      headlineError({ ...row(7.8, null, "x"), band: [3.9, 4.6] })!.value - Math.log(7.8 / 4.6),
    ) <
      1e-12,
  );
});

Deno.test("the scoreboard counts predictions only, by hand", () => {
  const s = scoreboard(
    [
      row(2, 1, "s"), // ln 2 = 0.693, outside 25%
      row(1.1, 1, "s"), // ln 1.1 = 0.095, within
      row(0.5, 1, "s"), // |ln 0.5| = 0.693
      row(5, 2, "%"), // 3 points: within 5
      row(100, 1, "s", "calibration"), // ignored
    ],
    [
      { passed: true, role: "prediction" },
      { passed: false, role: "prediction" },
      { passed: null, role: "prediction" },
      { passed: false, role: "calibration" },
    ],
  );
  assert.equal(s.predictions, 4);
  assert.equal(s.ratioRows, 3);
  assert.ok(Math.abs(s.medianAbsLogRatio! - Math.log(2)) < 1e-12);
  assert.equal(s.shareWithin25, 0.5);
  assert.deepEqual([s.checksHeld, s.checksJudged], [1, 2]);
  assert.equal(
    formatScoreboard(s),
    "Fidelity: 4 predictions; median |log-ratio| 0.69 (x2.00) over 3 ratio rows; 50% of 4 " +
      "within 25% (percentages: within 5 points); 1 of 2 prediction checks (orderings, ranges) held",
  );
});

Deno.test("native baseline line: only native-time prediction rows, with their own median", () => {
  const rows: MeasuredRow[] = [
    { reproduced: 3, published: 6, unit: "s", role: "prediction", native: true },
    { reproduced: 1, published: 1, unit: "us", role: "prediction", native: true },
    { reproduced: 50, published: 1, unit: "x native", role: "prediction" },
    { reproduced: 9, published: 1, unit: "cycles", role: "calibration", native: true },
  ];
  const line = formatNativeScoreboard(rows);
  // |ln(0.5)| = 0.69 and 0: median 0.35 (x1.41); one of two within 25%.
  assert.equal(
    line,
    "Native baseline: 2 native-time rows (published native times and rates vs native cycles " +
      "per iteration x iterations / clock); median |log-ratio| 0.35 (x1.41) over 2; 50% of 2 " +
      "within 25%",
  );
  assert.equal(formatNativeScoreboard([]), "Native baseline: no native-time rows");
});
