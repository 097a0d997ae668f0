import assert from "node:assert/strict";
import { BlockOp, NetOp } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { HostedIo, SUGERMAN_TABLE3_OPTIONS } from "./hosted.ts";
import type { IoOptions } from "./options.ts";
import {
  blockRecord,
  interruptRecord,
  netRecord,
  pioRecord,
  TestCosts,
  TestEnv,
  TRANSITION_CATEGORY,
} from "./test_support.ts";

/** Small round numbers, so every expected total below can be added up by hand. */
const COSTS: Record<string, number> = {
  "io.hosted.vmm-out": 100,
  "io.hosted.world-switch-to-host": 1000,
  "io.hosted.vmapp": 200,
  "io.hosted.host-driver": 5000,
  "io.hosted.vmapp-return": 300,
  "io.hosted.world-switch-to-vmm": 1000,
  "io.hosted.return-to-vm": 50,
  "io.hosted.vmm-access.default": 40,
  "io.hosted.vmm-access.nic": 30,
  "io.hosted.host-driver-rx": 4000,
  "io.hosted.host-block": 6000,
  "io.hosted.host-irq": 700,
  "io.hosted.select": 900,
};
const TRANSITION = 10;
const RDP = 0x1010; // Lance data port (base 0x1000 + 0x10)
const RAP = 0x1012; // Lance address port (memory semantics)

function hosted(options: IoOptions = {}, devices = ["pcnet-lance"], table = COSTS) {
  const env = new TestEnv(TRANSITION);
  const io = new HostedIo(env, new TestCosts(table), devices, options);
  return { env, io };
}

/** One packet as the Lance driver sends it: 6 address-port writes, 6 data-port accesses, the last one the kick. */
function sendPacket(io: HostedIo): void {
  for (let i = 0; i < 6; i++) {
    io.pio(pioRecord(0, RAP, true, 2));
    io.pio(pioRecord(0, RDP, i === 5, 2));
  }
  io.netRequest(netRecord(0, 1514));
}

Deno.test("hosted: one transmitting OUT costs the whole Figure 5 path", () => {
  const { env, io } = hosted();
  io.pio(pioRecord(0, RDP, true, 2));
  io.netRequest(netRecord(0, 1514));
  io.finish();
  // transition + vmm-out + switch + vmapp + driver + vmapp-return + switch back + return
  assert.equal(env.total(), 10 + 100 + 1000 + 200 + 5000 + 300 + 1000 + 50);
  assert.equal(env.eventsOf("world-switches"), 2);
  assert.equal(env.eventsOf("io.host-visits"), 1);
  assert.equal(env.eventsOf("io.traps"), 1);
  assert.equal(env.eventsOf("io.packets.tx"), 1);
});

Deno.test("hosted: Sugerman's Figure 5 components at 733 MHz add up to 31.63 us", () => {
  const mhz = 733;
  const us: Record<string, number> = {
    "io.hosted.vmm-out": 0.57,
    "io.hosted.world-switch-to-host": 4.45,
    "io.hosted.vmapp": 1.23,
    "io.hosted.host-driver": 17.55,
    "io.hosted.vmapp-return": 2.97,
    "io.hosted.world-switch-to-vmm": 4.45,
    "io.hosted.return-to-vm": 0.41,
  };
  const table: Record<string, number> = { ...COSTS };
  for (const [k, v] of Object.entries(us)) table[k] = v * mhz;
  const env = new TestEnv(0);
  const io = new HostedIo(env, new TestCosts(table), ["lance"], {});
  io.pio(pioRecord(0, RDP, true, 2));
  io.netRequest(netRecord(0, 1514));
  io.finish();
  assert.ok(Math.abs(env.total() - 31.63 * mhz) < 1e-6, `${env.total()}`);
  assert.ok(Math.abs(env.cyclesOf("io.hosted.host-driver") - 17.55 * mhz) < 1e-9);
  assert.ok(Math.abs(env.cyclesOf("io.world-switch.to-host") - 4.45 * mhz) < 1e-9);
  assert.ok(Math.abs(env.cyclesOf("io.world-switch.to-vmm") - 4.45 * mhz) < 1e-9);
});

Deno.test("hosted: Workstation 2.0 sends every data-port access to the VMApp (12 switches a packet)", () => {
  const { env, io } = hosted();
  for (let p = 0; p < 6; p++) sendPacket(io);
  io.finish();
  // Per packet: 6 RAP in the VMM (30), 5 plain data-port visits (100+1000+200+1000+50),
  // one transmit visit (7650), 12 transitions (10 each).
  const perPacket = 6 * 30 + 5 * 2350 + 7650 + 12 * 10;
  assert.equal(perPacket, 19700);
  assert.equal(env.total(), 6 * perPacket);
  assert.equal(env.eventsOf("world-switches"), 72);
  assert.equal(env.eventsOf("io.traps"), 72);
});

