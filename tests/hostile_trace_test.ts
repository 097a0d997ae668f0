/**
 * Structured fuzz test beside the random mutation test (issue 11, classes 1 and 2): each
 * trace from tests/hostile_traces.ts is CRC-valid but semantically hostile — a memory bomb
 * in the format, or a record that would make replay loop for hours. Every one is run
 * through the real CLI in a subprocess (tests/peak_memory_harness.ts), which must end in
 * exit status 2 with exactly one line on stderr, within a time bound, and within a peak
 * resident memory bound measured by the subprocess itself (VmHWM).
 */

import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { nonFinitePath } from "../src/engine/result.ts";
import { crc32 } from "../src/trace/crc32.ts";
import { MAX_CHUNK_RECORDS } from "../src/trace/format.ts";
import { BlockOp, StringOp } from "../src/trace/record.ts";
import {
  BASE_HEADER,
  baseTrace,
  codeTableOf,
  overlongDeflate,
  type Pieces,
  pieces,
  rebuild,
  runBlock,
  summaryBomb,
} from "./hostile_traces.ts";

const ROOT = fromFileUrl(new URL("..", import.meta.url));
const HARNESS = fromFileUrl(new URL("./peak_memory_harness.ts", import.meta.url));

/** Wall-clock bound of one run (a deno start-up and module load included). */
const TIME_LIMIT_MS = 15_000;
/** Peak resident memory bound of one run: the "about 300 MB". */
const MEMORY_LIMIT = 300 * 2 ** 20;

interface Case {
  name: string;
  /** The hostile file. */
  bytes: () => Uint8Array;
  /** The CLI arguments, `TRACE` standing for the file. */
  args: string[];
  /** What the one stderr line must say. */
  message: RegExp;
  /** What the error line must name (default: the trace file). */
  names?: string;
}

const base = () => pieces(baseTrace());
const withChunk0 = (change: (c: Pieces["chunks"][number]) => void) => () =>
  rebuild(base(), (p) => change(p.chunks[0]));
const recordCase = (add: Parameters<typeof baseTrace>[0]) => () => baseTrace(add);

