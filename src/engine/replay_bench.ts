/**
 * `deno bench` cases for the replay engine, one group per model family: each case replays
 * the committed forkwait trace (a real Linux guest; the seeded instruction mix when the
 * trace is absent) under one configuration. Divide the trace's instructions (printed
 * once) by the time per iteration for guest instructions per second, or run
 * `deno run -A bench/report.ts src/engine/replay_bench.ts` for the rates.
 *
 * @module
 */

import { replay, ReplayMachine } from "./replay.ts";
import { type ReplayConfig, resolveConfig } from "./config.ts";
import { FlatRecords } from "./flat_records.ts";
import { loadPlatform } from "../platforms/load.ts";
import { TraceReader } from "../trace/reader.ts";
import { mixBytes } from "../synth/mix.ts";

const TRACE = new URL("../../traces/forkwait.vmt", import.meta.url);

function load(): { bytes: Uint8Array; name: string } {
  try {
    return { bytes: Deno.readFileSync(TRACE), name: "forkwait" };
  } catch {
    return { bytes: mixBytes({ instructions: 2_000_000 }), name: "mix" };
  }
}

const { bytes, name } = load();
const summary = TraceReader.fromBytes(bytes).summary;
// Every name ends in "(N instr, M rec, B B)": bench/report.ts turns times into rates.
const meta = `${summary.instructions} instr, ${summary.records} rec, ${bytes.length} B`;
console.log(`replay benchmarks: trace ${name}, ${summary.instructions} guest instructions`);

function bench(group: string, label: string, config: ReplayConfig): void {
  Deno.bench({
    name: `${group}: ${label} on ${name} (${meta})`,
    group,
    n: 5,
    warmup: 1,
    async fn() {
      await replay(bytes, config);
    },
  });
}

Deno.bench({
  name: `decode: cursor only on ${name} (${meta})`,
  group: "decode",
  n: 5,
  warmup: 1,
  fn() {
    const c = TraceReader.fromBytes(bytes).cursor();
    while (c.next()) { /* decode only */ }
  },
});

// The full configurations run first: every configuration shares the engine's record loop,
// and the loop's calls into the models slow down once they have seen many model classes
// (a CLI replay only ever sees two), so later groups are the pessimistic figures.
bench("full", "bt+shadow", { cpu: "bt", mmu: "shadow", io: "emulated" });
bench("full", "hw+nested", { cpu: "hw", mmu: "nested", io: "emulated" });
bench("full", "hw+shadow", { cpu: "hw", mmu: "shadow", io: "emulated" });
bench("full", "pv+pv-direct", { cpu: "pv", mmu: "pv-direct", io: "pv" });
bench("full", "native", { cpu: "native", mmu: "native", io: "native" });
// The same with the cache hierarchy switched off (what the hierarchy costs: BENCHMARKS.md).
const NO_CACHES = { "cache.hierarchy": false };
bench("full", "bt+shadow, no caches", {
  cpu: "bt",
  mmu: "shadow",
  io: "emulated",
  options: NO_CACHES,
});
bench("full", "hw+nested, no caches", {
  cpu: "hw",
  mmu: "nested",
  io: "emulated",
  options: NO_CACHES,
});
bench("full", "native, no caches", {
  cpu: "native",
  mmu: "native",
  io: "native",
  options: NO_CACHES,
});

// The engine loop and the models alone: records decoded once into memory (built on first
// use), replayed through the same machine `replay` uses. Decode-only time plus this time is
// roughly the full replay time.
let flat: FlatRecords | null = null;
for (const [cpu, mmu] of [["bt", "shadow"], ["hw", "nested"]]) {
  const config = resolveConfig({ cpu, mmu, io: "emulated" });
  const platform = loadPlatform(config.platform);
  Deno.bench({
    name:
      `models: ${cpu}+${mmu} on pre-decoded ${name} (${summary.instructions} instr, ${summary.records} rec)`,
    group: "models",
    n: 5,
    warmup: 1,
    fn() {
      const reader = TraceReader.fromBytes(bytes);
      flat ??= new FlatRecords(reader.cursor());
      const records = flat;
      const input = { header: reader.header, code: reader.code, cursor: () => records.cursor() };
      const m = new ReplayMachine(input, config, platform);
      m.run(input.cursor(), input.code);
      m.finish();
    },
  });
}
for (const cpu of ["native", "trap", "bt", "pv", "hw"]) bench("cpu", cpu, { cpu });
for (const mmu of ["native", "shadow", "pv-direct", "nested"]) bench("mmu", mmu, { mmu });
for (const io of ["emulated", "hosted", "pv", "passthrough", "channel"]) bench("io", io, { io });
for (const memory of ["balloon", "swap", "share"]) bench("memory", memory, { memory });
