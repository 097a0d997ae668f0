import assert from "node:assert/strict";
import { readerInput, replayInput } from "../../src/engine/replay.ts";
import { TraceReader } from "../../src/trace/reader.ts";
import { FLAG_WRITE, MarkerOp, RecordKind } from "../../src/trace/record.ts";
import { SYNTHETIC_TRACES } from "./generate.ts";
import { LANCE_IO_BASE, LANCE_RDP, lanceOutBytes, lanceTxBytes } from "./lance_tx.ts";
import { SNAPSHOT_COMPOSITION, VM_PAGES, vmSnapshotBytes, ZERO_HASH } from "./vm_snapshots.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("committed synthetic traces are exactly what the generators write", async () => {
  for (const t of SYNTHETIC_TRACES) {
    const committed = await Deno.readFile(new URL(t.path, ROOT));
    assert.deepEqual(committed, t.bytes(), `${t.path}: run experiments/synthetic/generate.ts`);
  }
});

/** Counts of the records of one iteration window, by kind, and the kick's position. */
function perIteration(bytes: Uint8Array): Map<string, number>[] {
  const t = TraceReader.fromBytes(bytes, "test");
  const out: Map<string, number>[] = [];
  let cur = new Map<string, number>();
  const c = t.cursor();
  const add = (k: string) => cur.set(k, (cur.get(k) ?? 0) + 1);
  while (c.next()) {
    const r = c.record;
    if (r.kind === RecordKind.Marker) {
      if (r.op === MarkerOp.Iteration) {
        out.push(cur);
        cur = new Map();
      }
      continue;
    }
    if (r.kind === RecordKind.Pio) {
      const dev = t.header.devices[r.device];
      add(`pio ${dev}`);
      if (r.reg === LANCE_IO_BASE + LANCE_RDP && (r.flags & FLAG_WRITE) !== 0) add("kick");
    } else add(String(r.kind));
  }
  t.close();
  return out;
}

Deno.test("Table 3 trace: the paper's per-packet counts (12 Lance I/O, 1 IRQ, 5 PIC)", () => {
  const packets = perIteration(lanceTxBytes(3));
  assert.equal(packets.length, 3);
  for (const p of packets) {
    assert.equal(p.get("pio lance"), 12);
    assert.equal(p.get("pio i8259"), 5);
    assert.equal(p.get("kick"), 1);
    assert.equal(p.get(String(RecordKind.NetRequest)), 1);
    assert.equal(p.get(String(RecordKind.Interrupt)), 1);
    assert.equal(p.get(String(RecordKind.Dma)), 1);
  }
});

Deno.test("Figure 5 trace: one kicking OUT and one transmit per iteration", () => {
  const its = perIteration(lanceOutBytes(4));
  assert.equal(its.length, 4);
  for (const it of its) {
    assert.deepEqual(
      [...it.entries()].sort(),
      [["kick", 1], ["pio lance", 1], [String(RecordKind.NetRequest), 1]].sort(),
    );
  }
});

Deno.test("snapshot composition fills a 40 MB VM", () => {
  assert.equal(VM_PAGES, 40 * 256);
});

Deno.test("two-VM snapshot set: frames and savings by hand through the share model", () => {
  const c = SNAPSHOT_COMPOSITION;
  const reader = TraceReader.fromBytes(vmSnapshotBytes(2), "snap2");
  const r = replayInput(readerInput(reader), {
    memory: "share",
    platform: "piii-733",
    options: { "memory.vm-mb": 40, "memory.sample": false, "memory.zero-hash": ZERO_HASH },
  });
  reader.close();
  // One frame for every zero page, one per pair per VM, one per common content, and one
  // per private page of each VM.
  const frames = 1 + 2 * c.pairs + c.common + 2 * c.private;
  assert.equal(r.events["mem.pages-hashed"], 2 * VM_PAGES);
  assert.equal(r.events["mem.frames"], frames);
  assert.equal(r.events["mem.pages-saved"], 2 * VM_PAGES - frames);
  assert.equal(r.events["mem.pages-zero"], 2 * c.zero);
  assert.equal(r.events["mem.pages-shared"], 2 * (c.zero + 2 * c.pairs + c.common));
});
