// The bt CPU model's in-TC emulation costs per sensitive class, on the real P4 profile.
import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { SensitiveOp } from "../../trace/record.ts";

const P4 = loadPlatform("p4-prescott");
const K = -0x80000000;

/** One kernel block holding the sensitive instruction `op`, executed once. */
function one(op: number): ArrayTrace {
  const t = new ArrayTrace();
  const b = t.block(K, 0, [{ length: 1, sensitive: op, flow: 0 }]);
  t.exec(b).sensitive(op, K);
  return t;
}

Deno.test("bt: kernel CLI/STI/PUSHF/POPF are in-TC loads and stores of the virtual CPU, priced like Figure 4's in-TC CR8 write", () => {
  for (const op of [SensitiveOp.Cli, SensitiveOp.Sti, SensitiveOp.Pushf, SensitiveOp.Popf]) {
    const r = replayInput(one(op), { cpu: "bt", platform: P4.name });
    assert.equal(r.events["bt.tc-emulations"], 1);
    assert.equal(r.breakdown["bt.tc-emulate"], 35);
    assert.equal(r.breakdown["bt.tc-emulate"], P4.cost("bt.tc-emulate.cr8-write"));
  }
});

Deno.test("bt: an in-TC RDTSC costs Adams & Agesen's 216 cycles (it runs a real RDTSC)", () => {
  const r = replayInput(one(SensitiveOp.Rdtsc), { cpu: "bt", platform: P4.name });
  assert.equal(r.breakdown["bt.tc-emulate"], 216);
});
