/**
 * The offline report: one self-contained HTML file with every figure (vega, vega-lite and
 * vega-embed inlined from node_modules, so it opens without a network), the table of
 * reproduced against published values with relative errors and predictions labelled, and
 * the trace and configuration behind every number. It reads plain data only; nothing in
 * it depends on the clock, so the same results give the same bytes.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { formatValue } from "./format.ts";
import {
  formatHeadlineError,
  formatNativeScoreboard,
  formatRowError,
  formatScoreboard,
  type HeadlineError,
  headlineError,
  median,
  scoreboard,
  WITHIN_POINTS,
} from "./fidelity.ts";
import type { Check, ComparisonRow } from "./comparison_row.ts";

/** A run behind the numbers: its trace and full configuration. */
export interface ReportRun {
  /** Run id within the experiment. */
  id: string;
  /** Trace path or `synth:RECIPE`. */
  trace: string;
  /** Trace content hash. */
  hash: string;
  /** Workload name. */
  workload: string;
  /** Iterations in the replayed window. */
  iterations: number;
  /** The configuration the result echoes. */
  config: Readonly<Record<string, unknown>>;
  /** Virtualized over native cycles. */
  slowdown: number;
}

/** One experiment's section of the report. */
export interface ReportFigure {
  /** Experiment name (also the anchor). */
  name: string;
  /** Title. */
  title: string;
  /** Short citation. */
  citation: string;
  /** Full citations of the papers compared against. */
  papers: readonly string[];
  /** What is reproduced and how. */
  description: string;
  /** The figure. */
  spec: TopLevelSpec;
  /** Compared numbers. */
  rows: readonly ComparisonRow[];
  /** Qualitative targets. */
  checks: readonly Check[];
  /** Runs behind the numbers. */
  runs: readonly ReportRun[];
}

/** Everything the report shows. */
export interface ReportInput {
  /** Page title. */
  title: string;
  /** A paragraph under the title (e.g. which engine produced the numbers). */
  note?: string;
  /** Sections, in order. */
  figures: readonly ReportFigure[];
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * JSON safe to embed in a `<script>` element: every `<` becomes `\u003c` (so no
 * `</script>` or `<!--` can end or confuse the element), as do the JavaScript line separators.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Makes a library build safe to inline in a `<script>` element. */
function scriptText(source: string): string {
  return source.replaceAll("</script", "<\\/script").replaceAll("<!--", "<\\!--");
}

const LIBRARIES: readonly [string, string][] = [
  ["npm:vega@6.4.0", "vega.min.js"],
  ["npm:vega-lite@6.5.0", "vega-lite.min.js"],
  ["npm:vega-embed@7.3.0", "vega-embed.min.js"],
];

let libraries: Promise<string[]> | undefined;

/** Reads the browser builds of vega, vega-lite and vega-embed from node_modules, once. */
function loadLibraries(): Promise<string[]> {
  libraries ??= Promise.all(
    LIBRARIES.map(([pkg, file]) => Deno.readTextFile(new URL(file, import.meta.resolve(pkg)))),
  );
  return libraries;
}

function anchor(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "-");
}

function publishedText(row: ComparisonRow): string {
  if (row.band) return `${formatValue(row.band[0])}–${formatValue(row.band[1])}`;
  return formatValue(row.published);
}

function roleBadge(role: string): string {
  return `<span class="role ${escapeHtml(role)}">${escapeHtml(role)}</span>`;
}

/** Colour class of an error: by factor for ratio rows, by points for percentage rows. */
function errorClass(error: HeadlineError | null): string {
  if (error === null) return "";
  const e = Math.abs(error.value);
  if (error.kind === "pp") return e <= 2 ? "good" : e <= WITHIN_POINTS ? "fair" : "poor";
  return e <= Math.log(1.1) ? "good" : e <= Math.log(1.25) ? "fair" : "poor";
}

/** The largest (or median) headline error of some rows: factors first, else points. */
function aggregateError(
  rows: readonly ComparisonRow[],
  pick: (values: number[]) => number | null,
): HeadlineError | null {
  const errors = rows.map(headlineError).filter((e): e is HeadlineError => e !== null);
  for (const kind of ["log", "pp"] as const) {
    const values = errors.filter((e) => e.kind === kind).map((e) => Math.abs(e.value));
    const value = values.length ? pick(values) : null;
    if (value !== null) return { kind, value };
  }
  return null;
}

function runAnchor(figure: string, run: string): string {
  return `run-${anchor(figure)}-${anchor(run)}`;
}

