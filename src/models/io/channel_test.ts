import assert from "node:assert/strict";
import { BlockOp } from "../../trace/record.ts";
import { ChannelIo } from "./channel.ts";
import { EmulatedIo } from "./emulated.ts";
import {
  blockRecord,
  dmaRecord,
  interruptRecord,
  pioRecord,
  TestCosts,
  TestEnv,
} from "./test_support.ts";

const COSTS: Record<string, number> = {
  "io.channel.start": 2000,
  "io.channel.ccw": 100,
  "io.channel.page": 50,
  "io.emulate.default": 200,
  "io.copy.byte": 0,
  "io.backend.request": 0,
  "io.native.pio": 30,
  "io.native.mmio": 30,
};
const DEVICES = ["ide", "i8259"];

Deno.test("channel: a request and its five register accesses are one trap", () => {
  const env = new TestEnv(1000);
  const io = new ChannelIo(env, new TestCosts(COSTS), DEVICES, {});
  env.pc = 0x1000;
  for (let i = 0; i < 5; i++) io.pio(pioRecord(0, 0x1f2 + i, true));
  env.pc = 0x2000;
  io.blockRequest(blockRecord(0, BlockOp.Read, 0, 8192));
  io.dma(dmaRecord(0, 0x10000, 8192, true));
  io.finish();
  // one transition + start + 5 command words + 2 data pages; DMA is the channel's
  assert.equal(env.total(), 1000 + 2000 + 5 * 100 + 2 * 50);
  assert.equal(env.eventsOf("io.traps"), 1);
  assert.equal(env.eventsOf("io.channel.ccws"), 5);
  assert.equal(env.eventsOf("io.channel.pages"), 2);
  assert.deepEqual(env.transitions, ["io@4096"], "the trap is charged at the first command");

  // The same trace under full emulation traps five times.
  const em = new TestEnv(1000);
  const eio = new EmulatedIo(em, new TestCosts(COSTS), DEVICES, {});
  for (let i = 0; i < 5; i++) eio.pio(pioRecord(0, 0x1f2 + i, true));
  eio.blockRequest(blockRecord(0, BlockOp.Read, 0, 8192));
  assert.equal(em.eventsOf("io.traps"), 5);
  // Each emulated access also has the backend's driver program the real disk (30).
  assert.equal(em.total(), 5 * (1200 + 30));
});

Deno.test("channel: a request with no recorded commands is a one-word program; flush moves no data", () => {
  const env = new TestEnv(1000);
  const io = new ChannelIo(env, new TestCosts(COSTS), DEVICES, {});
  io.blockRequest(blockRecord(0, BlockOp.Flush, 0, 8192));
  assert.equal(env.total(), 1000 + 2000 + 100);
  assert.equal(env.eventsOf("io.channel.programs"), 1);
});

Deno.test("channel: commands no request follows, and other devices, trap one by one", () => {
  const env = new TestEnv(1000);
  const io = new ChannelIo(env, new TestCosts(COSTS), DEVICES, {});
  io.pio(pioRecord(1, 0x20, true)); // PIC
  io.pio(pioRecord(0, 0x1f7, false));
  io.pio(pioRecord(0, 0x1f7, false));
  io.interrupt(interruptRecord(0, 0x2e));
  assert.equal(env.total(), 1200);
  io.finish();
  assert.equal(env.total(), 1200 + 2 * 1200);
  assert.equal(env.eventsOf("io.traps"), 3);
});
