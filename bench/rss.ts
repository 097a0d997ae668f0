/**
 * Peak resident memory of a full replay, on a trace and on the same trace repeated ten times,
 * to show that replay memory does not grow with trace length (issue 3, item 10: under 300 MB
 * on a trace ten times the largest committed one).
 *
 * The long trace is built once under the system temporary directory by copying every record
 * of the source trace `--times` times through the trace writer (never committed). Each
 * measurement runs in a fresh child process that replays the trace file (the streaming path
 * the CLI uses) and reports its own peak RSS (`VmHWM` from /proc/self/status; on systems
 * without /proc, the largest `Deno.memoryUsage().rss` sampled once per chunk-sized step is
 * reported instead and marked as sampled).
 *
 * Usage:
 *   deno run -A bench/rss.ts [--trace traces/forkwait.vmt] [--times 10]
 *                            [--configs bt+shadow,hw+nested] [--platform p4-prescott]
 *
 * Without `--trace` the committed trace with the most guest instructions is used.
 *
 * @module
 */

import { join } from "node:path";
import { tmpdir } from "node:os";
import { TraceReader } from "../src/trace/reader.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import type { TraceHeaderInit } from "../src/trace/header.ts";
import { replay } from "../src/engine/replay.ts";
import { benchTraces } from "./traces.ts";

/** One child measurement. */
interface Measurement {
  instructions: number;
  records: number;
  wallSeconds: number;
  peakRssBytes: number;
  sampled: boolean;
}

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

/** Peak RSS of this process in bytes, or null where /proc is not available. */
function vmHwm(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Child mode: replays one trace under one configuration and prints a {@link Measurement}. */
async function child(trace: string, cpu: string, mmu: string, platform: string): Promise<void> {
  let sampledPeak = Deno.memoryUsage().rss;
  const timer = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, Deno.memoryUsage().rss);
  }, 20);
  const result = await replay(trace, { cpu, mmu, io: "emulated", platform });
  clearInterval(timer);
  sampledPeak = Math.max(sampledPeak, Deno.memoryUsage().rss);
  const hwm = vmHwm();
  const out: Measurement = {
    instructions: Number(result.instructions),
    records: Number(result.records),
    wallSeconds: Number(result.host.wallSeconds),
    peakRssBytes: hwm ?? sampledPeak,
    sampled: hwm === null,
  };
  console.log(JSON.stringify(out));
}

/** Writes `times` copies of `src`'s records into `out` (same header and code table). */
function repeatTrace(src: string, out: string, times: number): void {
  const t = TraceReader.open(src);
  try {
    const { format: _f, version: _v, ...init } = t.header;
    const w = TraceWriter.create(out, init as TraceHeaderInit);
    try {
      const code = t.code;
      for (let b = 0; b < code.blockCount; b++) {
        w.defineBlock(code.blockAddr[b], code.blockCpl[b], code.instructions(b));
      }
      for (let k = 0; k < times; k++) {
        const c = t.cursor();
        while (c.next()) w.copy(c.record);
      }
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
  } finally {
    t.close();
  }
}

function largestTrace(): string {
  let best = "", most = -1;
  for (const { path } of benchTraces()) {
    if (!path.includes("/traces/")) continue;
    const t = TraceReader.open(path);
    const n = t.summary.instructions;
    t.close();
    if (n > most) [best, most] = [path, n];
  }
  if (most < 0) throw new Error("no trace under traces/; pass --trace");
  return best;
}

async function measure(trace: string, config: string, platform: string): Promise<Measurement> {
  const [cpu, mmu] = config.split("+");
  const self = new URL(import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", self, "--child", trace, cpu, mmu, platform],
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`replay of ${trace} under ${config} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as Measurement;
}

async function main(): Promise<void> {
  const c = Deno.args.indexOf("--child");
  if (c >= 0) {
    const [trace, cpu, mmu, platform] = Deno.args.slice(c + 1);
    return await child(trace, cpu, mmu, platform);
  }
  const src = Deno.args.includes("--trace") ? arg("trace", "") : largestTrace();
  const times = Number(arg("times", "10"));
  const configs = arg("configs", "bt+shadow,hw+nested").split(",");
  const platform = arg("platform", "p4-prescott");
  const name = src.split("/").pop()!.replace(/\.vmt$/, "");
  const dir = join(tmpdir(), "vmmlab-rss");
  Deno.mkdirSync(dir, { recursive: true });
  // The content hash in the name: a re-recorded source trace gets a new long copy.
  const srcReader = TraceReader.open(src);
  const hash = srcReader.summary.contentHash.replace(/^sha256:/, "").slice(0, 12);
  srcReader.close();
  const long = join(dir, `${name}-${hash}-x${times}.vmt`);
  let built = false;
  try {
    Deno.statSync(long);
  } catch {
    repeatTrace(src, long, times);
    built = true;
  }
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  const size = (p: string) => Deno.statSync(p).size;
  console.log(
    `source ${src} (${mb(size(src))} MB), ${times}x copy ${long} (${mb(size(long))} MB${
      built ? ", built now" : ""
    }), platform ${platform}`,
  );
  console.log("| configuration | trace | guest instr | peak RSS | replay wall | M instr/s |");
  console.log("|---|---|---:|---:|---:|---:|");
  for (const config of configs) {
    for (const [label, path] of [[`${name}`, src], [`${name} x${times}`, long]]) {
      const m = await measure(path, config, platform);
      console.log(
        `| ${config} | ${label} | ${m.instructions} | ${mb(m.peakRssBytes)} MB${
          m.sampled ? " (sampled)" : ""
        } | ${m.wallSeconds.toFixed(2)} s | ${(m.instructions / m.wallSeconds / 1e6).toFixed(1)} |`,
      );
    }
  }
}

await main();
