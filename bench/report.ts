/**
 * Runs `deno bench --json` on the given bench files (default: every bench file of the
 * repository) and prints Markdown tables of rates for BENCHMARKS.md, one table per group.
 *
 * A benchmark name that ends in a parenthesis of counts, e.g. `(5762592 instr, 3705642 rec,
 * 1733206 B)` or `(200000 refs)`, gets one rate per count: `instr` becomes guest
 * instructions per second, `rec` records per second, `B` file MB/s, `rawB` MB/s of
 * uncompressed record payload, any other unit
 * `<unit>/s`. Rates use the fastest iteration (min time): the machine is shared, and other
 * load only ever adds time. Where a `decode` benchmark over the same trace exists, the
 * `vs decode` column is the rate as a fraction of decode-only throughput.
 *
 * Usage: deno run -A bench/report.ts [--filter PATTERN] [bench files or folders ...]
 *
 * @module
 */

interface BenchStats {
  avg: number;
  min: number;
  n: number;
}

interface BenchResult {
  origin: string;
  name: string;
  group?: string | null;
  results: { ok?: BenchStats }[];
}

/** Counts from the trailing parenthesis of a benchmark name, in order. */
function counts(name: string): Array<[number, string]> {
  const m = /\(([^()]*)\)\s*$/.exec(name);
  if (!m) return [];
  const out: Array<[number, string]> = [];
  for (const part of m[1].split(",")) {
    const p = /^\s*(\d+(?:\.\d+)?) (\S+)\s*$/.exec(part);
    if (p) out.push([Number(p[1]), p[2]]);
  }
  return out;
}

function si(x: number): string {
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(1);
}

function ms(ns: number): string {
  return ns >= 1e8 ? `${(ns / 1e6).toFixed(0)} ms` : `${(ns / 1e6).toFixed(2)} ms`;
}

function rate(value: number, unit: string, seconds: number): string {
  const r = value / seconds;
  if (unit === "B") return `${(r / 1e6).toFixed(1)} MB/s`;
  if (unit === "rawB") return `${(r / 1e6).toFixed(1)} MB/s uncompressed`;
  if (unit === "instr") return `${si(r)}instr/s`;
  if (unit === "rec") return `${si(r)}rec/s`;
  return `${si(r)}${unit}/s`;
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

// `--filter PATTERN` is passed on to `deno bench`; every other argument is a bench file.
const files = [...Deno.args];
const loadBefore = loadAverage();
const out = await new Deno.Command(Deno.execPath(), {
  args: ["bench", "--no-prompt", "-A", "--json", ...files],
  env: { NO_COLOR: "1" },
  stderr: "inherit",
}).output();
if (out.code !== 0) Deno.exit(out.code);
// Bench modules may print to stdout before the JSON document starts.
const text = new TextDecoder().decode(out.stdout);
const json = JSON.parse(text.slice(Math.max(0, text.search(/^\{/m)))) as {
  runtime: string;
  cpu: string;
  benches: BenchResult[];
};

// Decode-only instruction rate per trace (keyed by the counts, which identify the trace).
const decodeRate = new Map<string, number>();
for (const b of json.benches) {
  const ok = b.results[0]?.ok;
  if (!ok || !/^decode\b/.test(b.name)) continue;
  const c = counts(b.name);
  const instr = c.find(([, u]) => u === "instr");
  if (instr) decodeRate.set(c.map(([v, u]) => `${v} ${u}`).join(","), instr[0] / (ok.min / 1e9));
}

const lines: string[] = [
  `${json.runtime}, CPU ${json.cpu}, ${navigator.hardwareConcurrency} logical cores; ` +
  `load average ${loadBefore} before, ${loadAverage()} after; ${new Date().toISOString()}`,
];
let group: string | undefined = undefined;
for (const b of json.benches) {
  const ok = b.results[0]?.ok;
  if (!ok) continue;
  const g = b.group ?? b.origin.replace(/^.*\//, "");
  if (g !== group) {
    group = g;
    lines.push("", `**${g}** (${b.origin.replace(/^.*?\/(src|bench)\//, "$1/")})`, "");
    lines.push("| benchmark | n | min | mean | rates at min time | vs decode |");
    lines.push("|---|---:|---:|---:|---|---:|");
  }
  const c = counts(b.name);
  const seconds = ok.min / 1e9;
  const rates = c.map(([v, u]) => rate(v, u, seconds)).join(", ");
  const instr = c.find(([, u]) => u === "instr");
  const dec = decodeRate.get(c.map(([v, u]) => `${v} ${u}`).join(","));
  const vs = instr && dec && !/^decode\b/.test(b.name) ? (instr[0] / seconds / dec).toFixed(2) : "";
  const label = b.name.replace(/\s*\([^()]*\)\s*$/, "");
  lines.push(`| ${label} | ${ok.n} | ${ms(ok.min)} | ${ms(ok.avg)} | ${rates} | ${vs} |`);
}
console.log(lines.join("\n"));
