/**
 * `vmmlab trace inspect|validate|convert` and `vmmlab import lackey`.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import Table from "npm:cli-table3@0.6.5";
import { convertTrace } from "../trace/convert.ts";
import { importers } from "../trace/importer.ts";
import "../trace/importers.ts";
import { MAX_CHUNK_RECORDS } from "../trace/format.ts";
import { TraceReader } from "../trace/reader.ts";
import { validateTrace } from "../trace/validate.ts";
import { checkOutputFile, parseIntOption } from "./options.ts";
import { refuseInputs } from "./output.ts";
import { counted } from "./plural.ts";
import { progress } from "./progress.ts";
import { printable } from "../util/printable.ts";
import { type MemoryProfile, memoryProfile } from "../trace/memory_profile.ts";
import { replay } from "../engine/replay.ts";

/** Everything `trace inspect` reports, as printed with `--json`. */
export interface InspectReport {
  /** Trace path. */
  path: string;
  /** File size in bytes. */
  bytes: number;
  /** File bytes per guest instruction; null when the trace executes none. */
  bytesPerInstruction: number | null;
  /** The header JSON. */
  header: unknown;
  /** The summary JSON, without the marker list. */
  summary: Record<string, unknown>;
  /** Number of markers. */
  markers: number;
  /** Memory figures: working set over time, window footprint, sharing by content. */
  memory: MemoryProfile;
  /**
   * TLB misses of a native replay on `platform`'s TLBs per 100K guest instructions (null
   * when the trace executes none or `--tlb-platform none`).
   */
  tlb: { platform: string; misses: number; per100k: number } | null;
  /** The chunk table. */
  chunks: {
    index: number;
    offset: number;
    records: number;
    instructions: number;
    rawSize: number;
    storedSize: number;
  }[];
}

/** Builds the inspect report of an open trace (`tlb` from {@link tlbMisses}). */
export function inspectTrace(
  t: TraceReader,
  path: string,
  tlb: InspectReport["tlb"] = null,
): InspectReport {
  const { markers, ...rest } = t.summary;
  return {
    memory: memoryProfile(t),
    tlb,
    path,
    bytes: t.size,
    bytesPerInstruction: t.summary.instructions > 0 ? t.size / t.summary.instructions : null,
    header: t.header,
    summary: rest,
    markers: markers.length,
    chunks: t.chunks.map((c) => ({
      index: c.index,
      offset: c.offset,
      records: c.records,
      instructions: c.instructions,
      rawSize: c.rawSize,
      storedSize: c.storedSize,
    })),
  };
}

/**
 * TLB misses per 100K instructions of a native replay (cpu, mmu, memory and io native or
 * none) of `path` on `platform`, whose TLB sizes the native MMU model simulates.
 */
export async function tlbMisses(
  path: string,
  platform: string,
): Promise<InspectReport["tlb"]> {
  const r = await replay(path, {
    cpu: "native",
    mmu: "native",
    memory: "none",
    io: "native",
    platform,
  });
  const misses = r.events["tlb.misses"] ?? 0;
  const n = typeof r.instructions === "number" ? r.instructions : 0;
  return n > 0 ? { platform, misses, per100k: misses * 1e5 / n } : null;
}

const MB = 256; // 4 KiB pages per MiB