const CASES: Case[] = [
  // Class 1: memory bombs in the format.
  {
    name: "summary JSON that inflates to 160 MB",
    bytes: () => summaryBomb(base(), 160 << 20),
    args: ["trace", "inspect", "TRACE"],
    message: /uncompressed bytes, more than the limit/,
  },
  {
    name: "header JSON of 2 MB",
    bytes: () =>
      rebuild(base(), (p) => {
        p.header = JSON.stringify({ ...JSON.parse(p.header), notes: "n".repeat(2 << 20) });
      }),
    args: ["trace", "inspect", "TRACE"],
    message: /header is \d+ bytes, more than the limit/,
  },
  {
    name: "header JSON nested 2000 deep",
    bytes: () =>
      rebuild(base(), (p) => {
        const extra = "[".repeat(2000) + "]".repeat(2000);
        p.header = p.header.slice(0, -1) + `,"extra":{"deep":${extra}}}`;
      }),
    args: ["trace", "inspect", "TRACE"],
    message: /nests deeper than the limit/,
  },
  {
    name: "code table of 3 million blocks",
    bytes: () =>
      rebuild(base(), (p) => {
        p.code = codeTableOf(p.code, 3_000_000, 1);
        p.summary.codeBlocks = p.code.blocks;
      }),
    args: ["replay", "TRACE"],
    message: /code table claims \d+ blocks/,
  },
  {
    name: "code table block of 4 million instructions",
    bytes: () =>
      rebuild(base(), (p) => {
        p.code = codeTableOf(p.code, 1, 4_000_000);
        p.summary.codeBlocks = p.code.blocks;
      }),
    args: ["replay", "TRACE"],
    message: /more than \d+ instructions/,
  },
  {
    name: "chunk declaring and inflating to 1 GB",
    bytes: withChunk0((c) => {
      const n = 2 ** 30 - 4096;
      c.section = { ...c.section, raw: n, stored: runBlock(n, 0, true) };
    }),
    args: ["trace", "validate", "TRACE"],
    message: /chunk 0 .*claims 1073737728 uncompressed bytes, more than the limit/,
  },
  {
    name: "chunk whose deflate stream runs 1 GB past its declared size",
    bytes: withChunk0((c) => {
      c.section = { ...c.section, stored: overlongDeflate(c.raw, 2 ** 30) };
    }),
    args: ["trace", "validate", "TRACE"],
    message: /chunk 0 .*stores \d+ bytes for \d+ uncompressed/,
  },
  {
    name: "chunk whose deflate stream runs 64 KB past its declared size",
    bytes: withChunk0((c) => {
      c.section = { ...c.section, stored: overlongDeflate(c.raw, 65536) };
    }),
    args: ["trace", "validate", "TRACE"],
    message: /chunk 0 .*decompresses to more than the declared/,
  },
  {
    name: "chunk of 64 MB + 1 byte",
    bytes: withChunk0((c) => {
      const n = (64 << 20) + 1;
      const zeros = new Uint8Array(n);
      c.section = { ...c.section, raw: n, crc: crc32(zeros), stored: runBlock(n, 0, true) };
    }),
    args: ["trace", "validate", "TRACE"],
    message: /more than the limit of 67108864/,
  },
  // Class 2: records that never finish.
  {
    name: "string instruction of 2^52 iterations",
    bytes: recordCase((w) => w.repString(-0x7f000000, StringOp.Stos, 2 ** 52, 1, 0, 0x1000, 2)),
    args: ["replay", "TRACE"],
    message: /string instruction moves 4503599627370496 x 1 bytes, more than the guest's/,
  },
  {
    name: "string instruction of 8 GB in a 256 MB guest",
    bytes: recordCase((w) => w.repString(-0x7f000000, StringOp.Movs, 2 ** 30, 8, 0, 0x1000, 2)),
    args: ["replay", "TRACE", "--mmu", "shadow"],
    message: /more than the guest's 268435456 bytes/,
  },
  {
    name: "DMA of 2^50 bytes to an assigned device",
    bytes: recordCase((w) => w.dma(0, 0x3000000, 2 ** 50, 2)),
    args: ["replay", "TRACE", "--io", "passthrough"],
    message: /transfer of 1125899906842624 bytes is more than the guest's/,
  },
  {
    name: "block request of 2^50 bytes",
    bytes: recordCase((w) => w.blockRequest(0, BlockOp.Write, 0, 2 ** 50)),
    args: ["trace", "validate", "TRACE"],
    message: /transfer of 1125899906842624 bytes/,
  },
  {
    name: "sensitive instruction with class 999",
    bytes: recordCase((w) => w.sensitive(999, -0x7f000000, 0, 0, 0, 0)),
    args: ["replay", "TRACE", "--cpu", "trap"],
    message: /sensitive instruction has an impossible class 999/,
  },
  {
    name: "sensitive instruction with class 0",
    bytes: recordCase((w) => w.sensitive(0, -0x7f000000, 0, 0, 0, 0)),
    args: ["trace", "validate", "TRACE"],
    message: /sensitive instruction has an impossible class 0/,
  },
  {
    name: "guest memory of 2^40 MiB in the header",
    bytes: () =>
      baseTrace(
        (w) => w.dma(0, 0x3000000, 2 ** 50, 2),
        { ...BASE_HEADER, guest: { arch: "x86_64", memoryMiB: 2 ** 40 } },
      ),
    args: ["replay", "TRACE", "--io", "passthrough"],
    message: /guest\.memoryMiB \d+ is not a memory size/,
  },
  {
    // Not the trace's fault: the platform's ranges (src/platforms/ranges.ts) refuse a cost
    // that could overflow the cycles to infinity before anything replays; the result's own
    // guard against non-finite numbers stays behind it (nonFinitePath).
    name: "platform cost that overflows the cycles to infinity",
    bytes: () => rebuild(base()),
    args: ["replay", "TRACE", "--io", "emulated", "--set", "platform.io.copy.byte=1e306"],
    names: "io.copy.byte",
    message: /out of range/i,
  },
  {
    name: "sensitive instruction class in the code table",
    bytes: () =>
      rebuild(base(), (p) => {
        // The first instruction's class byte: after the block count (1 byte), the address
        // delta (4 bytes for 0x401000), the privilege level, the instruction count and the
        // instruction's length.
        const raw = p.code.raw.slice();
        assert.deepEqual([...raw.subarray(5, 9)], [3, 2, 3, 0]);
        raw[8] = 200;
        p.code = { ...p.code, raw };
      }),
    args: ["trace", "inspect", "TRACE"],
    message: /sensitive class 200/,
  },
];

interface Run {
  code: number;
  stderr: string;
  ms: number;
  peak: number;
}

