import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { NetOp, RecordKind } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { SUGERMAN_TABLE3_OPTIONS } from "./hosted.ts";

/** Figure 5's components, each read from the paper in microseconds. */
const FIG5_CATEGORIES: Record<string, number> = {
  "io.hosted.vmm-out": 0.57,
  "io.world-switch.to-host": 4.45,
  "io.hosted.vmapp": 1.23,
  "io.hosted.host-driver": 17.55,
  "io.hosted.vmapp-return": 2.97,
  "io.world-switch.to-vmm": 4.45,
  "io.hosted.return-to-vm": 0.41,
};

function lanceTrace(packets: number): ArrayTrace {
  const t = new ArrayTrace({ workload: "lance-tx", devices: ["pcnet", "i8259"] });
  for (let p = 0; p < packets; p++) {
    for (let i = 0; i < 6; i++) {
      t.add(RecordKind.Pio, { Reg: 0x1012, Size: 2, Flags: 2, Device: 0 });
      t.add(RecordKind.Pio, { Reg: 0x1010, Size: 2, Flags: i === 5 ? 2 : 0, Device: 0 });
    }
    t.add(RecordKind.NetRequest, { Device: 0, Op: NetOp.Transmit, Length: 1514 });
    t.add(RecordKind.Dma, { Device: 0, Paddr: 0x20000 + 2048 * (p % 16), Length: 1514 });
    t.add(RecordKind.Interrupt, { Device: 0, Vector: 0x2b });
    for (let i = 0; i < 5; i++) t.add(RecordKind.Pio, { Reg: 0x20, Size: 1, Flags: 2, Device: 1 });
  }
  return t;
}

Deno.test("engine: one transmitting OUT on piii-733 stacks up to Sugerman's 31.63 us", () => {
  const t = new ArrayTrace({ workload: "fig5", devices: ["pcnet"] });
  t.add(RecordKind.Pio, { Reg: 0x1010, Size: 2, Flags: 2, Device: 0 });
  t.add(RecordKind.NetRequest, { Device: 0, Op: NetOp.Transmit, Length: 1514 });
  const r = replayInput(t, { platform: "piii-733", cpu: "native", io: "hosted" });
  let sum = 0;
  for (const [cat, us] of Object.entries(FIG5_CATEGORIES)) {
    const cycles = r.breakdown[cat];
    // The profile stores whole cycles: each component within half a cycle of us x 733.
    assert.ok(Math.abs(cycles - us * 733) <= 0.5, `${cat}: ${cycles} vs ${us * 733}`);
    sum += cycles;
  }
  assert.ok(Math.abs(sum - 31.63 * 733) <= 3.5, `${sum}`);
  assert.equal(r.cycles.virtualized, sum, "nothing but the Figure 5 path");
  assert.equal(r.events["world-switches"], 2);
});

Deno.test("engine: Table 3 rows on piii-733 lower the cycles per packet in the paper's order", () => {
  const t = lanceTrace(30);
  const perPacket = Object.entries(SUGERMAN_TABLE3_OPTIONS).map(([name, options]) => {
    const r = replayInput(t, { platform: "piii-733", cpu: "native", io: "hosted", options });
    assert.equal(r.events["io.packets.tx"], 30, name);
    return r.cycles.virtualized / r.events["io.packets.tx"];
  });
  for (let i = 1; i < perPacket.length; i++) {
    assert.ok(perPacket[i] < perPacket[i - 1], `${perPacket}`);
  }
});

Deno.test("engine: the same trace and options give identical results outside host", () => {
  const t = lanceTrace(40);
  const config = {
    platform: "piii-733",
    cpu: "bt",
    io: "hosted",
    options: SUGERMAN_TABLE3_OPTIONS.optimized_vm,
  };
  const a = replayInput(t, config);
  const b = replayInput(t, config);
  const strip = (r: typeof a) => JSON.stringify({ ...r, host: undefined });
  assert.equal(strip(a), strip(b));
});

Deno.test("engine: a contradictory option is a ConfigError naming it", () => {
  assert.throws(
    () =>
      replayInput(lanceTrace(1), {
        platform: "piii-733",
        io: "hosted",
        options: { "io.hosted.sendCombining": true },
      }),
    (e: unknown) => e instanceof ConfigError && /io\.hosted\.sendCombining/.test(e.message),
  );
});
