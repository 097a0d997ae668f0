import assert from "node:assert/strict";
import { BlockOp } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { PassthroughIo } from "./passthrough.ts";
import type { IoOptions } from "./options.ts";
import {
  blockRecord,
  dmaRecord,
  interruptRecord,
  mmioRecord,
  pioRecord,
  TestCosts,
  TestEnv,
} from "./test_support.ts";

const COSTS: Record<string, number> = {
  "io.native.pio": 3000,
  "io.native.mmio": 500,
  "io.iommu.iotlb-hit": 2,
  "io.iommu.walk-ref": 100,
  "io.iommu.irq-remap": 150,
  "io.copy.byte": 0.5,
  "io.backend.request": 1000,
  "io.emulate.default": 200,
  "io.iommu.iotlb.entries": 32,
  "io.iommu.walk-levels": 4,
};

function pt(options: IoOptions = {}) {
  const env = new TestEnv(1000);
  const io = new PassthroughIo(env, new TestCosts(COSTS), ["e1000", "i8259", "ide"], options);
  return { env, io };
}

Deno.test("passthrough: assigned registers are reached without exits", () => {
  const { env, io } = pt();
  io.mmio(mmioRecord(0, 0xfebc0000, true));
  io.pio(pioRecord(0, 0xc000, false));
  assert.equal(env.total(), 500 + 3000);
  assert.equal(env.transitions.length, 0);
  io.pio(pioRecord(1, 0x20, true)); // PIC: emulated
  assert.equal(env.total() - 3500, 1000 + 200);
});

Deno.test("passthrough: each DMA page is translated; a cold IOTLB walks 4 levels", () => {
  const { env, io } = pt();
  io.dma(dmaRecord(0, 0x1000, 8192, true)); // pages 1 and 2
  assert.equal(env.eventsOf("iommu.walks"), 2);
  assert.equal(env.eventsOf("iommu.walk-refs"), 8);
  assert.equal(env.total(), 2 * 4 * 100);
  io.dma(dmaRecord(0, 0x1800, 0x1000, false)); // pages 1 and 2 again: hits
  assert.equal(env.eventsOf("iommu.iotlb-hits"), 2);
  assert.equal(env.total(), 800 + 2 * 2);
  io.dma(dmaRecord(0, 0x3000, 0, false)); // empty transfer touches nothing
  assert.equal(env.eventsOf("iommu.iotlb-misses"), 2);
});

Deno.test("passthrough: a 2-entry IOTLB evicts the least recently used page", () => {
  const { env, io } = pt({ "io.passthrough.iotlbEntries": 2 });
  io.dma(dmaRecord(0, 0x0000, 4096, true)); // page 0 miss
  io.dma(dmaRecord(0, 0x1000, 4096, true)); // page 1 miss
  io.dma(dmaRecord(0, 0x0000, 4096, true)); // page 0 hit
  io.dma(dmaRecord(0, 0x2000, 4096, true)); // page 2 miss, evicts page 1
  io.dma(dmaRecord(0, 0x1000, 4096, true)); // page 1 miss again
  io.dma(dmaRecord(0, 0x2000, 4096, true)); // page 2 hit
  assert.equal(env.eventsOf("iommu.iotlb-misses"), 4);
  assert.equal(env.eventsOf("iommu.iotlb-hits"), 2);
});

Deno.test("passthrough: 2 MB I/O pages need one 3-level walk for 8 KB", () => {
  const { env, io } = pt({ "io.passthrough.pageSize": 2097152 });
  io.dma(dmaRecord(0, 0x1000, 8192, true));
  assert.equal(env.eventsOf("iommu.walks"), 1);
  assert.equal(env.total(), 3 * 100);
  assert.throws(() => pt({ "io.passthrough.pageSize": 8192 }), ConfigError);
});

Deno.test("passthrough: only assigned devices' interrupts are remapped", () => {
  const { env, io } = pt();
  io.interrupt(interruptRecord(0, 0x30));
  io.interrupt(interruptRecord(1, 0x20)); // the emulated PIC's timer line: no remapping
  assert.equal(env.total(), 150);
  assert.equal(env.eventsOf("iommu.irq-remaps"), 1);
  assert.equal(env.eventsOf("io.interrupts"), 2);
});

Deno.test("passthrough: only the named devices are assigned", () => {
  const { env, io } = pt({ "io.passthrough.devices": "e1000" });
  io.blockRequest(blockRecord(2, BlockOp.Read, 0, 4096)); // ide stays emulated: backend
  io.dma(dmaRecord(2, 0x5000, 4096, true)); // copied, not translated
  assert.equal(env.total(), 1000 + 2048);
  assert.equal(env.eventsOf("iommu.walks"), 0);
  assert.throws(() => pt({ "io.passthrough.devices": "nvme0" }), /no device "nvme0"/);
  assert.throws(() => pt({ "io.passthrough.iotlbWays": 3 }), /multiple/);
});
