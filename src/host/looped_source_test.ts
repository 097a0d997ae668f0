import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { TraceWriter } from "../trace/writer.ts";
import { TraceReader } from "../trace/reader.ts";
import { Field, MarkerOp, RecordKind, SensitiveOp } from "../trace/record.ts";
import { loopBounds, LoopedSource, Stop } from "./looped_source.ts";

const HEADER = {
  workload: "loop",
  source: {
    kind: "synthetic",
    method: "hand-built records for the looping test",
    recorder: "test",
  },
  pageSizes: [4096],
  devices: ["disk"],
  inferred: [],
};

/** Records 0-9; a memory reference at record i names page i, so the order is visible. */
function trace(chunkRecords: number): TraceReader {
  const w = TraceWriter.inMemory(HEADER, { chunkRecords });
  w.marker(MarkerOp.Begin, 0); // 0
  w.mem(0x1000, 1 * 4096, 8, 0); // 1
  w.marker(MarkerOp.Iteration, 1); // 2: first iteration marker
  w.mem(0x3000, 3 * 4096, 8, 0); // 3
  w.sensitive(SensitiveOp.Hlt, 0x10, 0, 0, 0, 0); // 4
  w.mem(0x5000, 5 * 4096, 8, 0); // 5
  w.blockRequest(0, 1, 0, 8192); // 6
  w.mem(0x7000, 7 * 4096, 8, 0); // 7
  w.marker(MarkerOp.Iteration, 2); // 8: last iteration marker
  w.mem(0x9000, 9 * 4096, 8, 0); // 9: a partial iteration, never replayed
  return TraceReader.fromBytes(w.finish());
}

/** Pulls records until the source stops; returns their labels and the stop reason. */
function pull(src: LoopedSource): { seen: string[]; stop: number } {
  const seen: string[] = [];
  while (src.next()) {
    const r = src.record;
    seen.push(
      r.kind >= 0x80
        ? `m${r.f[Field.Paddr] / 4096}`
        : RecordKind.Marker === r.kind
        ? "mark"
        : `k${r.kind}`,
    );
  }
  return { seen, stop: src.stop };
}

for (const chunkRecords of [3, 4, 1000]) {
  Deno.test(`looped source: first pass to the last marker, then whole iterations (chunks of ${chunkRecords})`, () => {
    const reader = trace(chunkRecords);
    assertEquals(loopBounds(reader), { start: 3, end: 9, atMarkers: true });
    const src = new LoopedSource(reader, 16);
    // The first pass stops after the HLT, then after the disk request, then at the marker.
    assertEquals(pull(src), {
      seen: ["mark", "m1", "mark", "m3", `k${RecordKind.Sensitive}`],
      stop: Stop.Halt,
    });
    assertEquals(pull(src), { seen: ["m5", `k${RecordKind.BlockRequest}`], stop: Stop.Block });
    assertEquals(src.requestBytes, 8192);
    assertEquals(pull(src), { seen: ["m7", "mark"], stop: Stop.End });
    src.rewind();
    assertEquals(src.passes, 1);
    assertEquals(pull(src), { seen: ["m3", `k${RecordKind.Sensitive}`], stop: Stop.Halt });
    assertEquals(pull(src).stop, Stop.Block);
    assertEquals(pull(src), { seen: ["m7", "mark"], stop: Stop.End });
    // Pages 1, 3, 5, 7 touched once each; page 9 never (the partial iteration).
    assertEquals(src.touchedPages, 4);
  });
}

Deno.test("looped source: a trace with one iteration marker loops over all its records", () => {
  const w = TraceWriter.inMemory(HEADER, { chunkRecords: 2 });
  w.mem(0, 0, 8, 0);
  w.marker(MarkerOp.Iteration, 1);
  w.mem(0, 4096, 8, 0);
  const reader = TraceReader.fromBytes(w.finish());
  assertEquals(loopBounds(reader), { start: 0, end: 3, atMarkers: false });
  const src = new LoopedSource(reader, 1);
  assertEquals(pull(src).seen, ["m0", "mark", "m1"]);
  src.rewind();
  assertEquals(pull(src).seen, ["m0", "mark", "m1"]);
  // Page 1 lies beyond the VM's single page: not counted.
  assertEquals(src.touchedPages, 1);
});
