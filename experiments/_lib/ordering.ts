/**
 * Headline ordering checks: Barham et al.'s target is that native, Xen and VMware keep
 * the paper's order on every row of a figure or table; one check per figure says so (or
 * names the rows that break it), beside the per-row checks that give the values. The order
 * is the published one, row by row: the paper itself has Xen slightly faster than native
 * in a few rows (stat, open/close, delete 0K), so "native first" would fail the paper.
 *
 * @module
 */

import type { Check } from "./experiment.ts";

/**
 * Whether `reproduced` keeps the order of `published` (same systems, same positions): for
 * every pair the paper ranks strictly, the reproduced pair must not be the other way round.
 * Pairs the paper gives as equal (e.g. null I/O, 0.50 us for both) may come out either way.
 */
export function keepsPublishedOrder(
  published: readonly number[],
  reproduced: readonly number[],
): boolean {
  for (let i = 0; i < published.length; i++) {
    for (let j = 0; j < published.length; j++) {
      if (published[i] < published[j] && reproduced[i] > reproduced[j]) return false;
    }
  }
  return true;
}

/** The per-row ordering label: which systems, compared in the paper's order. */
export const ORDER_LABEL = "native, Xen, VMware in the published order";

/**
 * One headline check over per-row ordering checks: passed when every reproduced row keeps
 * the order, null when no row could be reproduced; names the rows that break it.
 */
export function orderingSummary(
  rows: readonly { label: string }[],
  checks: readonly Check[],
  what: string,
): Check {
  const judged = checks.filter((c) => c.passed !== null);
  const broken = rows.filter((_, i) => checks[i].passed === false).map((r) => r.label);
  const missing = checks.length - judged.length;
  const label = `${what}: ${ORDER_LABEL} on every reproduced row`;
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
