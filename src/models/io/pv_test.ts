import assert from "node:assert/strict";
import { BlockOp } from "../../trace/record.ts";
import { PvIo } from "./pv.ts";
import type { IoOptions } from "./options.ts";
import {
  blockRecord,
  dmaRecord,
  interruptRecord,
  netRecord,
  pioRecord,
  TestCosts,
  TestEnv,
} from "./test_support.ts";

const COSTS: Record<string, number> = {
  "io.pv.request": 50,
  "io.pv.notify": 400,
  "io.pv.event": 300,
  "io.copy.byte": 0.5,
  "io.emulate.default": 200,
  "io.native.pio": 90,
  "io.native.mmio": 80,
  "io.pv.backend-irq": 70,
};
const TRANSITION = 1000;

function pv(options: IoOptions = {}) {
  const env = new TestEnv(TRANSITION);
  const io = new PvIo(env, new TestCosts(COSTS), ["virtio-net", "i8259", "virtio-blk"], options);
  return { env, io };
}

Deno.test("pv: batch 8 over 16 requests is 2 notifications", () => {
  const { env, io } = pv({ "io.pv.batch": 8 });
  for (let i = 0; i < 16; i++) io.netRequest(netRecord(0, 1000));
  io.finish();
  assert.equal(env.eventsOf("ring.notifications"), 2);
  assert.equal(env.eventsOf("pv.events"), 16);
  // 2 kicks (transition 1000 + backend wake 400), 16 ring entries, 16 KB copied, 16 events.
  assert.equal(env.total(), 2 * 1400 + 16 * 50 + 16 * 1000 * 0.5 + 16 * 300);
  assert.deepEqual(env.transitions, ["hypercall@0", "hypercall@0"]);
});

Deno.test("pv: a partial batch is notified at the end; coalescing counts completions", () => {
  const { env, io } = pv({ "io.pv.batch": 8, "io.pv.coalesce": 4 });
  for (let i = 0; i < 17; i++) io.netRequest(netRecord(0, 0));
  assert.equal(env.eventsOf("ring.notifications"), 2);
  assert.equal(env.eventsOf("pv.events"), 4);
  io.finish();
  assert.equal(env.eventsOf("ring.notifications"), 3);
  assert.equal(env.eventsOf("pv.events"), 5, "the 17th completion still raises an event");
});

Deno.test("pv: rings are per device", () => {
  const { env, io } = pv({ "io.pv.batch": 2 });
  io.netRequest(netRecord(0, 0));
  io.blockRequest(blockRecord(2, BlockOp.Write, 0, 4096));
  assert.equal(env.eventsOf("ring.notifications"), 0);
  io.netRequest(netRecord(0, 0));
  assert.equal(env.eventsOf("ring.notifications"), 1);
  io.finish();
  assert.equal(env.eventsOf("ring.notifications"), 2);
});

Deno.test("pv: the backend's real driver makes the native register accesses and takes the interrupt", () => {
  const { env, io } = pv();
  io.pio(pioRecord(0, 0xc000, true));
  io.dma(dmaRecord(0, 0x10000, 1514, false));
  io.interrupt(interruptRecord(0, 0x2b));
  // No trap for the guest: the access is the backend driver's, at the native port latency
  // (90); the DMA is the ring's payload (charged with requests); the physical interrupt
  // goes to the driver domain (70).
  assert.equal(env.transitions.length, 0);
  assert.equal(env.cyclesOf("io.pv.backend-device"), 90);
  assert.equal(env.cyclesOf("io.pv.backend-irq"), 70);
  assert.equal(env.total(), 90 + 70);
  assert.equal(env.eventsOf("pv.replaced-native"), 3);
  // The interrupt controller stays emulated.
  io.pio(pioRecord(1, 0x20, true));
  io.interrupt(interruptRecord(1, 0x20));
  assert.equal(env.total(), 90 + 70 + 1000 + 200);
  assert.equal(env.eventsOf("io.traps"), 1);
});

Deno.test("pv: virtio kicks are port writes, and copying can be off", () => {
  const { env, io } = pv({ "io.pv.notify": "pio", "io.pv.copy": false });
  env.pc = 0x401000;
  io.netRequest(netRecord(0, 1000));
  assert.deepEqual(env.transitions, ["io@4198400"]);
  assert.equal(env.total(), 50 + 1000 + 400 + 300);
  assert.throws(() => pv({ "io.pv.notify": "doorbell" }), /io\.pv\.notify/);
  assert.throws(() => pv({ "io.pv.batch": 0 }), /io\.pv\.batch/);
});