Deno.test("hosted: handling ports in the VMM leaves one visit a packet", () => {
  const { env, io } = hosted({ "io.hosted.vmmPorts": true });
  for (let p = 0; p < 6; p++) sendPacket(io);
  io.finish();
  assert.equal(env.total(), 6 * (11 * 30 + 7650 + 12 * 10));
  assert.equal(env.eventsOf("world-switches"), 12);
  assert.equal(env.cyclesOf("io.hosted.vmm-access"), 6 * 11 * 30);
});

Deno.test("hosted: send combining with limit 3 sends 6 packets in 2 visits", () => {
  const { env, io } = hosted({ "io.hosted.vmmPorts": true, "io.hosted.sendCombining": true });
  for (let p = 0; p < 6; p++) sendPacket(io);
  io.finish();
  // Packets 1 and 2: 12 accesses handled in the VMM. Packet 3: 11 in the VMM, then the
  // kick forces a visit that sends 3 packets: 100+1000+200+3*5000+300+1000+50 = 17650.
  const queued = 12 * 30 + 12 * 10;
  const forcing = 11 * 30 + 17650 + 12 * 10;
  assert.equal(env.total(), 2 * (2 * queued + forcing));
  assert.equal(env.eventsOf("world-switches"), 4);
  assert.equal(env.eventsOf("io.hosted.packets-combined"), 6);
  assert.equal(env.eventsOf("io.hosted.forced-flushes"), 2);
  assert.equal(env.cyclesOf("io.hosted.host-driver"), 6 * 5000);
});

Deno.test("hosted: an interrupt's world switch carries queued packets; IRQ notification skips select()", () => {
  for (const notify of [false, true]) {
    const { env, io } = hosted({
      "io.hosted.vmmPorts": true,
      "io.hosted.sendCombining": true,
      "io.hosted.irqNotification": notify,
    });
    io.netRequest(netRecord(0, 1514)); // queued, no kick recorded
    io.netRequest(netRecord(0, 1514)); // queued
    const before = env.total();
    io.interrupt(interruptRecord(0, 0x2b));
    // switch + host handler + (select) + 2 packets + vmapp-return + switch back
    const select = notify ? 0 : 900;
    assert.equal(env.total() - before, 1000 + 700 + select + 2 * 5000 + 300 + 1000);
    assert.equal(env.eventsOf("io.hosted.select-calls"), notify ? 0 : 1);
    assert.equal(env.eventsOf("world-switches"), 2);
    io.finish();
    assert.equal(env.eventsOf("world-switches"), 2, "nothing left to flush");
  }
});

Deno.test("hosted: the end of the trace flushes a partial send-combining queue", () => {
  const { env, io } = hosted({ "io.hosted.vmmPorts": true, "io.hosted.sendCombining": true });
  io.pio(pioRecord(0, RDP, true, 2));
  io.netRequest(netRecord(0, 1514));
  assert.equal(env.eventsOf("world-switches"), 0);
  io.finish();
  // kick in the VMM (10 + 30), then a flush visit without a trap: 1000+200+5000+300+1000
  assert.equal(env.total(), 10 + 30 + 7500);
  assert.equal(env.eventsOf("io.hosted.forced-flushes"), 1);
});

Deno.test("hosted: a request without a recorded kick pays the host part only", () => {
  const { env, io } = hosted();
  io.netRequest(netRecord(0, 60));
  assert.equal(env.total(), 1000 + 200 + 5000 + 300 + 1000);
  assert.equal(env.eventsOf("io.requests-without-kick"), 1);
});

Deno.test("hosted: disk requests, receives and interrupts", () => {
  const { env, io } = hosted({}, ["ide", "pcnet"]);
  io.pio(pioRecord(0, 0x1f7, true));
  io.blockRequest(blockRecord(0, BlockOp.Read, 0, 4096));
  assert.equal(env.total(), 10 + 100 + 1000 + 200 + 6000 + 300 + 1000 + 50);
  const t1 = env.total();
  io.interrupt(interruptRecord(1, 0x2b));
  io.netRequest(netRecord(1, 1514, NetOp.Receive));
  assert.equal(env.total() - t1, 1000 + 700 + 900 + 1000 + 4000);
  assert.equal(env.eventsOf("io.packets.rx"), 1);
  assert.equal(env.eventsOf("io.block-requests"), 1);
});

Deno.test("hosted: PIC accesses are handled in the VMM even in Workstation 2.0", () => {
  const { env, io } = hosted({}, ["i8259"]);
  for (let i = 0; i < 5; i++) io.pio(pioRecord(0, 0x20, i % 2 === 0));
  io.finish();
  assert.equal(env.total(), 5 * (10 + 40));
  assert.equal(env.eventsOf("world-switches"), 0);
  assert.equal(env.cyclesOf(TRANSITION_CATEGORY), 50);
});

