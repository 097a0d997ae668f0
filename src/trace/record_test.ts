import assert from "node:assert/strict";
import {
  EXTENDED_SCHEMAS,
  Field,
  FIELD_COUNT,
  KIND_NAMES,
  RecordKind,
  SENSITIVE_NAMES,
  SensitiveOp,
} from "./record.ts";

Deno.test("field slots are 0..FIELD_COUNT-1, each named once", () => {
  const slots = Object.values(Field).sort((a, b) => a - b);
  assert.deepEqual(slots, Array.from({ length: FIELD_COUNT }, (_, i) => i));
});

Deno.test("every extended kind has a schema of distinct slots, and every schema a kind name", () => {
  const extended = Object.values(RecordKind).filter((k) =>
    k !== RecordKind.Exec && k !== RecordKind.ExecPartial && k !== RecordKind.Mem
  );
  assert.deepEqual(
    Object.keys(EXTENDED_SCHEMAS).map(Number).sort((a, b) => a - b),
    extended.sort((a, b) => a - b),
  );
  for (const [kind, schema] of Object.entries(EXTENDED_SCHEMAS)) {
    assert.equal(new Set(schema).size, schema.length, `kind ${kind} repeats a field`);
    for (const f of schema) assert.ok(f >= 0 && f < FIELD_COUNT);
    assert.ok(KIND_NAMES[Number(kind)], `kind ${kind} has no name`);
  }
});

Deno.test("sensitive classes are numbered densely and named as the summaries and cost keys spell them", () => {
  const codes = Object.values(SensitiveOp);
  assert.deepEqual(codes, Array.from({ length: codes.length }, (_, i) => i));
  assert.equal(SENSITIVE_NAMES.length, codes.length);
  assert.equal(SENSITIVE_NAMES[SensitiveOp.None], "none");
  assert.equal(SENSITIVE_NAMES[SensitiveOp.CrWrite], "cr-write");
  assert.equal(SENSITIVE_NAMES[SensitiveOp.MovToSreg], "mov-to-sreg");
  assert.equal(SENSITIVE_NAMES[SensitiveOp.Int3], "int3");
  assert.equal(SENSITIVE_NAMES[SensitiveOp.Rdtscp], "rdtscp");
  assert.equal(SENSITIVE_NAMES[SensitiveOp.Pause], "pause");
});