function printMemory(r: InspectReport): void {
  const m = r.memory;
  const lines: string[] = [];
  if (r.tlb) {
    lines.push(
      `tlb        ${r.tlb.per100k.toFixed(1)} misses per 100K instructions ` +
        `(${r.tlb.misses} in a native replay on ${r.tlb.platform}'s TLBs)`,
    );
  }
  lines.push(
    `window     ${(m.windowPages / MB).toFixed(1)} MiB of RAM pages touched by memory references`,
  );
  if (m.intervals > 0) {
    lines.push(
      `summary    ${m.intervals} intervals, ${
        (m.summaryPages / MB).toFixed(1)
      } MiB of pages touched in all`,
    );
  }
  console.log(lines.join("\n"));
  if (m.spans.length > 0) {
    const t = new Table({
      head: ["intervals", "to M instrs", "working set MiB", "dirtied MiB", "window"],
      style: { head: [], border: [] },
    });
    for (const s of m.spans) {
      t.push([
        `${s.intervals[0]}-${s.intervals[1]}`,
        (s.end / 1e6).toFixed(0),
        (s.touchedPages / MB).toFixed(1),
        (s.dirtiedPages / MB).toFixed(1),
        s.window ? "yes" : "",
      ]);
    }
    console.log(t.toString());
  }
  if (m.sharing.length > 0) {
    const t = new Table({
      head: ["content (vm)", "pages", "distinct", "shared pages", "reclaimable"],
      style: { head: [], border: [] },
    });
    const row = (name: string, pages: number, distinct: number, shared: number) =>
      t.push([
        name,
        pages,
        distinct,
        `${shared} (${(100 * shared / Math.max(1, pages)).toFixed(1)}%)`,
        `${pages - distinct} (${(100 * (pages - distinct) / Math.max(1, pages)).toFixed(1)}%)`,
      ]);
    for (const v of m.sharing) row(`vm ${v.vm}`, v.pages, v.distinct, v.sharedPages);
    if (m.sharing.length > 1) {
      row("all VMs", m.sharingAll.pages, m.sharingAll.distinct, m.sharingAll.sharedPages);
    }
    console.log(`${counted(m.snapshots, "snapshot")}; each page at its latest hash`);
    console.log(t.toString());
  }
  if (m.contentOverTime.length > 1) {
    const t = new Table({
      head: ["after sample", "at M instrs", "pages", "distinct", "shared pages", "reclaimable"],
      style: { head: [], border: [] },
    });
    for (const p of m.contentOverTime) {
      const pct = (n: number) => `${n} (${(100 * n / Math.max(1, p.pages)).toFixed(1)}%)`;
      t.push([
        p.samples,
        (p.at / 1e6).toFixed(0),
        p.pages,
        p.distinct,
        pct(p.sharedPages),
        pct(p.pages - p.distinct),
      ]);
    }
    console.log("pages shared by content over time (all VMs, each page at its hash then)");
    console.log(t.toString());
  }
}

function histogram(title: string, counts: Record<string, number>, total: number): string {
  const table = new Table({ head: [title, "count", "share"], style: { head: [], border: [] } });
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [k, n] of rows) {
    table.push([k, n, total > 0 ? `${(100 * n / total).toFixed(2)}%` : "-"]);
  }
  return table.toString();
}

function printInspect(r: InspectReport, t: TraceReader): void {
  const h = t.header;
  const s = t.summary;
  const lines = [
    `trace      ${r.path}`,
    `workload   ${h.workload}${h.description ? ` — ${h.description}` : ""}`,
    `source     ${h.source.kind}: ${h.source.method}`,
    h.source.command ? `command    ${h.source.command}` : "",
    `recorder   ${h.source.recorder}`,
    h.guest ? `guest      ${JSON.stringify(h.guest)}` : "",
    `format     v${h.version}.${t.minorVersion}, ${
      counted(r.chunks.length, "chunk")
    }, ${s.chunkRecords} records per chunk`,
    `size       ${r.bytes} bytes, ${
      r.bytesPerInstruction === null
        ? "no instructions"
        : `${r.bytesPerInstruction.toFixed(3)} bytes per instruction`
    }`,
    `records    ${s.records}`,
    `instrs     ${s.instructions} (+${s.repIterations} collapsed string iterations)`,
    `code       ${s.codeBlocks} blocks, ${s.codeInstructions} instructions`,
    `markers    ${s.markers.length} (${s.iterations} iterations)`,
    `hash       ${s.contentHash}`,
    `devices    ${h.devices.length ? h.devices.join(", ") : "none"}`,
    ...h.inferred.map((x, i) => `${i === 0 ? "inferred   " : "           "}${x}`),
  ].filter((l) => l !== "");
  console.log(printable(lines.join("\n")));
  const chunks = new Table({
    head: ["chunk", "offset", "records", "instructions", "raw", "stored", "ratio"],
    style: { head: [], border: [] },
  });
  for (const c of r.chunks) {
    chunks.push([
      c.index,
      c.offset,
      c.records,
      c.instructions,
      c.rawSize,
      c.storedSize,
      (c.rawSize / Math.max(1, c.storedSize)).toFixed(1),
    ]);
  }
  console.log(chunks.toString());
  console.log(histogram("record kind", s.kinds, s.records));
  const sensTotal = Object.values(s.sensitive).reduce((a, b) => a + b, 0);
  if (sensTotal > 0) console.log(histogram("sensitive instruction", s.sensitive, sensTotal));
  const excTotal = Object.values(s.exceptions).reduce((a, b) => a + b, 0);
  if (excTotal > 0) console.log(histogram("exception vector", s.exceptions, excTotal));
  printMemory(r);
}

