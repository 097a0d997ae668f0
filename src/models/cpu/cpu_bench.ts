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
import type { RecordSource } from "../../engine/array_cursor.ts";
import { resolveConfig } from "../../engine/config.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { TraceReader } from "../../trace/reader.ts";
import { EXTENDED_SCHEMAS, Field, RecordKind, TraceRecord } from "../../trace/record.ts";
import { mixBytes } from "../../synth/mix.ts";

const TRACE = new URL("../../../traces/forkwait.vmt", import.meta.url);

function load(): { reader: TraceReader; name: string } {
  try {
    return { reader: TraceReader.fromBytes(Deno.readFileSync(TRACE)), name: "forkwait" };
  } catch {
    return { reader: TraceReader.fromBytes(mixBytes({ instructions: 2_000_000 })), name: "mix" };
  }
}

/** The fields each CPU record kind carries, in storage order. */
const FIELDS: Record<number, readonly number[]> = {
  [RecordKind.Exec]: [Field.Block, Field.Count],
  [RecordKind.ExecPartial]: [Field.Block, Field.Count],
  [RecordKind.Sensitive]: EXTENDED_SCHEMAS[RecordKind.Sensitive],
  [RecordKind.Exception]: EXTENDED_SCHEMAS[RecordKind.Exception],
  [RecordKind.Interrupt]: EXTENDED_SCHEMAS[RecordKind.Interrupt],
  [RecordKind.RepString]: EXTENDED_SCHEMAS[RecordKind.RepString],
};

/** Records stored as a kind byte and that kind's fields packed in one Float64Array. */
class FlatRecords {
  readonly kinds: Uint8Array;
  readonly values: Float64Array;
  readonly instructions: number;

  constructor(reader: TraceReader) {
    const kinds: number[] = [];
    const values: number[] = [];
    let instructions = 0;
    const c = reader.cursor();
    const r = c.record;
    while (c.next()) {
      const fields = FIELDS[r.kind];
      if (fields === undefined) continue;
      kinds.push(r.kind);
      for (const f of fields) values.push(r.f[f]);
      if (r.kind === RecordKind.Exec || r.kind === RecordKind.ExecPartial) {
        instructions += r.f[Field.Count];
      }
    }
    this.kinds = Uint8Array.from(kinds);
    this.values = Float64Array.from(values);
    this.instructions = instructions;
  }
}

/** A cursor over {@link FlatRecords}: copies one record's fields per step, allocates nothing. */
class FlatCursor implements RecordSource {
  readonly record: TraceRecord = new TraceRecord();
  readonly #flat: FlatRecords;
  readonly #layout: Int8Array[] = [];
  #i = 0;
  #o = 0;

  constructor(flat: FlatRecords) {
    this.#flat = flat;
    for (const [kind, fields] of Object.entries(FIELDS)) {
      this.#layout[Number(kind)] = Int8Array.from(fields);
    }
  }

  next(): boolean {
    const flat = this.#flat;
    if (this.#i >= flat.kinds.length) return false;
    const kind = flat.kinds[this.#i++];
    const layout = this.#layout[kind];
    const f = this.record.f, v = flat.values;
    this.record.kind = kind;
    let o = this.#o;
    for (let j = 0; j < layout.length; j++) f[layout[j]] = v[o++];
    this.#o = o;
    return true;
  }
}

const { reader, name } = load();
const flat = new FlatRecords(reader);
const input = { header: reader.header, code: reader.code, cursor: () => new FlatCursor(flat) };
const meta = `${flat.instructions} instr, ${flat.kinds.length} rec`;

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
