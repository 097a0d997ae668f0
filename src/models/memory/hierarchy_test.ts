import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { testPlatform } from "../../engine/test_platform.ts";
import { RecordingHost } from "../mmu/host.ts";
import { type HierarchyShape, MemoryHierarchy } from "./hierarchy.ts";

/** Direct-mapped 2-line L1s, a 4-line fully associative L2, no L3: every case by hand. */
const TINY: HierarchyShape = {
  lineBytes: 64,
  l1d: { lines: 2, ways: 1, latency: 4 },
  l1i: { lines: 2, ways: 1, latency: 4 },
  l2: { lines: 4, ways: 4, latency: 20 },
  l3: null,
  memoryLatency: 240,
  walkFirstLevel: 1,
  vmmFootprint: 4,
};

function tiny(shape: HierarchyShape = TINY): { h: MemoryHierarchy; host: RecordingHost } {
  const t = new ArrayTrace();
  // One block of 80 bytes at 0x1030 (five 15-byte instructions and a 5-byte one):
  // 0x1030..0x107f spans two lines.
  const ins = (length: number) => ({ length, sensitive: 0, flow: 0 });
  t.block(0x1030, 0, [ins(15), ins(15), ins(15), ins(15), ins(15), ins(5)]);
  const host = new RecordingHost();
  return { h: new MemoryHierarchy(shape, host, t.code), host };
}

Deno.test("hierarchy: a cold load stalls for memory beyond the L1 hit, a repeat is free, a store stalls nothing", () => {
  const { h, host } = tiny();
  h.data(0x1000, false);
  assert.equal(host.cyclesOf("mem.data"), 240 - 4);
  h.data(0x1008, false); // same line
  assert.equal(host.cyclesOf("mem.data"), 236);
  h.data(0x2000, true); // store: allocates, no stall
  assert.equal(host.cyclesOf("mem.data"), 236);
  h.data(0x2010, false); // the stored line is now in L1
  assert.equal(host.cyclesOf("mem.data"), 236);
  assert.equal(host.eventOf("cache.l1d.misses"), 2);
  assert.equal(host.eventOf("cache.l2.misses"), 2);
});

Deno.test("hierarchy: a conflict evicts from the direct-mapped L1; the line comes back from the L2", () => {
  const { h, host } = tiny();
  h.data(0, false); // line 0 -> set 0
  h.data(128, false); // line 2 -> set 0, evicts line 0 from L1 (L2 keeps both)
  h.data(0, false); // L1 miss, L2 hit
  assert.equal(host.cyclesOf("mem.data"), 2 * 236 + (20 - 4));
  assert.equal(host.eventOf("cache.l1d.misses"), 3);
  assert.equal(host.eventOf("cache.l2.misses"), 2);
});

Deno.test("hierarchy: a VMM entry's footprint evicts the guest's lines", () => {
  const { h, host } = tiny();
  h.data(0, false);
  h.data(64, false); // both L1D sets hold guest lines
  const before = host.cyclesOf("mem.data");
  // Footprint 4 lines: 2 code (L1I) + 2 data (L1D, one per set), all cold from memory.
  h.vmmEntry(0);
  assert.equal(host.cyclesOf("mem.vmm"), 4 * 236);
  // The guest's two lines were evicted from the L1D; the 4-line L2 now holds the VMM's
  // 4 lines too, so they were evicted there as well: both come back from memory.
  h.data(0, false);
  h.data(64, false);
  assert.equal(host.cyclesOf("mem.data") - before, 2 * 236);
  // The same entry again: its data lines were just evicted by the guest, its code lines not.
  h.vmmEntry(0);
  assert.ok(host.cyclesOf("mem.vmm") > 4 * 236);
});

Deno.test("hierarchy: instruction fetch misses once per code line a block spans", () => {
  const { h, host } = tiny();
  h.fetch(0, 6); // 0x1030..0x107f: lines 0x40 and 0x41
  assert.equal(host.eventOf("cache.l1i.misses"), 2);
  assert.equal(host.cyclesOf("mem.fetch"), 2 * 236);
  h.fetch(0, 6);
  assert.equal(host.cyclesOf("mem.fetch"), 2 * 236);
  const { h: h2, host: host2 } = tiny();
  h2.fetch(0, 1); // cut short after the first instruction: 0x1030..0x103e, one line
  assert.equal(host2.eventOf("cache.l1i.misses"), 1);
});

Deno.test("hierarchy: walk references cost the full latency of their level; an L2-first walker skips the L1D", () => {
  const { h } = tiny();
  assert.equal(h.walkRef(5, 1), 240);
  assert.equal(h.walkRef(5, 1), 4);
  const { h: l2first } = tiny({ ...TINY, walkFirstLevel: 2 });
  assert.equal(l2first.walkRef(5, 1), 240);
  assert.equal(l2first.walkRef(5, 1), 20);
  assert.equal(l2first.l1d.size, 0);
});

Deno.test("engine: every set charges memory stalls; the option switches the hierarchy off", () => {
  const t = new ArrayTrace();
  const b = t.block(0x1000, 0, [{ length: 3, sensitive: 0, flow: 0 }]);
  for (let i = 0; i < 4; i++) t.exec(b).mem(0x7000 + 4096 * i, 0x200000 + 4096 * i, 8, 0);
  const on = replayInput(t, { platform: testPlatform({}, true) });
  const native = on.nativeBreakdown as Record<string, number>;
  // Four cold loads and one cold code line, each 240 - 4 cycles beyond the L1 hit.
  assert.equal(native["mem.data"], 4 * 236);
  assert.equal(native["mem.fetch"], 236);
  // The configured set's L1D misses: the four loads, and the walks' distinct entry lines:
  // 16 references, but pages 0x7-0xa share their level-4..2 entry lines, and their leaf
  // entries fall in two lines (pages 0-7 and 8-15 of the table): 3 + 2.
  assert.equal(on.events["walk.refs"], 16);
  assert.equal(on.events["cache.l1d.misses"], 4 + 5);
  const off = replayInput(t, {
    platform: testPlatform({}, true),
    options: { "cache.hierarchy": false },
  });
  assert.equal((off.nativeBreakdown as Record<string, number>)["mem.data"], undefined);
  assert.ok(off.cycles.native < on.cycles.native);
  // Same trace and configuration: byte-identical result outside `host`.
  const again = replayInput(t, { platform: testPlatform({}, true) });
  assert.deepEqual({ ...again, host: null }, { ...on, host: null });
});

Deno.test("engine: asking for the hierarchy on a profile without cache keys is a configuration error", () => {
  const t = new ArrayTrace();
  t.exec(t.block(0x1000, 0, [{ length: 1, sensitive: 0, flow: 0 }]));
  assert.throws(
    () => replayInput(t, { platform: testPlatform(), options: { "cache.hierarchy": true } }),
    /describes no cache hierarchy/,
  );
});