function rowsTable(figure: string, rows: readonly ComparisonRow[]): string {
  const head =
    "<tr><th>Figure</th><th>Value</th><th>Reproduced</th><th>Published</th><th>Unit</th><th>Error</th>" +
    "<th>Role</th><th>Runs</th></tr>";
  const body = rows.map((r) => {
    const runs = r.runs.map((id) => `<a href="#${runAnchor(figure, id)}">${escapeHtml(id)}</a>`)
      .join(", ");
    const note = r.note ? `<div class="note">${escapeHtml(r.note)}</div>` : "";
    return `<tr><td>${escapeHtml(r.figure)}</td>` +
      `<td>${escapeHtml(r.label)}${note}</td>` +
      `<td class="num">${formatValue(r.reproduced)}</td>` +
      `<td class="num">${publishedText(r)}</td><td>${escapeHtml(r.unit)}</td>` +
      `<td class="num ${errorClass(headlineError(r))}">${formatRowError(r)}</td>` +
      `<td>${roleBadge(r.role)}</td><td class="runs">${runs}</td></tr>`;
  }).join("\n");
  return `<table class="rows">\n${head}\n${body}\n</table>`;
}

function checkClass(passed: boolean | null): string {
  return passed === null ? "none" : passed ? "pass" : "fail";
}

function checkMark(passed: boolean | null): string {
  return passed === null ? "–" : passed ? "✓" : "✗";
}

function targetsTable(figures: readonly ReportFigure[]): string {
  const targets = figures.flatMap((f) =>
    f.checks.filter((c) => c.headline).map((c) => ({ figure: f.name, check: c }))
  );
  if (targets.length === 0) return "";
  const body = targets.map(({ figure, check }) =>
    `<tr class="${checkClass(check.passed)}"><td>${checkMark(check.passed)}</td>` +
    `<td><a href="#${anchor(figure)}">${escapeHtml(figure)}</a></td>` +
    `<td>${escapeHtml(check.label)}</td><td class="detail">${escapeHtml(check.detail)}</td></tr>`
  ).join("\n");
  return "<h2>Targets</h2>\n<p>The targets the reproduction is judged by, all predictions " +
    "from the real traces and the calibrated profiles: ✓ met, ✗ missed, – not reproduced " +
    '(no trace).</p>\n<table class="targets">\n<tr><th></th><th>Experiment</th>' +
    `<th>Target</th><th>Reproduced</th></tr>\n${body}\n</table>`;
}

function checksList(checks: readonly Check[]): string {
  if (checks.length === 0) return "";
  const items = checks.map((c) =>
    `<li class="${checkClass(c.passed)}">${checkMark(c.passed)} ` +
    `${escapeHtml(c.label)} ${roleBadge(c.role)} <span class="detail">${
      escapeHtml(c.detail)
    }</span></li>`
  ).join("\n");
  return `<h3>Checks</h3>\n<ul class="checks">\n${items}\n</ul>`;
}

const CONFIG_COLUMNS = ["cpu", "mmu", "memory", "io", "platform", "seed"];

/** The first 12 hex digits of a content hash (the full hash is in the cell's title). */
function shortHash(hash: string): string {
  const hex = hash.replace(/^sha256:/, "");
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}

function runsTable(figure: string, runs: readonly ReportRun[]): string {
  const head = "<tr><th>Run</th><th>Trace</th><th>Hash</th><th>Workload</th><th>Iter.</th>" +
    CONFIG_COLUMNS.map((c) => `<th>${c}</th>`).join("") +
    "<th>Other configuration</th><th>Slowdown</th></tr>";
  const body = runs.map((run) => {
    const other: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(run.config)) {
      if (!CONFIG_COLUMNS.includes(k)) other[k] = v;
    }
    const otherText = Object.keys(other).length ? JSON.stringify(other) : "";
    return `<tr id="${runAnchor(figure, run.id)}"><td>${escapeHtml(run.id)}</td>` +
      `<td>${escapeHtml(run.trace)}</td>` +
      `<td class="hash" title="${escapeHtml(run.hash)}">${escapeHtml(shortHash(run.hash))}</td>` +
      `<td>${escapeHtml(run.workload)}</td>` +
      `<td class="num">${run.iterations}</td>` +
      CONFIG_COLUMNS.map((c) => `<td>${escapeHtml(String(run.config[c] ?? ""))}</td>`).join("") +
      `<td class="other">${escapeHtml(otherText)}</td>` +
      `<td class="num">${formatValue(run.slowdown)}</td></tr>`;
  }).join("\n");
  return `<details id="runs-${anchor(figure)}">` +
    `<summary>Traces and configurations (${runs.length} runs)</summary>\n` +
    `<table class="runs">\n${head}\n${body}\n</table>\n</details>`;
}