async function runHarness(args: string[], dir: string): Promise<Run> {
  const peakFile = `${dir}/peak.txt`;
  try {
    Deno.removeSync(peakFile);
  } catch { /* not there yet */ }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      // Deno lets a program read /proc/self/status (its peak memory) only with every
      // permission; the CLI code itself needs read, write, env and sys.
      "--allow-all",
      HARNESS,
      peakFile,
      ...args,
    ],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const start = performance.now();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, TIME_LIMIT_MS);
  const out = await child.output();
  clearTimeout(timer);
  const ms = performance.now() - start;
  let peak = Number.NaN;
  try {
    peak = Number(Deno.readTextFileSync(peakFile));
  } catch { /* killed before it could write */ }
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr), ms, peak };
}

/** Figures printed at the end (they go into the closing note). */
const measured: string[] = [];

for (const c of CASES) {
  Deno.test(`hostile trace: ${c.name} is exit 2, one line, bounded time and memory`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab-hostile-" });
    try {
      const trace = `${dir}/hostile.vmt`;
      const bytes = c.bytes();
      assert.ok(bytes.length < 8 << 20, `the hostile file is small (${bytes.length} bytes)`);
      Deno.writeFileSync(trace, bytes);
      const r = await runHarness(c.args.map((a) => a === "TRACE" ? trace : a), dir);
      measured.push(
        `${c.name}: ${bytes.length} B file, exit ${r.code}, ${Math.round(r.ms)} ms, ` +
          `peak ${(r.peak / 2 ** 20).toFixed(0)} MiB`,
      );
      assert.ok(r.ms < TIME_LIMIT_MS, `finished within ${TIME_LIMIT_MS} ms (took ${r.ms} ms)`);
      assert.equal(r.code, 2, `exit status 2, stderr: ${r.stderr}`);
      const lines = r.stderr.split("\n").filter((l) => l !== "");
      assert.equal(lines.length, 1, `exactly one line on stderr:\n${r.stderr}`);
      const named = c.names ?? trace;
      assert.ok(lines[0].includes(named), `the line names ${named}: ${lines[0]}`);
      assert.match(lines[0], c.message);
      if (r.peak >= 0) {
        assert.ok(
          r.peak < MEMORY_LIMIT,
          `peak memory ${(r.peak / 2 ** 20).toFixed(0)} MiB is under ${MEMORY_LIMIT / 2 ** 20}`,
        );
      } else {
        console.log("peak memory not measured: /proc/self/status is not available");
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("hostile trace: the base trace itself is valid and replays (exit 0)", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-hostile-" });
  try {
    const trace = `${dir}/base.vmt`;
    Deno.writeFileSync(trace, rebuild(base()));
    for (const args of [["trace", "validate", trace], ["replay", trace, "--io", "passthrough"]]) {
      const r = await runHarness(args, dir);
      assert.equal(r.code, 0, r.stderr);
      measured.push(
        `legitimate base trace, ${args[0]}: ${Math.round(r.ms)} ms, peak ${
          (r.peak / 2 ** 20).toFixed(0)
        } MiB`,
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("trace convert refuses more records per chunk than the format allows", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-hostile-" });
  try {
    const trace = `${dir}/base.vmt`;
    const out = `${dir}/out.vmt`;
    Deno.writeFileSync(trace, rebuild(base()));
    for (const n of [2 ** 31, MAX_CHUNK_RECORDS + 1]) {
      const r = await runHarness(
        ["trace", "convert", trace, "-o", out, "--chunk-records", String(n)],
        dir,
      );
      assert.notEqual(r.code, 0, `--chunk-records ${n} is refused`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /--chunk-records/);
      assert.throws(() => Deno.statSync(out), Deno.errors.NotFound, "no output file");
    }
    const r = await runHarness(
      ["trace", "convert", trace, "-o", out, "--chunk-records", String(MAX_CHUNK_RECORDS)],
      dir,
    );
    assert.equal(r.code, 0, r.stderr);
    const v = await runHarness(["trace", "validate", out], dir);
    assert.equal(v.code, 0, `the largest chunk setting writes a readable file: ${v.stderr}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("nonFinitePath names the first number a result must not hold", () => {
  assert.equal(nonFinitePath({ cycles: { native: 1, virtualized: 2 }, events: {} }), null);
  assert.equal(
    nonFinitePath({ cycles: { native: 1, virtualized: Infinity } }),
    "cycles.virtualized",
  );
  assert.equal(nonFinitePath({ breakdown: { exec: 1, "io.copy": NaN } }), "breakdown.io.copy");
  assert.equal(nonFinitePath({ a: [1, -Infinity] }), "a.1");
  assert.equal(nonFinitePath({ workload: "x", n: null }), null);
});

Deno.test("hostile trace: measured bounds", () => {
  console.log(measured.join("\n"));
});
