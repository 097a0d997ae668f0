/**
 * Trace codec throughput: decode-only (cursor over every record) and encode-only
 * (writer fed pre-decoded records) on every committed trace. `bench/report.ts` turns the
 * timings into file MB/s, uncompressed record-payload MB/s, records/s and guest
 * instructions/s for BENCHMARKS.md.
 */

import { TraceReader } from "../src/trace/reader.ts";
import { FlatRecords } from "../src/engine/flat_records.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import { benchTraces } from "./traces.ts";

let flat: { path: string; records: FlatRecords } | null = null;
for (const { name, path } of benchTraces()) {
  const t = TraceReader.open(path);
  const s = t.summary;
  const raw = t.chunks.reduce((sum, c) => sum + c.rawSize, 0);
  const meta = `${s.instructions} instr, ${s.records} rec, ${t.size} B, ${raw} rawB`;

  Deno.bench(`decode ${name} (${meta})`, { group: `decode` }, () => {
    const c = t.cursor();
    const r = c.record;
    let n = 0;
    while (c.next()) n += r.kind;
    if (n < 0) throw new Error("unreachable");
  });

  // Pre-decoded records (decoded on the encode bench's first call, one trace at a time, so
  // only one trace's records are ever held) let the encode bench measure the writer alone.
  const decoded = () => {
    if (flat?.path !== path) flat = { path, records: new FlatRecords(t.cursor()) };
    return flat.records;
  };
  const { format: _f, version: _v, ...header } = t.header;
  Deno.bench(`encode ${name} (${meta})`, { group: `encode` }, () => {
    const w = TraceWriter.inMemory(header);
    const code = t.code;
    for (let b = 0; b < code.blockCount; b++) {
      w.defineBlock(code.blockAddr[b], code.blockCpl[b], code.instructions(b));
    }
    const c = decoded().cursor();
    while (c.next()) w.copy(c.record);
    w.finish();
  });
}
