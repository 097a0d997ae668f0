/**
 * Throughput of the I/O mechanisms on a packet-heavy record mix (12 port accesses, one
 * transmit, one DMA, one interrupt and 5 PIC accesses per packet), measured without the
 * engine so the figure is the models' own cost per record.
 *
 * @module
 */

import { ChannelIo } from "./channel.ts";
import { EmulatedIo } from "./emulated.ts";
import type { IoMechanism } from "./base.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import { HostedIo } from "./hosted.ts";
import { NativeIo } from "./native.ts";
import type { IoOptions } from "./options.ts";
import { PassthroughIo } from "./passthrough.ts";
import { PvIo } from "./pv.ts";
import { dmaRecord, interruptRecord, netRecord, pioRecord } from "./test_support.ts";

/** Every cost is 100 cycles: the figure measured is bookkeeping, not arithmetic. */
const COSTS: IoCostSource = {
  origin: "bench",
  has: () => true,
  cycles: () => 100,
  param: (key) => key === "io.iommu.walk-levels" ? 4 : 32,
};

/** An env that allocates nothing per charge (the test env records transitions as strings). */
class BenchEnv implements IoEnv {
  readonly cycles = new Float64Array(256);
  readonly events = new Float64Array(256);
  readonly #names: string[] = [];
  category(name: string): number {
    const i = this.#names.indexOf(name);
    return i >= 0 ? i : this.#names.push(name) - 1;
  }
  counter(name: string): number {
    return 128 + this.category(`#${name}`) % 128;
  }
  vmmTransition(reason: number, _pc: number): void {
    this.cycles[255] += reason;
  }
  currentPc(): number {
    return 0;
  }
  currentInstructions(): number {
    return 0;
  }
}
const DEVICES = ["pcnet", "i8259"];
const PACKETS = 20_000;
const RAP = pioRecord(0, 0x1012, true, 2);
const RDP = pioRecord(0, 0x1010, true, 2);
const PIC = pioRecord(1, 0x20, true);
const TX = netRecord(0, 1514);
const DMA = dmaRecord(0, 0x123000, 1514, false);
const IRQ = interruptRecord(0, 0x2b);

function run(io: IoMechanism): void {
  for (let p = 0; p < PACKETS; p++) {
    for (let i = 0; i < 6; i++) {
      io.pio(RAP);
      io.pio(RDP);
    }
    io.netRequest(TX);
    io.dma(DMA);
    io.interrupt(IRQ);
    for (let i = 0; i < 5; i++) io.pio(PIC);
  }
  io.finish();
}

type Ctor = new (e: IoEnv, c: IoCostSource, d: readonly string[], o: IoOptions) => IoMechanism;
const CASES: Array<[string, Ctor, IoOptions]> = [
  ["native", NativeIo, {}],
  ["emulated", EmulatedIo, {}],
  ["hosted (Workstation 2.0)", HostedIo, {}],
  ["hosted (optimized)", HostedIo, {
    "io.hosted.vmmPorts": true,
    "io.hosted.sendCombining": true,
    "io.hosted.irqNotification": true,
  }],
  ["pv (batch 8)", PvIo, { "io.pv.batch": 8 }],
  ["passthrough", PassthroughIo, {}],
  ["channel", ChannelIo, {}],
];

for (const [name, ctor, options] of CASES) {
  Deno.bench(`io ${name} (${PACKETS} packets, ${PACKETS * 20} rec)`, { group: "io" }, () => {
    run(new ctor(new BenchEnv(), COSTS, DEVICES, options));
  });
}
