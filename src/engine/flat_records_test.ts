import assert from "node:assert/strict";
import { ArrayTrace } from "./array_cursor.ts";
import { fieldsOf, FlatRecords } from "./flat_records.ts";
import { Field, RecordKind, SensitiveOp } from "../trace/record.ts";

function sample(): ArrayTrace {
  const t = new ArrayTrace();
  const b = t.block(0x1000, 0, [
    { length: 2, sensitive: 0, flow: 0 },
    { length: 3, sensitive: 0, flow: 0 },
  ]);
  t.exec(b).mem(0x7fff_0000_1000, 0x2000, 8, 1).sensitive(SensitiveOp.CrWrite, 0x1004, 3, 0x5000);
  t.execPartial(b, 1).exception(14, 2, 0xdead000, 0x1008, 0);
  return t;
}

Deno.test("flat records replay every defined field of every kind, in order", () => {
  const t = sample();
  const flat = new FlatRecords(t.cursor());
  assert.equal(flat.length, 5);
  // Exec 2 + mem 4 + sensitive 6 + exec 2 + exception 5 numbers.
  assert.equal(flat.values.length, 19);
  assert.equal(flat.instructions, 3);
  const want = t.cursor(), got = flat.cursor();
  let n = 0;
  while (want.next()) {
    assert.ok(got.next());
    assert.equal(got.record.kind, want.record.kind);
    for (const f of fieldsOf(want.record.kind)) {
      assert.equal(got.record.f[f], want.record.f[f], `record ${n} field ${f}`);
    }
    n++;
  }
  assert.equal(got.next(), false);
  assert.equal(n, 5);
});

Deno.test("flat records keep only the kinds asked for", () => {
  const flat = new FlatRecords(sample().cursor(), (k) => k < 0x80);
  assert.equal(flat.length, 4);
  assert.deepEqual([...flat.kinds], [
    RecordKind.Exec,
    RecordKind.Sensitive,
    RecordKind.ExecPartial,
    RecordKind.Exception,
  ]);
  const c = flat.cursor();
  c.next();
  c.next();
  assert.equal(c.record.f[Field.Value], 0x5000);
  assert.equal(c.record.f[Field.Reg], 3);
});

Deno.test("a memory reference is stored in four numbers, an exec record in two", () => {
  assert.deepEqual(fieldsOf(0x83), [Field.Addr, Field.Paddr, Field.Size, Field.Flags]);
  assert.deepEqual(fieldsOf(RecordKind.Exec), [Field.Block, Field.Count]);
  assert.deepEqual(fieldsOf(0x7f), []);
});