Deno.test("hosted: send combining without VMM port handling is a configuration error", () => {
  assert.throws(() => hosted({ "io.hosted.sendCombining": true }), ConfigError);
  assert.throws(() => hosted({ "io.hosted.combineLimit": 0 }), /io\.hosted\.combineLimit/);
  assert.throws(() => hosted({ "io.hosted.vmmPorts": "yes" }), /io\.hosted\.vmmPorts/);
});

Deno.test("hosted: select() is not even read from the profile when IRQ notification is on", () => {
  const table = { ...COSTS };
  delete table["io.hosted.select"];
  assert.throws(() => hosted({}, ["lance"], table), /io\.hosted\.select/);
  hosted({ "io.hosted.irqNotification": true }, ["lance"], table);
});

Deno.test("hosted: Table 3 configurations strictly lower the cost of a packet, in order", () => {
  // One packet with its interrupt and five PIC accesses (Sugerman: 12 I/O instructions and
  // one IRQ per packet, 5 PIC accesses per IRQ); 6 packets so send combining fills up.
  const order = [
    "workstation_2_0",
    "without_send_combining_and_irq_notification",
    "without_irq_notification",
    "optimized_vm",
  ];
  const totals = order.map((name) => {
    const { env, io } = hosted(SUGERMAN_TABLE3_OPTIONS[name], ["pcnet", "i8259"]);
    for (let p = 0; p < 6; p++) {
      sendPacket(io);
      io.interrupt(interruptRecord(0, 0x2b));
      for (let i = 0; i < 5; i++) io.pio(pioRecord(1, 0x20, i % 2 === 0));
    }
    io.finish();
    return env.total();
  });
  for (let i = 1; i < totals.length; i++) assert.ok(totals[i] < totals[i - 1], `${totals}`);
  // Workstation 2.0, per packet: 19700 (above) + IRQ visit 1000+700+900+1000 + 5 PIC (10+40).
  assert.equal(totals[0], 6 * (19700 + 3600 + 250));
});

Deno.test("hosted: with the paper's numbers, VMM handling is over ten times cheaper than a VMApp visit", () => {
  // Sugerman section 4.1: an OUT that needs no real I/O takes "less than a tenth of the
  // time" once handled in the VMM. Figure 5 prices the VMApp visit, Table 2 (0.91 us, an
  // IN/OUT to the Lance status register) the access handled in the VMM.
  const us: Record<string, number> = {
    ...COSTS,
    "io.hosted.vmm-out": 0.57,
    "io.hosted.world-switch-to-host": 4.45,
    "io.hosted.vmapp": 1.23,
    "io.hosted.world-switch-to-vmm": 4.45,
    "io.hosted.return-to-vm": 0.41,
    "io.hosted.vmm-access.nic": 0.91,
  };
  const cost = (options: IoOptions) => {
    const { env, io } = hosted(options, ["lance"], us);
    io.pio(pioRecord(0, RDP, true, 2));
    io.finish();
    return env.total() - env.cyclesOf(TRANSITION_CATEGORY);
  };
  const ws20 = cost({});
  const optimized = cost({ "io.hosted.vmmPorts": true });
  assert.ok(Math.abs(ws20 - 11.11) < 1e-9, `${ws20}`);
  assert.ok(Math.abs(optimized - 0.91) < 1e-9, `${optimized}`);
  assert.ok(ws20 / optimized > 10);
});

Deno.test("hosted: send combining starts once the decaying world-switch rate is high enough", () => {
  // Period 1000 instructions; combine at 2000 host visits per million (2 per period).
  const { env, io } = hosted({
    "io.hosted.vmmPorts": true,
    "io.hosted.sendCombining": true,
    "io.hosted.combineRate": 2000,
    "io.hosted.ratePeriod": 1000,
  });
  const tx = (at: number) => {
    env.instructions = at;
    io.netRequest(netRecord(0, 1514));
  };
  tx(0); // rate 0: sent at once (visit 1)
  tx(500); // still the first period: sent (visit 2)
  assert.equal(env.eventsOf("io.host-visits"), 2);
  tx(1000); // period closed: rate = 0/2 + (2 visits * 1000 per million)/2 = 1000 < 2000: sent
  assert.equal(env.eventsOf("io.host-visits"), 3);
  tx(1100); // visits in the second period: 1 so far
  tx(1200); // 2
  tx(1300); // 3
  assert.equal(env.eventsOf("io.host-visits"), 6);
  tx(2000); // rate = 1000/2 + (3 visits -> 3000 per million)/2 = 2000: combining, queued
  assert.equal(env.eventsOf("io.host-visits"), 6);
  assert.equal(env.eventsOf("io.hosted.packets-combined"), 1);
  tx(9000); // 7 periods later: rate = 2000/2 + 0, then halved 6 times: below: sent with the queue
  assert.equal(env.eventsOf("io.host-visits"), 7);
  assert.equal(env.cyclesOf("io.hosted.host-driver"), 8 * 5000, "all 8 packets sent");
  assert.throws(() => hosted({ "io.hosted.combineRate": -1 }), /io\.hosted\.combineRate/);
});
