import assert from "node:assert/strict";
import { NetOp } from "../../trace/record.ts";
import { EmulatedIo } from "./emulated.ts";
import { NativeIo } from "./native.ts";
import {
  dmaRecord,
  interruptRecord,
  mmioRecord,
  netRecord,
  pioRecord,
  TestCosts,
  TestEnv,
} from "./test_support.ts";

const COSTS: Record<string, number> = {
  "io.native.post": 3209,
  "io.native.pio": 1000,
  "io.native.mmio": 150,
  "io.emulate.post": 16,
  "io.emulate.default": 300,
  "io.copy.byte": 0.25,
  "io.backend.request": 2000,
};
const DEVICES = ["port80", "pcnet", "lapic"];

Deno.test("native: device latency by class, else by access kind; no transitions", () => {
  const env = new TestEnv(999);
  const io = new NativeIo(env, new TestCosts(COSTS), DEVICES, {});
  io.pio(pioRecord(0, 0x80, false)); // Adams & Agesen's `in`: the POST port's latency
  io.pio(pioRecord(1, 0x1010, true)); // no io.native.nic: io.native.pio
  io.mmio(mmioRecord(2, 0xfee000b0, true)); // no io.native.apic: io.native.mmio
  io.dma(dmaRecord(1, 0x1000, 4096, true));
  io.netRequest(netRecord(1, 1514));
  io.interrupt(interruptRecord(1, 0x2b));
  io.finish();
  assert.equal(env.total(), 3209 + 1000 + 150);
  assert.equal(env.transitions.length, 0);
  assert.equal(env.eventsOf("io.accesses"), 3);
  assert.equal(env.eventsOf("io.dma-bytes"), 4096);
  assert.equal(env.eventsOf("io.packets"), 1);
});

Deno.test("emulated: every access traps and runs its class's device model", () => {
  const env = new TestEnv(200);
  const io = new EmulatedIo(env, new TestCosts(COSTS), DEVICES, {});
  env.pc = 0x1234;
  io.pio(pioRecord(0, 0x80, false));
  io.pio(pioRecord(1, 0x1010, true));
  io.mmio(mmioRecord(2, 0xfee000b0, true));
  assert.deepEqual(env.transitions, ["io@4660", "io@4660", "mmio@4660"]);
  // The NIC is a physical device: the backend's driver makes the access again at the
  // native port latency (1000). The POST port and the local APIC are virtual only.
  assert.equal(env.total(), 3 * 200 + 16 + 300 + 300 + 1000);
  assert.equal(env.eventsOf("io.traps"), 3);
  assert.equal(env.cyclesOf("io.emulate"), 616);
  assert.equal(env.cyclesOf("io.backend-device"), 1000);
});

Deno.test("emulated: DMA is copied, requests go through the backend, interrupts are the CPU's", () => {
  const env = new TestEnv(200);
  const io = new EmulatedIo(env, new TestCosts(COSTS), DEVICES, {});
  io.dma(dmaRecord(1, 0x1000, 4096, true));
  io.netRequest(netRecord(1, 1514, NetOp.Receive));
  io.interrupt(interruptRecord(1, 0x2b));
  assert.equal(env.total(), 1024 + 2000);
  assert.equal(env.eventsOf("io.packets.rx"), 1);
  assert.equal(env.eventsOf("io.interrupts"), 1);
});

Deno.test("emulated: an out-of-table device index uses the default class cost", () => {
  const env = new TestEnv(0);
  const io = new EmulatedIo(env, new TestCosts(COSTS), DEVICES, {});
  io.pio(pioRecord(17, 0x3f8, true));
  assert.equal(env.total(), 300);
});

Deno.test("emulated: a missing cost names the key", () => {
  const table = { ...COSTS };
  delete table["io.emulate.default"];
  // port80 has its own key, but pcnet needs the default.
  assert.throws(
    () => new EmulatedIo(new TestEnv(0), new TestCosts(table), DEVICES, {}),
    /io\.emulate\.default/,
  );
});
