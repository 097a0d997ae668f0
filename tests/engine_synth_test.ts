import assert from "node:assert/strict";
import { RECIPE_NAMES, RECIPES, synthesizeBytes, synthesizeFile } from "../src/synth/mod.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { kindName, MarkerOp, RecordKind } from "../src/trace/record.ts";
import { InputError } from "../src/util/errors.ts";

Deno.test("every recipe's trace says it is synthetic and carries its seed and event list", () => {
  for (const name of RECIPE_NAMES) {
    const t = TraceReader.fromBytes(synthesizeBytes(name, { iterations: 3, seed: 4 }));
    assert.equal(t.header.source.kind, "synthetic");
    assert.equal(t.header.source.seed, 4);
    assert.equal(t.header.workload, name);
    assert.match(t.header.notes ?? "", /^Per iteration: /);
    assert.equal(t.summary.iterations, 3);
  }
});

Deno.test("each iteration holds exactly the records its documented event list names", () => {
  for (const name of RECIPE_NAMES) {
    const t = TraceReader.fromBytes(synthesizeBytes(name, { iterations: 5 }));
    const c = t.cursor();
    let inWindow = false;
    let perIteration: string[] = [];
    const seen: string[][] = [];
    while (c.next()) {
      const r = c.record;
      if (r.kind === RecordKind.Marker) {
        if (r.op === MarkerOp.Begin) inWindow = true;
        if (r.op === MarkerOp.Iteration) {
          seen.push(perIteration);
          perIteration = [];
        }
        continue;
      }
      if (inWindow) perIteration.push(kindName(r.kind));
    }
    assert.equal(seen.length, 5, name);
    // The first word of each documented event is the record kind's name.
    const documented = RECIPES[name].events.map((e) => e.split(" ")[0]);
    for (const it of seen) assert.deepEqual(it, documented, name);
  }
});

Deno.test("recipes are deterministic per seed and vary with it", () => {
  const a = TraceReader.fromBytes(synthesizeBytes("ptemod", { iterations: 50, seed: 1 }));
  const b = TraceReader.fromBytes(synthesizeBytes("ptemod", { iterations: 50, seed: 1 }));
  const c = TraceReader.fromBytes(synthesizeBytes("ptemod", { iterations: 50, seed: 2 }));
  assert.equal(a.summary.contentHash, b.summary.contentHash);
  assert.notEqual(a.summary.contentHash, c.summary.contentHash);
});

Deno.test("synthesizeFile writes the trace atomically; bad names and counts are InputErrors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/in.vmt`;
    const s = synthesizeFile(path, "in", { iterations: 7 });
    assert.equal(s.iterations, 7);
    assert.equal(TraceReader.open(path).header.devices[0], "port80");
    assert.throws(() => synthesizeFile(`${dir}/x.vmt`, "nosuch"), InputError);
    assert.throws(() => synthesizeBytes("in", { iterations: 0 }), InputError);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["in.vmt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
