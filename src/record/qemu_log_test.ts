import assert from "node:assert/strict";
import { isMsiMessage, parseQemuLog } from "./qemu_log.ts";

Deno.test("qemu log: the first ide_dma_cb line after a bus-master start describes its transfer", () => {
  const log = parseQemuLog([
    "ide_dma_cb IDEState 0x1; sector_num=0 n=8 cmd=DMA READ", // before the window: ignored
    "vmmlab-mark 1 0 0 100",
    "memory_region_ops_write cpu 0 mr 0x2 addr 0x1f7 value 0xca size 1 name 'ide'",
    "memory_region_ops_write cpu 0 mr 0x3 addr 0xc040 value 0x1 size 1 name 'piix-bmdma'",
    "ide_dma_cb IDEState 0x55d0; sector_num=2048 n=128 cmd=DMA WRITE",
    "ide_dma_cb IDEState 0x55d0; sector_num=2176 n=0 cmd=DMA WRITE", // completion
    "memory_region_ops_write cpu 0 mr 0x3 addr 0xc040 value 0x0 size 1 name 'piix-bmdma'",
    "memory_region_ops_write cpu 0 mr 0x3 addr 0xc040 value 0x9 size 1 name 'piix-bmdma'",
    "ide_dma_cb IDEState 0x55d0; sector_num=2048 n=128 cmd=DMA READ",
    "memory_region_ops_write cpu 0 mr 0x3 addr 0xc040 value 0x1 size 1 name 'piix-bmdma'",
  ].join("\n"));
  assert.equal(log.accesses.length, 5);
  assert.equal(log.accesses[0].dma, undefined);
  assert.deepEqual(log.accesses[1].dma, { write: true, sector: 2048, sectors: 128 });
  assert.equal(log.accesses[2].dma, undefined);
  assert.deepEqual(log.accesses[3].dma, { write: false, sector: 2048, sectors: 128 });
  assert.equal(log.accesses[4].dma, undefined, "a start the log never described");
});

Deno.test("qemu log: interrupt messages logged with a vCPU's index are device-initiated", () => {
  assert.ok(isMsiMessage(true, 0xfee01004, "apic-msi")); // destination 1, logical mode
  assert.ok(isMsiMessage(true, 0xfee00004, "apic-msi"));
  assert.ok(!isMsiMessage(true, 0xfee000b0, "apic-msi")); // EOI register
  assert.ok(!isMsiMessage(false, 0xfee01004, "apic-msi"));
  assert.ok(!isMsiMessage(true, 0xfebc3818, "e1000-mmio"));
  const log = parseQemuLog([
    "vmmlab-mark 1 0 0 100",
    "memory_region_ops_write cpu 0 mr 0x1 addr 0xfebc3818 value 0x5 size 4 name 'e1000-mmio'",
    "memory_region_ops_write cpu 0 mr 0x2 addr 0xfee01004 value 0x8026 size 4 name 'apic-msi'",
    "memory_region_ops_write cpu 0 mr 0x2 addr 0xfee000b0 value 0x0 size 4 name 'apic-msi'",
  ].join("\n"));
  assert.deepEqual(log.accesses.map((a) => a.addr), [0xfebc3818, 0xfee000b0]);
  assert.deepEqual(log.deviceInitiated, { "apic-msi": 1 });
});

Deno.test("qemu log: e1000e DMA events follow the access before them, or open their segment", () => {
  const log = parseQemuLog([
    "e1000e_tx_descr 0x1000 : 8b00002a 0", // before the window: ignored
    "vmmlab-mark 3 0 1 100",
    // A frame that arrived before the segment's first access.
    "e1000e_rx_desc_buff_write buffer #0, addr: 0x6293040, offset: 2, from: 0x7f5d7bded6a0, length: 60",
    "e1000e_rx_written_to_guest Received packet written to guest (ICR causes 1048576)",
    "memory_region_ops_write cpu 0 mr 0x7f5d addr 0xfeb83818 value 0xe0 size 4 name 'e1000e-mmio'",
    "e1000e_tx_descr 0x322200000000 : 21000000 0", // context descriptor: no data
    "e1000e_tx_descr 0x6494d0a : 22100036 200", // extended data, 54 bytes
    "e1000e_tx_descr 0x64c1c84 : ab1005b4 200", // extended data, 1460 bytes, EOP
    "e1000e_tx_descr (nil) : 0b00002a 0", // legacy, 42 bytes, EOP
  ].join("\n"));
  assert.equal(log.nicDevice, "e1000e-mmio");
  assert.deepEqual(log.segmentNic?.get(1), [
    { op: 2, paddr: 0x6293042, length: 60, end: false },
    { op: 2, paddr: 0, length: 0, end: true },
  ]);
  assert.deepEqual(log.accesses[0].nic, [
    { op: 1, paddr: 0x6494d0a, length: 54, end: false },
    { op: 1, paddr: 0x64c1c84, length: 1460, end: true },
    { op: 1, paddr: 0, length: 42, end: true },
  ]);
});
