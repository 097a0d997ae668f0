/**
 * Throughput of the CPU models' per-record path, without the trace decoder: the CPU
 * records of the committed forkwait trace (executed blocks, sensitive instructions,
 * exceptions, interrupts, string instructions; memory references left out) are decoded
 * once into flat typed arrays and replayed through the engine under each CPU model (the
 * native baseline runs beside it, as in every replay). When the trace is absent, the
 * seeded instruction mix stands in.
 *
 * @module
 */

import { ReplayMachine } from "../../engine/replay.ts";
import { FlatRecords } from "../../engine/flat_records.ts";
import { resolveConfig } from "../../engine/config.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { TraceReader } from "../../trace/reader.ts";
import { RecordKind } from "../../trace/record.ts";
import { mixBytes } from "../../synth/mix.ts";

const TRACE = new URL("../../../traces/forkwait.vmt", import.meta.url);

function load(): { reader: TraceReader; name: string } {
  try {
    return { reader: TraceReader.fromBytes(Deno.readFileSync(TRACE)), name: "forkwait" };
  } catch {
    return { reader: TraceReader.fromBytes(mixBytes({ instructions: 2_000_000 })), name: "mix" };
  }
}

const { reader, name } = load();
const CPU_KINDS = new Set<number>([
  RecordKind.Exec,
  RecordKind.ExecPartial,
  RecordKind.Sensitive,
  RecordKind.Exception,
  RecordKind.Interrupt,
  RecordKind.RepString,
]);
const flat = new FlatRecords(reader.cursor(), (k) => CPU_KINDS.has(k));
const input = { header: reader.header, code: reader.code, cursor: () => flat.cursor() };
const meta = `${flat.instructions} instr, ${flat.length} rec`;

// Each CPU model with the MMU it is usually paired with (the MMU sees CR3 writes, INVLPG
// and page faults among these records).
const PAIRS: Array<[string, string]> = [
  ["native", "native"],
  ["trap", "shadow"],
  ["bt", "shadow"],
  ["pv", "pv-direct"],
  ["hw", "nested"],
];
for (const [cpu, mmu] of PAIRS) {
  const config = resolveConfig({ cpu, mmu });
  const platform = loadPlatform(config.platform);
  Deno.bench({
    name: `cpu ${cpu} (+${mmu}): ${name} CPU records (${meta})`,
    group: "cpu",
    n: 5,
    warmup: 1,
    fn() {
      const m = new ReplayMachine(input, config, platform);
      m.run(input.cursor(), input.code);
      m.finish();
    },
  });
}
