/**
 * Device requests inferred from the register accesses that start them. QEMU 7.2 traces
 * the accesses (memory_region_ops) but no "packet sent" event and no DMA addresses, so
 * the recorder recognises each device's start ("kick") access and writes the request
 * record right after it, as the trace convention asks (a request follows the access that
 * started it):
 *
 * - IDE bus-master DMA (PIIX): a write with the start bit (1) to the bus-master command
 *   register starts the transfer QEMU's `ide_dma_cb` trace line describes (first sector,
 *   sector count, direction); the log parser attaches that line to the access.
 * - AMD PCnet (Lance): a write to the data port (RDP, offset 0x10) while the address
 *   port (RAP, offset 0x12 in word mode, 0x14 in dword mode) selects CSR0, with TDMD
 *   (bit 3) set, is a transmit demand;
 * - Intel e1000: a write to the transmit descriptor tail register (TDT, offset 0x3818 of
 *   its 128 KiB register BAR) hands the descriptors before the new tail to the device.
 *
 * Each transmit's frame length is the next one from the host-side packet capture of the
 * window (one frame per demand: the guest sends one datagram per iteration).
 *
 * The e1000e (82574L) is different: QEMU traces its DMA (`e1000e_tx_descr`,
 * `e1000e_rx_desc_buff_write`, `e1000e_rx_written_to_guest`), so its frames come from
 * the device's own events, not from the kick and the capture. The log parser attaches
 * each event to the CPU access logged before it (a transmit's to its TDT write, a frame
 * that arrived meanwhile to whatever access preceded it); each complete frame becomes a
 * NetRequest (its length the sum of its buffers) followed by one Dma record per buffer.
 *
 * @module
 */

import { BlockOp, FLAG_WRITE, NetOp } from "../trace/record.ts";
import type { DeviceAccess, NicEvent } from "./qemu_log.ts";

/** Where inferred requests go (a TraceWriter, or a test double). */
export interface RequestSink {
  /** A block request. */
  blockRequest(device: number, op: number, offset: number, length: number): void;
  /** A network request. */
  netRequest(device: number, op: number, length: number): void;
  /** A DMA transfer. */
  dma(device: number, paddr: number, length: number, flags: number): void;
}

/** Which requests one access started. */
export interface Inferred {
  /** Block requests written. */
  block: number;
  /** Network requests written. */
  net: number;
  /** DMA records written. */
  dma: number;
}

/** Recognises request-starting accesses; one instance per conversion. */
export class RequestInference {
  readonly #rap = new Map<number, number>();
  readonly #net: readonly number[];
  #netNext = 0;
  /** Transmit demands with no captured frame left (length written as 0). */
  unmatchedTransmits = 0;
  /** Buffers of the NIC frame being assembled, per direction (index = NetOp). */
  readonly #frames: NicEvent[][] = [[], [], []];

  /** `netLengths`: the window's transmitted frame lengths in order (from the capture). */
  constructor(netLengths: readonly number[] = []) {
    this.#net = netLengths;
  }

  /** Frames captured in the window that no transmit demand took. */
  get unusedFrames(): number {
    return Math.max(0, this.#net.length - this.#netNext);
  }

  /** Called after the access's own Pio/Mmio record was written. */
  after(a: DeviceAccess, device: number, sink: RequestSink): Inferred {
    const out: Inferred = { block: 0, net: 0, dma: 0 };
    if (a.dma) {
      sink.blockRequest(
        device,
        a.dma.write ? BlockOp.Write : BlockOp.Read,
        a.dma.sector * 512,
        a.dma.sectors * 512,
      );
      out.block++;
    }
    if (
      a.write && a.addr > 0xffff && a.device.includes("e1000") && !a.device.startsWith("e1000e") &&
      (a.addr & 0x1ffff) === 0x3818
    ) {
      out.net += this.#transmit(device, sink);
    }
    if (a.write && a.addr <= 0xffff && a.device.includes("pcnet")) {
      const base = a.addr & ~0x1f;
      const off = a.addr & 0x1f;
      if (off === 0x12 || off === 0x14) {
        this.#rap.set(base, a.value & 0x7f);
      } else if (off === 0x10 && (this.#rap.get(base) ?? 0) === 0 && (a.value & 0x8) !== 0) {
        out.net += this.#transmit(device, sink);
      }
    }
    return out;
  }

  /**
   * Writes the frames that `events` complete: a NetRequest of the frame's length, then a
   * Dma record per buffer (transmit: the device read guest memory; receive: it wrote it).
   * A frame's buffers wait for its last event, which may come with a later access.
   */
  nicEvents(
    events: readonly NicEvent[],
    device: number,
    sink: RequestSink,
    out: Inferred = { block: 0, net: 0, dma: 0 },
  ): Inferred {
    for (const e of events) {
      const frame = this.#frames[e.op];
      if (e.length > 0) frame.push(e);
      if (!e.end) continue;
      let length = 0;
      for (const b of frame) length += b.length;
      if (length > 0) {
        sink.netRequest(device, e.op === 1 ? NetOp.Transmit : NetOp.Receive, length);
        out.net++;
        for (const b of frame) {
          sink.dma(device, b.paddr, b.length, e.op === 2 ? FLAG_WRITE : 0);
          out.dma++;
        }
      }
      frame.length = 0;
    }
    return out;
  }

  #transmit(device: number, sink: RequestSink): number {
    const len = this.#net[this.#netNext];
    if (len === undefined) this.unmatchedTransmits++;
    else this.#netNext++;
    sink.netRequest(device, NetOp.Transmit, len ?? 0);
    return 1;
  }
}
