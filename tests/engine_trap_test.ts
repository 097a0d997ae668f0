import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { SensitiveOp } from "../src/trace/record.ts";

const K = -0x80000000;
const platform = testPlatform({
  "native.cpi": 1,
  "native.sensitive": 10,
  // The classes the profiles price apart (issue 12) at the same round number.
  "native.sensitive.sti": 10,
  "native.sensitive.pushf": 10,
  "native.sensitive.popf": 10,
  "native.sensitive.rdtsc": 10,
  "native.sensitive.mov-from-sreg": 10,
  "native.sensitive.mov-to-sreg": 10,
  "native.sensitive.push-sreg": 10,
  "native.sensitive.pop-sreg": 10,
  "trap.trap": 1000,
  "trap.emulate": 100,
  "trap.reflect": 50,
  "trap.handler": 0,
  "native.exception.de": 800,
});

function seq(ops: number[]): ArrayTrace {
  const t = new ArrayTrace();
  const b = t.block(K, 0, ops.map((op) => ({ length: 1, sensitive: op, flow: 0 })));
  t.exec(b);
  ops.forEach((op, i) => t.sensitive(op, K + i));
  return t;
}

Deno.test("trap-and-emulate traps privileged instructions and emulates them", () => {
  const r = replayInput(seq([SensitiveOp.Cli, SensitiveOp.Wrmsr]), { platform, cpu: "trap" });
  assert.equal(r.breakdown["trap.trap.sensitive"], 2000);
  assert.equal(r.breakdown["trap.emulate"], 200);
  assert.equal(r.events["traps.total"], 2);
  assert.deepEqual(r.warnings, []);
});

Deno.test("trap reports POPF and SGDT as sensitive but unprivileged (Robin & Irvine), and runs them natively", () => {
  const r = replayInput(
    seq([SensitiveOp.Popf, SensitiveOp.Sgdt, SensitiveOp.Popf, SensitiveOp.Smsw]),
    { platform, cpu: "trap" },
  );
  assert.equal(r.events["trap.unvirtualizable.popf"], 2);
  assert.equal(r.events["trap.unvirtualizable.sgdt"], 1);
  assert.equal(r.events["trap.unvirtualizable.smsw"], 1);
  assert.equal(r.events["traps.total"], undefined);
  assert.equal(r.breakdown["guest.sensitive"], 40);
  const warnings = r.warnings as string[];
  assert.equal(warnings.length, 3); // one per class
  assert.match(warnings[0], /^popf is sensitive but unprivileged/);
});

Deno.test("trap reflects exceptions through the VMM", () => {
  const t = new ArrayTrace();
  t.exception(0, 0, 0, K);
  const r = replayInput(t, { platform, cpu: "trap" });
  assert.equal(r.breakdown["trap.trap.exception"], 1000);
  assert.equal(r.breakdown["trap.reflect"], 50 + 800);
});
