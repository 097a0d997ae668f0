import assert from "node:assert/strict";
import { join } from "node:path";
import type { TraceHeaderInit } from "./header.ts";
import { TraceReader } from "./reader.ts";
import { Field, PAGE_DIRTY, PAGE_RUN_MAX_PAGES, RecordKind } from "./record.ts";
import { TraceWriter } from "./writer.ts";

const HEADER: TraceHeaderInit = {
  workload: "page-run",
  source: { kind: "synthetic", method: "page-run test", recorder: "test" },
  pageSizes: [4096],
  devices: [],
  inferred: [],
};

/** Writes one PageRun record and reads it back (or returns the reader's error). */
function roundTrip(fields: [number, number, number, number, number]): number[] | Error {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "t.vmt");
    const w = TraceWriter.create(path, HEADER);
    w.pageRun(...fields);
    w.close();
    try {
      const c = TraceReader.open(path).cursor();
      assert.ok(c.next());
      assert.equal(c.record.kind, RecordKind.PageRun);
      const f = c.record.f;
      return [f[Field.Op], f[Field.Value], f[Field.Paddr], f[Field.Count], f[Field.Flags]];
    } catch (e) {
      return e as Error;
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("a page run round-trips with 64-bit-sized fields", () => {
  // A header without the guest's memory allows 1 GiB: 2^18 pages.
  const big: [number, number, number, number, number] = [
    70000,
    2 ** 45 + 3,
    2 ** 44,
    2 ** 18,
    PAGE_DIRTY,
  ];
  assert.deepEqual(roundTrip(big), big);
});

Deno.test("impossible page runs are rejected when read, naming the problem", () => {
  for (
    const bad of [
      [0, 0, 4097, 1, 0], // not page-aligned
      [0, 0, 4096, 0, 0], // empty
      [0, 0, 4096, PAGE_RUN_MAX_PAGES + 1, 0], // too long
      [0, 0, 4096, 1, 16], // unknown flags
      [-1, 0, 4096, 1, 0], // negative interval
      [0, -5, 4096, 1, 0], // negative time
    ] as [number, number, number, number, number][]
  ) {
    const r = roundTrip(bad);
    assert.ok(r instanceof Error, `accepted ${bad}`);
    assert.match(r.message, /page run has an impossible interval, address, page count or flags/);
  }
  // More pages than the guest has (1 GiB without a memory size in the header).
  const r = roundTrip([0, 0, 0, 2 ** 18 + 1, 0]);
  assert.ok(r instanceof Error);
  assert.match(
    r.message,
    /page run of 262145 pages at 0 is more than the guest's 1073741824 bytes/,
  );
});
