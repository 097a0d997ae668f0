/**
 * The comparison row: one reproduced number beside the published one, and the qualitative
 * check. Experiments produce them; the report, the summary and the fidelity scoreboard read
 * them. They live here, among the readers, because charts may not import experiments
 * while experiments may import charts.
 *
 * @module
 */

/** Whether a compared number was used to calibrate the costs, or is a prediction. */
export type Role = "calibration" | "prediction";

/** One reproduced number beside the published one. */
export interface ComparisonRow {
  /** The figure or table the number belongs to, e.g. `Figure 4`. */
  readonly figure: string;
  /** What the number is, e.g. `syscall, software VMM`. */
  readonly label: string;
  /** The value vmmlab reproduced. */
  readonly reproduced: number;
  /** The published value, or null when the paper gives only a range or nothing. */
  readonly published: number | null;
  /** Published range `[low, high]` when the paper gives one (then relError is 0 inside it). */
  readonly band?: readonly [number, number];
  /** Unit of both values, e.g. `cycles`, `x native`, `us`. */
  readonly unit: string;
  /** `(reproduced - published) / published` (or distance to the band), null if unknowable. */
  readonly relError: number | null;
  /** `calibration` if the number was used to set costs, otherwise `prediction`. */
  readonly role: Role;
  /** Ids of the runs this number is computed from (the report shows their trace and config). */
  readonly runs: readonly string[];
  /** A short remark shown in the report (how the value was read, a caveat). */
  readonly note?: string;
  /**
   * True for a native-time row: a time (or rate) the paper measured on bare hardware,
   * against the native baseline's cycles per iteration x iterations / clock. Every slowdown
   * divides by that baseline, so these rows show the baseline's own error beside them
   * (their own line in the fidelity scoreboard).
   */
  readonly native?: boolean;
}

/** A row's fields before its relative error is computed (experiments/_lib/compare.ts fills it in). */
export type RowInput = Omit<ComparisonRow, "relError">;

/** A qualitative target, such as an ordering of configurations the paper reports. */
export interface Check {
  /** What is checked, e.g. `lmbench fork: native < Xen < VMware`. */
  readonly label: string;
  /**
   * Whether the reproduction satisfies it; `null` when it could not be reproduced at all
   * (no trace of the workload in the corpus): neither a pass nor a miss, and `detail`
   * starts with `not reproduced:`.
   */
  readonly passed: boolean | null;
  /** The reproduced values behind the verdict, in words. */
  readonly detail: string;
  /** `calibration` or `prediction`, as for rows. */
  readonly role: Role;
  /**
   * True for a target the project is judged by (issue 5, "Done when": the forkwait
   * slowdowns, the Barham orderings, the Bhargava band): listed again, together, at the end
   * of the summary and at the top of the report.
   */
  readonly headline?: boolean;
}
