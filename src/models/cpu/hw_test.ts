// The hw CPU model's TLB behaviour across VM exits, on hand-built traces whose walks can be
// counted by hand: first-generation VT-x (no VPID) flushes the TLB on every exit.
import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { loadPlatform } from "../../platforms/load.ts";
import { SensitiveOp } from "../../trace/record.ts";

const P4 = loadPlatform("p4-prescott");
const USER = 0x7f1234560000;

/** CR3 load, a user load, the same load again, `between`, and the load once more. */
function trace(between: (t: ArrayTrace) => void): ArrayTrace {
  const t = new ArrayTrace({ workload: "exit-flush" });
  const b = t.block(0x1000, 3, [{ length: 2, sensitive: 0, flow: 0 }]);
  t.sensitive(SensitiveOp.CrWrite, 0x1000, 3, 0x5000);
  t.exec(b).mem(USER, 0x200000, 8, 0);
  t.exec(b).mem(USER, 0x200000, 8, 0);
  between(t);
  t.exec(b).mem(USER, 0x200000, 8, 0);
  return t;
}

const cpuid = (t: ArrayTrace) => t.sensitive(SensitiveOp.Cpuid, 0x1001);

Deno.test("hw without VPID: a VM exit flushes the TLB, so the next reference walks again", () => {
  const options = { "mmu.pwc": "none", "mmu.ntlb-entries": 0, "cache.hierarchy": false };
  const r = replayInput(trace(cpuid), { cpu: "hw", mmu: "nested", platform: P4.name, options });
  // Cold 2-D walk (24 references), TLB hit, CPUID exit + flush, a second cold 2-D walk.
  assert.equal(r.events["exits.total"], 1);
  assert.equal(r.events["hw.tlb-flushes"], 1);
  assert.equal(r.events["walk.refs"], 48);
  assert.equal(r.breakdown["mmu.walk"], 48 * P4.cost("mmu.walk.ref"));
  const tagged = replayInput(trace(cpuid), {
    cpu: "hw",
    mmu: "nested",
    platform: P4.name,
    options: { ...options, "hw.vpid": "true" },
  });
  assert.equal(tagged.events["hw.tlb-flushes"], undefined);
  assert.equal(tagged.events["walk.refs"], 24);
});

Deno.test("hw without VPID under shadow paging: the access retried after a hidden fault walks again", () => {
  const options = { "mmu.pwc": "none" };
  const r = replayInput(trace(() => {}), { cpu: "hw", mmu: "shadow", platform: P4.name, options });
  // CR3 write: exit + flush. First load: walk (4 refs) reaches an empty shadow entry ->
  // hidden-fault exit + flush -> the retried load walks again (4 refs) and fills the TLB.
  // Second and third loads hit.
  assert.equal(r.events["exits.cr3-write"], 1);
  assert.equal(r.events["exits.hidden-fault"], 1);
  assert.equal(r.events["hw.tlb-flushes"], 2);
  assert.equal(r.events["tlb.misses"], 2);
  assert.equal(r.events["walk.refs"], 8);
  const tagged = replayInput(trace(() => {}), {
    cpu: "hw",
    mmu: "shadow",
    platform: P4.name,
    options: { ...options, "hw.vpid": "true" },
  });
  assert.equal(tagged.events["tlb.misses"], 1);
  assert.equal(tagged.events["walk.refs"], 4);
});

Deno.test("the Opteron (ASID-tagged TLB) keeps its TLB across exits", () => {
  const r = replayInput(trace(cpuid), {
    cpu: "hw",
    mmu: "nested",
    platform: "opteron-barcelona",
    options: { "mmu.pwc": "none", "mmu.ntlb-entries": 0 },
  });
  assert.equal(r.events["exits.total"], 1);
  assert.equal(r.events["walk.refs"], 24);
});
