import assert from "node:assert/strict";
import { RequestInference, type RequestSink } from "./io_requests.ts";
import type { DeviceAccess } from "./qemu_log.ts";
import { BlockOp, NetOp } from "../trace/record.ts";

class Sink implements RequestSink {
  out: string[] = [];
  blockRequest(device: number, op: number, offset: number, length: number): void {
    this.out.push(`block ${device} ${op} ${offset} ${length}`);
  }
  netRequest(device: number, op: number, length: number): void {
    this.out.push(`net ${device} ${op} ${length}`);
  }
  dma(device: number, paddr: number, length: number, flags: number): void {
    this.out.push(`dma ${device} ${paddr.toString(16)} ${length} ${flags}`);
  }
}

function pio(addr: number, value: number, device = "pcnet-io", write = true): DeviceAccess {
  return { segment: 1, write, addr, value, size: 2, device };
}

Deno.test("io requests: a PCnet transmit demand is CSR0 with TDMD through RDP while RAP is 0", () => {
  const inf = new RequestInference([1514, 60]);
  const sink = new Sink();
  const base = 0xc000;
  inf.after(pio(base + 0x12, 0), 3, sink); // RAP = CSR0
  inf.after(pio(base + 0x10, 0x0048), 3, sink); // TDMD | IENA: a transmit
  inf.after(pio(base + 0x10, 0x0640), 3, sink); // interrupt acknowledge: no TDMD
  inf.after(pio(base + 0x12, 4), 3, sink); // RAP = CSR4
  inf.after(pio(base + 0x10, 0x0948), 3, sink); // CSR4 write with bit 3: not a transmit
  inf.after(pio(base + 0x12, 0), 3, sink);
  inf.after(pio(base + 0x10, 0x0008, "pcnet-io", false), 3, sink); // a read is no demand
  inf.after(pio(base + 0x10, 0x0008), 3, sink);
  inf.after(pio(base + 0x10, 0x0048), 3, sink); // more demands than captured frames
  assert.deepEqual(sink.out, [
    `net 3 ${NetOp.Transmit} 1514`,
    `net 3 ${NetOp.Transmit} 60`,
    `net 3 ${NetOp.Transmit} 0`,
  ]);
  assert.equal(inf.unmatchedTransmits, 1);
  assert.equal(inf.unusedFrames, 0);
});

Deno.test("io requests: an IDE DMA start becomes a block request in bytes", () => {
  const inf = new RequestInference();
  const sink = new Sink();
  const n = inf.after(
    {
      segment: 2,
      write: true,
      addr: 0xc040,
      value: 0x09,
      size: 1,
      device: "piix-bmdma",
      dma: { write: false, sector: 256, sectors: 128 },
    },
    5,
    sink,
  );
  assert.deepEqual(n, { block: 1, net: 0, dma: 0 });
  assert.deepEqual(sink.out, [`block 5 ${BlockOp.Read} 131072 65536`]);
  assert.deepEqual(inf.after(pio(0x1f7, 0xc8, "ide"), 4, sink), { block: 0, net: 0, dma: 0 });
});

Deno.test("io requests: an e1000 transmit is a write to the descriptor tail register", () => {
  const inf = new RequestInference([1514]);
  const sink = new Sink();
  const mmio = (addr: number, write = true): DeviceAccess => ({
    segment: 1,
    write,
    addr,
    value: 5,
    size: 4,
    device: "e1000-mmio",
  });
  inf.after(mmio(0xfebc00c0), 2, sink); // interrupt mask: no transmit
  inf.after(mmio(0xfebc3818, false), 2, sink); // a read of TDT: no transmit
  inf.after(mmio(0xfebc3818), 2, sink);
  assert.deepEqual(sink.out, [`net 2 ${NetOp.Transmit} 1514`]);
});

Deno.test("io requests: e1000e frames become a request of their buffers' total, then their DMA", () => {
  const inf = new RequestInference();
  const sink = new Sink();
  // A TCP segment: a 54-byte header buffer and a 1460-byte payload (EOP), then an ACK
  // received in one buffer whose end comes with the next batch of events.
  const n1 = inf.nicEvents(
    [
      { op: 1, paddr: 0x6494d0a, length: 54, end: false },
      { op: 1, paddr: 0x64c1c84, length: 1460, end: true },
      { op: 2, paddr: 0x6293040, length: 60, end: false },
    ],
    5,
    sink,
  );
  assert.deepEqual(n1, { block: 0, net: 1, dma: 2 });
  const n2 = inf.nicEvents([{ op: 2, paddr: 0, length: 0, end: true }], 5, sink);
  assert.deepEqual(n2, { block: 0, net: 1, dma: 1 });
  assert.deepEqual(sink.out, [
    `net 5 ${NetOp.Transmit} 1514`,
    "dma 5 6494d0a 54 0",
    "dma 5 64c1c84 1460 0",
    `net 5 ${NetOp.Receive} 60`,
    "dma 5 6293040 60 2",
  ]);
});

Deno.test("io requests: an e1000e TDT write is no kick of its own (its events carry the frames)", () => {
  const inf = new RequestInference([1514]);
  const sink = new Sink();
  const tdt: DeviceAccess = {
    segment: 1,
    write: true,
    addr: 0xfeb83818,
    value: 0xe0,
    size: 4,
    device: "e1000e-mmio",
  };
  assert.deepEqual(inf.after(tdt, 5, sink), { block: 0, net: 0, dma: 0 });
  assert.deepEqual(sink.out, []);
  assert.equal(inf.unusedFrames, 1);
});
