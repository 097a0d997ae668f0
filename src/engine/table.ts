/**
 * The terminal view of a result, shaped like `perf kvm stat`: one row per cycle
 * category with its event count and share, sorted by cycles, under a header naming the
 * trace, the configuration and the totals.
 *
 * @module
 */

import Table from "cli-table3";
import type { Result } from "./result.ts";

/** Which event counts the rows of a category (prefix rules first, then an exact name). */
const COUNT_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ["hw.exit.", "exits."],
  ["bt.vmm.", "bt.transitions."],
  ["trap.trap.", "traps."],
  ["pv.hypercall.", "hypercalls."],
];

const COUNT_NAMES: Readonly<Record<string, string>> = {
  "bt.translate": "bt.translations",
  "bt.tc-emulate": "bt.tc-emulations",
  "bt.trace-fault": "bt.trace-faults",
  "bt.adapted-write": "bt.adapted-writes",
  "bt.exception": "bt.exceptions",
  "bt.interrupt": "bt.interrupts",
  "bt.indirect": "bt.indirect",
  "hw.inject": "hw.injections",
  "pv.exception-bounce": "pv.exception-bounces",
  "pv.event-upcall": "pv.event-channel-upcalls",
  "mmu.shadow.hidden-fault": "mmu.hidden-faults",
  "mmu.shadow.traced-write": "mmu.traced-writes",
  "mmu.shadow.true-fault": "mmu.true-faults",
};

/** The event count that goes with a category, or undefined when none does. */
export function categoryCount(result: Result, category: string): number | undefined {
  const ev = result.events;
  for (const [cat, evPrefix] of COUNT_PREFIXES) {
    if (category.startsWith(cat)) return ev[evPrefix + category.slice(cat.length)];
  }
  if (category === "bt.callout") {
    let n = 0;
    for (const k of Object.keys(ev)) if (k.startsWith("bt.callouts.")) n += ev[k];
    return n;
  }
  const name = COUNT_NAMES[category] ?? category;
  return ev[name];
}

function pct(x: number, total: number): string {
  return total > 0 ? `${(100 * x / total).toFixed(2)}%` : "-";
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

/** Renders a result as text: summary lines, then the category table. */
export function formatResult(result: Result): string {
  const c = result.config;
  const lines = [
    `trace       ${result.trace.path} (${result.trace.workload}, ${result.trace.iterations} iterations)`,
    `config      cpu ${c.cpu}, mmu ${c.mmu}, io ${c.io}, memory ${c.memory}, platform ${c.platform}, seed ${c.seed}`,
    `cycles      native ${num(result.cycles.native)}, virtualized ${
      num(result.cycles.virtualized)
    }`,
    `per iter.   native ${num(result.cycles.perIteration.native)}, virtualized ${
      num(result.cycles.perIteration.virtualized)
    }`,
    `slowdown    ${result.slowdown.toFixed(3)}x`,
    "",
  ];
  const rows = Object.entries(result.breakdown).sort((a, b) =>
    b[1] - a[1] || (a[0] < b[0] ? -1 : 1)
  );
  const total = rows.reduce((s, [, v]) => s + v, 0);
  const counts = rows.map(([k]) => categoryCount(result, k));
  const countTotal = counts.reduce<number>((s, n) => s + (n ?? 0), 0);
  const table = new Table({
    head: ["Reason", "Count", "Count%", "Cycles", "Cycles%", "Avg cycles"],
    colAligns: ["left", "right", "right", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  rows.forEach(([k, v], i) => {
    const n = counts[i];
    table.push([
      k,
      n === undefined ? "-" : String(n),
      n === undefined ? "-" : pct(n, countTotal),
      num(v),
      pct(v, total),
      n ? num(Math.round((v / n) * 100) / 100) : "-",
    ]);
  });
  lines.push(table.toString());
  const warnings = result.warnings;
  if (Array.isArray(warnings)) { for (const w of warnings) lines.push(`warning: ${w}`); }
  return lines.join("\n");
}
