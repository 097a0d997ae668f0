/**
 * Runs `deno bench --json` on the given bench files and prints a Markdown table of rates
 * (guest instructions/s, records/s, file MB/s) for every benchmark whose name carries
 * `(N instr, M rec, B B)`. BENCHMARKS.md is this output plus the machine it ran on.
 *
 * Usage: deno run -A bench/report.ts bench/trace_bench.ts [more bench files]
 */

interface BenchResult {
  name: string;
  group?: string;
  results: { ok?: { avg: number; n: number } }[];
}

const files = Deno.args.length > 0 ? Deno.args : ["bench/"];
const out = await new Deno.Command(Deno.execPath(), {
  args: ["bench", "--no-prompt", "-A", "--json", ...files],
  env: { NO_COLOR: "1" },
  stderr: "inherit",
}).output();
if (out.code !== 0) Deno.exit(out.code);
const json = JSON.parse(new TextDecoder().decode(out.stdout)) as { benches: BenchResult[] };
const rows = [
  "| benchmark | mean time | guest instr/s | records/s | file MB/s |",
  "|---|---:|---:|---:|---:|",
];
for (const b of json.benches) {
  const ok = b.results[0]?.ok;
  if (!ok) continue;
  const ns = ok.avg;
  const m = /\((\d+) instr, (\d+) rec, (\d+) B\)/.exec(b.name);
  const fmt = (x: number) => x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : `${(x / 1e3).toFixed(1)} k`;
  if (m) {
    const s = ns / 1e9;
    rows.push(
      `| ${b.name} | ${(ns / 1e6).toFixed(2)} ms | ${fmt(Number(m[1]) / s)} | ${
        fmt(Number(m[2]) / s)
      } | ${(Number(m[3]) / s / 1e6).toFixed(1)} |`,
    );
  } else {
    rows.push(`| ${b.name} | ${(ns / 1e6).toFixed(3)} ms | | | |`);
  }
}
console.log(rows.join("\n"));