function overviewTable(figures: readonly ReportFigure[]): string {
  const head = "<tr><th>Experiment</th><th>Reproduces</th><th>Numbers</th><th>Predictions</th>" +
    "<th>Median |error|</th><th>Largest |error|</th><th>Checks passed</th></tr>";
  const body = figures.map((f) => {
    const largest = aggregateError(f.rows, (v) => Math.max(...v));
    const mid = aggregateError(f.rows, median);
    const judged = f.checks.filter((c) => c.passed !== null);
    const passed = judged.filter((c) => c.passed).length;
    const none = f.checks.length - judged.length;
    return `<tr><td><a href="#${anchor(f.name)}">${escapeHtml(f.name)}</a></td>` +
      `<td>${escapeHtml(f.citation)}</td><td class="num">${f.rows.length}</td>` +
      `<td class="num">${f.rows.filter((r) => r.role === "prediction").length}</td>` +
      `<td class="num ${errorClass(mid)}">${formatHeadlineError(mid).replace("+", "")}</td>` +
      `<td class="num ${errorClass(largest)}">${
        formatHeadlineError(largest).replace("+", "")
      }</td>` +
      `<td class="num">${judged.length ? `${passed} of ${judged.length}` : "—"}${
        none ? ` <span class="note">(${none} not reproduced)</span>` : ""
      }</td></tr>`;
  }).join("\n");
  return `<table class="overview">\n${head}\n${body}\n</table>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2em auto; max-width: 1200px;
  color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.good { background: #e3f4e3; } td.fair { background: #fdf3d7; } td.poor { background: #f9dcdc; }
.role { font-size: 0.8em; padding: 0.05em 0.4em; border-radius: 0.6em; white-space: nowrap; }
.role.calibration { background: #dde8f5; } .role.prediction { background: #f5e3c8; }
.note, .detail, .citation { color: #555; font-size: 0.9em; }
.hash, .other, .runs { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
ul.checks { list-style: none; padding-left: 0; } li.pass { color: #1b6e1b; } li.fail { color: #a01010; }
li.none { color: #777; }
table.targets tr.pass td:first-child { color: #1b6e1b; } table.targets tr.fail td:first-child { color: #a01010; }
table.targets tr.none { color: #777; }
.figure { margin: 1em 0; min-height: 100px; } tr:target { background: #fff6c4; } nav a { margin-right: 1em; }
`;

/**
 * The spec without its `$schema` URL: the report names the mode to vega-embed instead, so
 * the page carries no address it could be tempted to fetch (the file must work offline).
 */
function withoutSchema(spec: TopLevelSpec): Omit<TopLevelSpec, "$schema"> {
  const { $schema: _schema, ...rest } = spec;
  return rest;
}

/** Builds the report's HTML text. */
export async function buildReport(input: ReportInput): Promise<string> {
  const [vega, vegaLite, vegaEmbed] = await loadLibraries();
  const allRows = input.figures.flatMap((f) => f.rows);
  const predictions = allRows.filter((r) => r.role === "prediction").length;
  const summaryRows = overviewTable(input.figures);
  const sections = input.figures.map((f) =>
    `<section id="${anchor(f.name)}">\n<h2>${escapeHtml(f.title)}</h2>\n` +
    `<p class="citation">${escapeHtml(f.citation)}${
      f.papers.map((p) => `<br>${escapeHtml(p)}`).join("")
    }</p>\n<p>${escapeHtml(f.description)}</p>\n` +
    `<div class="figure" id="figure-${anchor(f.name)}"></div>\n` +
    (f.rows.length ? `<h3>Reproduced vs published</h3>\n${rowsTable(f.name, f.rows)}\n` : "") +
    `${checksList(f.checks)}\n${runsTable(f.name, f.runs)}\n</section>`
  ).join("\n");
  const data = input.figures.map((f) => ({
    id: `figure-${anchor(f.name)}`,
    spec: withoutSchema(f.spec),
  }));
  const nav = input.figures.map((f) => `<a href="#${anchor(f.name)}">${escapeHtml(f.name)}</a>`)
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
<script>${scriptText(vega)}</script>
<script>${scriptText(vegaLite)}</script>
<script>${scriptText(vegaEmbed)}</script>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<p class="scoreboard"><strong>${
    escapeHtml(formatScoreboard(scoreboard(allRows, input.figures.flatMap((f) => f.checks))))
  }</strong><br>${escapeHtml(formatNativeScoreboard(allRows))}</p>
${input.note ? `<p>${escapeHtml(input.note)}</p>` : ""}
<nav>${nav}</nav>
${targetsTable(input.figures)}
<h2>Summary</h2>
<p>${allRows.length} reproduced numbers, ${predictions} of them predictions (not used for
calibration). Error is the difference in percentage points for quantities that are already
percentages, and the relative error (reproduced − published) / published elsewhere; for a published
range, the distance to the nearer end. Median and largest errors are factors (×1.5 above, ÷1.5
below) over ratio rows, or points where an experiment has only percentages.</p>
${summaryRows}
${sections}
<script type="application/json" id="vmmlab-figures">${scriptJson(data)}</script>
<script>
function openRunTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const details = target && target.closest("details");
  if (details) { details.open = true; target.scrollIntoView(); }
}
addEventListener("hashchange", openRunTarget);
openRunTarget();
for (const figure of JSON.parse(document.getElementById("vmmlab-figures").textContent)) {
  const element = document.getElementById(figure.id);
  vegaEmbed(element, figure.spec, { actions: false, mode: "vega-lite", renderer: "svg" }).catch((error) => {
    element.textContent = "This figure failed to render: " + error.message;
  });
}
</script>
</body>
</html>
`;
}
