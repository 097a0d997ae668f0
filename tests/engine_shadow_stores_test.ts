import assert from "node:assert/strict";
import { ArrayTrace } from "../src/engine/array_cursor.ts";
import { replayInput } from "../src/engine/replay.ts";
import { testPlatform } from "../src/engine/test_platform.ts";
import { ControlFlow, MEM_WRITE, SensitiveOp } from "../src/trace/record.ts";

const K = -0x80000000;
const p = { length: 2, sensitive: 0, flow: ControlFlow.None };
const platform = testPlatform({
  "native.cpi": 1,
  "bt.translate": 100,
  "bt.trace-fault": 1000,
  "bt.adapted-write": 50,
  "mmu.shadow.traced-write": 7,
});

/**
 * A kernel block whose one store writes into the root page (write-protected by shadow
 * paging) with no PtWrite record: the recorder did not mark the code as a page-table writer.
 */
function rootStores(n: number): ArrayTrace {
  const t = new ArrayTrace();
  const cr3 = t.block(K + 0x1000, 0, [{ length: 3, sensitive: SensitiveOp.CrWrite, flow: 0 }]);
  const k = t.block(K, 0, [p]);
  t.exec(cr3).sensitive(SensitiveOp.CrWrite, K + 0x1000, 3, 0x1000);
  const va = -0x780000000000 + 0x1000;
  for (let i = 0; i < n; i++) t.exec(k).mem(va + 8 * i, 0x1000 + 8 * i, 8, MEM_WRITE);
  return t;
}

Deno.test("bt+shadow: ordinary stores to a shadowed page trace-fault, then the store is adapted", () => {
  const r = replayInput(rootStores(5), { platform, cpu: "bt", mmu: "shadow" });
  // Threshold 2: two trace faults at the store, a retranslation, then three call-outs.
  assert.equal(r.events["mmu.traced-writes"], 5);
  assert.equal(r.events["mmu.traced-other-stores"], 5);
  assert.equal(r.events["bt.trace-faults"], 2);
  assert.equal(r.events["bt.adaptations"], 1);
  assert.equal(r.events["bt.adapted-writes"], 3);
  assert.equal(r.breakdown["bt.trace-fault"], 2 * 1000);
  assert.equal(r.breakdown["bt.adapted-write"], 3 * 50);
  assert.equal(r.breakdown["mmu.shadow.traced-write"], 5 * 7);
});

Deno.test("hw+shadow: each ordinary store to a shadowed page is one traced-write exit; write-flood unshadowing stops them", () => {
  const r = replayInput(rootStores(5), { platform, cpu: "hw", mmu: "shadow" });
  assert.equal(r.events["exits.traced-write"], 5);
  const f = replayInput(rootStores(5), {
    platform,
    cpu: "hw",
    mmu: "shadow",
    options: { "mmu.shadow-unshadow-after": 2 },
  });
  assert.equal(f.events["exits.traced-write"], 2);
  assert.equal(f.events["mmu.shadow-unshadowed-flood"], 1);
});
