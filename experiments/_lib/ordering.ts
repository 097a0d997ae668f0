/**
 * Headline ordering checks: Barham et al.'s target is that native, Xen and VMware keep
 * the paper's order on every row of a figure or table; one check per figure says so (or
 * names the rows that break it), beside the per-row checks that give the values.
 *
 * @module
 */

import type { Check } from "./experiment.ts";

/**
 * One headline check over per-row ordering checks: passed when every reproduced row keeps
 * the order, null when no row could be reproduced; names the rows that break it.
 */
export function orderingSummary(
  rows: readonly { label: string }[],
  checks: readonly Check[],
  what: string,
  relation: "<=" | ">=",
): Check {
  const judged = checks.filter((c) => c.passed !== null);
  const broken = rows.filter((_, i) => checks[i].passed === false).map((r) => r.label);
  const missing = checks.length - judged.length;
  const order = relation === "<=" ? "native <= Xen <= VMware" : "native >= Xen >= VMware";
  const label = `${what}: ${order} on every reproduced row`;
  if (judged.length === 0) {
    return {
      label,
      passed: null,
      detail: `not reproduced: no trace for any of the ${checks.length} rows`,
      role: "prediction",
      headline: true,
    };
  }
  return {
    label,
    passed: broken.length === 0,
    detail: `${judged.length - broken.length} of ${judged.length} reproduced rows ordered` +
      (broken.length ? `; broken: ${broken.join(", ")}` : "") +
      (missing ? `; ${missing} rows not reproduced (no trace)` : ""),
    role: "prediction",
    headline: true,
  };
}
