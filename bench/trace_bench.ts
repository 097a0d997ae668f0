/**
 * Trace codec throughput: decode-only (cursor over every record) and encode-only
 * (writer fed pre-decoded records) on every committed trace. `bench/report.ts` turns the
 * timings into MB/s, records/s and guest instructions/s for BENCHMARKS.md.
 */

import { TraceReader } from "../src/trace/reader.ts";
import { TraceRecord } from "../src/trace/record.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import { benchTraces } from "./traces.ts";

for (const { name, path } of benchTraces()) {
  const t = TraceReader.open(path);
  const s = t.summary;
  const meta = `${s.instructions} instr, ${s.records} rec, ${t.size} B`;

  Deno.bench(`decode ${name} (${meta})`, { group: `decode` }, () => {
    const c = t.cursor();
    const r = c.record;
    let n = 0;
    while (c.next()) n += r.kind;
    if (n < 0) throw new Error("unreachable");
  });

  // Pre-decode into flat arrays so the encode bench measures the writer alone.
  const kinds = new Uint8Array(s.records);
  const fields = new Float64Array(s.records * 17);
  {
    const c = t.cursor();
    let i = 0;
    while (c.next()) {
      kinds[i] = c.record.kind;
      fields.set(c.record.f, i * 17);
      i++;
    }
  }
  const { format: _f, version: _v, ...header } = t.header;
  Deno.bench(`encode ${name} (${meta})`, { group: `encode` }, () => {
    const w = TraceWriter.inMemory(header);
    const code = t.code;
    for (let b = 0; b < code.blockCount; b++) {
      w.defineBlock(code.blockAddr[b], code.blockCpl[b], code.instructions(b));
    }
    const r = new TraceRecord();
    const f = r.f;
    for (let i = 0; i < kinds.length; i++) {
      r.kind = kinds[i];
      for (let j = 0, o = i * 17; j < 17; j++) f[j] = fields[o + j];
      w.copy(r);
    }
    w.finish();
  });
}
