/**
 * The terminal view of a result, shaped like `perf kvm stat`: one row per cycle
 * category with its event count and share, sorted by cycles, under a header naming the
 * trace, the configuration and the totals.
 *
 * @module
 */

import Table from "npm:cli-table3@0.6.5";
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

/** The configured model options, one line, or none when there are none. */
function optionLines(options: Readonly<Record<string, unknown>> | undefined): string[] {
  const keys = Object.keys(options ?? {}).sort();
  if (keys.length === 0) return [];
  return [`options     ${keys.map((k) => `${k}=${String(options![k])}`).join(", ")}`];
}

/** The platform entries set on the command line, one line, or none. */
function setLines(set: Readonly<Record<string, unknown>> | undefined): string[] {
  const keys = Object.keys(set ?? {}).sort();
  if (keys.length === 0) return [];
  return [`set         ${keys.map((k) => `platform.${k}=${String(set![k])}`).join(", ")}`];
}

/**
 * The steady state beside the window: what a long run of the workload costs per
 * iteration, the one-time translation shown apart (the README's tables use this figure).
 */
function steadyLines(result: Result): string[] {
  const s = result.steady;
  if (s === undefined || !(Number(result.instructions) > 0)) return [];
  return [
    `steady      ${s.slowdown.toFixed(3)}x, per iter. virtualized ${
      num(s.perIteration.virtualized)
    } (a long run: the one-time cost left out)`,
    s.oneTimeCycles > 0
      ? `one-time    ${
        num(s.oneTimeCycles)
      } cycles of first translation, left out of the steady state`
      : "one-time    0 cycles (nothing in this configuration is paid once per run)",
    ...runLines(result),
  ];
}

/** The slowdown of a run of a given length, when one was asked for (`--run-iterations`). */
function runLines(result: Result): string[] {
  const run = result.steady?.run;
  if (run === undefined) return [];
  return [
    `run         ${
      run.slowdown.toFixed(3)
    }x over ${run.iterations} iterations (steady state times the run, one-time cost once)`,
  ];
}

/** Renders a result as text: summary lines, then the category table. */
export function formatResult(result: Result): string {
  const c = result.config;
  const lines = [
    `trace       ${result.trace.path} (${result.trace.workload}, ${result.trace.iterations} iterations)`,
    `config      cpu ${c.cpu}, mmu ${c.mmu}, io ${c.io}, memory ${c.memory}, platform ${c.platform}, seed ${c.seed}, warmup ${c.warmup}`,
    ...optionLines(c.options as Readonly<Record<string, unknown>> | undefined),
    ...setLines(c.platformSet as Readonly<Record<string, unknown>> | undefined),
    `cycles      native ${num(result.cycles.native)}, virtualized ${
      num(result.cycles.virtualized)
    }`,
    `per iter.   native ${num(result.cycles.perIteration.native)}, virtualized ${
      num(result.cycles.perIteration.virtualized)
    }`,
    Number(result.instructions) > 0
      ? `slowdown    ${result.slowdown.toFixed(3)}x (the recorded window)`
      : "slowdown    none: the trace executes no instructions (page-content snapshots only)",
    ...steadyLines(result),
    "",
  ];
  const rows = Object.entries(result.breakdown).sort((a, b) =>
    b[1] - a[1] || (a[0] < b[0] ? -1 : 1)
  );
  const total = rows.reduce((s, [, v]) => s + v, 0);
  const counts = rows.map(([k]) => categoryCount(result, k));
  const table = new Table({
    head: ["Reason", "Count", "Cycles", "Cycles%", "Avg cycles"],
    colAligns: ["left", "right", "right", "right", "right"],
    style: { head: [], border: [] },
  });
  rows.forEach(([k, v], i) => {
    const n = counts[i];
    table.push([
      k,
      n === undefined ? "-" : String(n),
      num(v),
      pct(v, total),
      n ? num(Math.round((v / n) * 100) / 100) : "-",
    ]);
  });
  lines.push(table.toString());
  // Every event the models counted, including those no cycle category goes with (TLB
  // misses, walk references by level, pages shared...), which the table above cannot show.
  const events = Object.entries(result.events).filter(([, n]) => n !== 0).sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
  );
  if (events.length > 0) {
    const width = Math.max(...events.map(([k]) => k.length));
    lines.push("", "events");
    for (const [k, n] of events) lines.push(`  ${k.padEnd(width)}  ${num(n)}`);
  }
  const warnings = result.warnings;
  if (Array.isArray(warnings)) { for (const w of warnings) lines.push(`warning: ${w}`); }
  return lines.join("\n");
}