/** Adds `trace inspect|validate|convert` and `import NAME` for every registered importer. */
export function registerTraceCommands(program: Command): void {
  const trace = program.command("trace").description(
    "inspect, validate and convert .vmt trace files",
  );

  trace.command("inspect")
    .description(
      "print the header, chunk table, record-kind histogram, sensitive-instruction counts, TLB misses per 100K instructions, working set over time and pages shared by content",
    )
    .argument("<trace>", "trace file (.vmt)")
    .option("--json", "print the report as JSON")
    .option(
      "--tlb-platform <name>",
      "platform whose TLBs a native replay counts misses on ('none' skips the replay)",
      "modern",
    )
    .action(async (path, opts) => {
      const t = TraceReader.open(path);
      try {
        const tlb = opts.tlbPlatform === "none" || t.summary.instructions === 0
          ? null
          : await tlbMisses(path, opts.tlbPlatform);
        const report = inspectTrace(t, path, tlb);
        if (opts.json) console.log(JSON.stringify(report, null, 2));
        else printInspect(report, t);
      } finally {
        t.close();
      }
    });

  trace.command("validate")
    .description(
      "check every chunk's checksum and structure, and recompute counts and content hash",
    )
    .argument("<trace>", "trace file (.vmt)")
    .action((path) => {
      const t = TraceReader.open(path);
      try {
        const bar = progress("validate", t.chunks.length, "chunks");
        const r = validateTrace(t, (done) => bar.update(done));
        bar.stop();
        console.log(
          `${path}: valid — ${r.records} records, ${r.instructions} instructions, ${
            counted(r.chunks, "chunk")
          }, ${r.contentHash}`,
        );
      } finally {
        t.close();
      }
    });

  trace.command("convert")
    .description("re-encode a trace (e.g. another chunk size); the content hash is kept")
    .argument("<trace>", "input trace (.vmt)")
    .requiredOption("-o, --out <file>", "output trace")
    .option("--chunk-records <n>", "records per chunk", "1048576")
    .option("--level <n>", "deflate level 1-9", "6")
    .action(async (path, opts) => {
      const chunkRecords = parseIntOption(
        "--chunk-records",
        opts.chunkRecords,
        1,
        MAX_CHUNK_RECORDS,
      );
      const level = parseIntOption("--level", opts.level, 1, 9);
      refuseInputs("--out", opts.out, [path]);
      checkOutputFile("--out", opts.out);
      const t = TraceReader.open(path);
      try {
        const bar = progress("convert", t.chunks.length, "chunks");
        const s = await convertTrace(
          t,
          opts.out,
          { chunkRecords, level },
          (done) => bar.update(done),
        );
        bar.stop();
        const size = Deno.statSync(opts.out).size;
        console.log(
          `${opts.out}: ${s.records} records, ${size} bytes (${
            (size / Math.max(1, s.instructions)).toFixed(3)
          } B/instruction)`,
        );
      } finally {
        t.close();
      }
    });

  const imp = program.command("import").description("convert traces from other tools into .vmt");
  // One subcommand per registered importer (src/trace/importers.ts), all with the same options.
  for (const importer of importers()) {
    imp.command(importer.name)
      .description(importer.summary)
      .argument("<file>", importer.input)
      .option("-o, --out <file>", "output trace (default: FILE with a .vmt extension)")
      .option("--workload <name>", "workload name for the header")
      .option("--chunk-records <n>", "records per chunk", "1048576")
      .action(async (file, opts) => {
        const chunkRecords = parseIntOption(
          "--chunk-records",
          opts.chunkRecords,
          1,
          MAX_CHUNK_RECORDS,
        );
        const out = opts.out ?? file.replace(/(\.[^./]*)?$/, ".vmt");
        refuseInputs("--out", out, [file]);
        checkOutputFile("--out", out);
        const s = await importer.import(file, out, { workload: opts.workload, chunkRecords });
        const size = Deno.statSync(out).size;
        console.log(
          `${out}: ${s.instructions} instructions, ${s.records} records, ${s.codeBlocks} blocks, ${size} bytes`,
        );
      });
  }
}
