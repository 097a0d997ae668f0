/**
 * Parses QEMU's log for the recorded window: the plugin's marker and CR3 lines (which
 * align the log with the instruction stream), `-d int` entries (vector, error code, CR2,
 * and CR3 from the register dump) and `memory_region_ops_*` trace lines (port and MMIO
 * accesses with values and device names).
 *
 * @module
 */

import { signedHex } from "./kallsyms.ts";

/** One exception or interrupt delivery from `-d int`. */
export interface Delivery {
  /** Log segment (0 before the first marker line, k after the k-th). */
  segment: number;
  /** Vector. */
  vector: number;
  /** Error code. */
  error: number;
  /** Raised by an INT n / INT3 instruction. */
  software: boolean;
  /** A hardware interrupt (the log said "Servicing hardware INT"). */
  hardware: boolean;
  /** Privilege level when it happened. */
  cpl: number;
  /** Instruction address (faulting instruction, or where execution resumes). */
  pc: number;
  /** CR2 (page-fault address), when logged. */
  cr2: number;
  /** CR3 from the register dump, or -1. */
  cr3: number;
}

/** One device access from `memory_region_ops_read/write`. */
export interface DeviceAccess {
  /** Log segment. */
  segment: number;
  /** A write (otherwise a read). */
  write: boolean;
  /** Absolute address: a port for port I/O, a physical address for MMIO. */
  addr: number;
  /** Value read or written. */
  value: number;
  /** Access size in bytes. */
  size: number;
  /** Device (memory region) name. */
  device: string;
  /**
   * The IDE bus-master DMA transfer this access started (a start-bit write to the
   * bus-master command register, followed in the log by QEMU's first `ide_dma_cb` line).
   */
  dma?: { write: boolean; sector: number; sectors: number };
  /**
   * NIC DMA the device did after this access and before the next one in the log (e1000e
   * trace events): transmits the access started, or frames that arrived meanwhile.
   */
  nic?: NicEvent[];
}

/**
 * One e1000e DMA event from QEMU's trace: a transmit buffer the device read
 * (`e1000e_tx_descr`, a data descriptor), a receive buffer it wrote
 * (`e1000e_rx_desc_buff_write`), or the end of a received frame
 * (`e1000e_rx_written_to_guest`, length 0). A transmit descriptor with EOP ends its frame.
 */
export interface NicEvent {
  /** 1 transmit (device reads guest memory), 2 receive (device writes it): NetOp. */
  op: 1 | 2;
  /** Guest-physical address of the buffer (0 for a frame end without data). */
  paddr: number;
  /** Bytes moved. */
  length: number;
  /** Whether this event completes a frame. */
  end: boolean;
}

/** One plugin marker line. */
export interface LogMarker {
  /** Marker op. */
  op: number;
  /** Marker argument. */
  arg: number;
  /** Host monotonic time of the marker in ns (speed reports only; never in a trace). */
  hostNs: number;
}

/** Everything the recorder takes from the log. */
export interface QemuLog {
  /** Marker lines in order. */
  markers: LogMarker[];
  /** Deliveries in order. */
  deliveries: Delivery[];
  /** CPU-initiated device accesses in order. */
  accesses: DeviceAccess[];
  /** Device-initiated accesses (QEMU logs them with cpu -1, e.g. MSI writes), by device name. */
  deviceInitiated: Record<string, number>;
  /** New CR3 value for each MOV to CR3 the plugin saw (index = its sequence number), -1 unknown. */
  cr3Values: number[];
  /**
   * NIC DMA events logged in a segment before its first CPU device access, by segment
   * (the converter writes them right after the segment's marker).
   */
  segmentNic?: Map<number, NicEvent[]>;
  /** The e1000e's register region name (the device its DMA records name), or "". */
  nicDevice?: string;
}

const INT_RE =
  /^\s*\d+: v=([0-9a-f]+) e=([0-9a-f]+) i=(\d) cpl=(\d) IP=[0-9a-f]+:([0-9a-f]+) pc=([0-9a-f]+) SP=\S+(?: CR2=([0-9a-f]+))?/;
const OPS_RE =
  /^memory_region_ops_(read|write) cpu (-?\d+) mr 0x[0-9a-f]+ addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size (\d+) name '([^']*)'/;
const CR3_RE = /CR3=([0-9a-f]+)/;
const IDE_DMA_RE = /^ide_dma_cb IDEState \S+ sector_num=(-?\d+) n=(\d+) cmd=(.*)$/;
const TX_DESC_RE = /^e1000e_tx_descr (?:0x)?([0-9a-f]+|\(nil\)) : ([0-9a-f]+) ([0-9a-f]+)/;
const RX_BUF_RE =
  /^e1000e_rx_desc_buff_write buffer #\d+, addr: 0x([0-9a-f]+), offset: (\d+), from: \S+, length: (\d+)/;

/** e1000 transmit descriptor `lower` word: DEXT (extended), DTYP (bits 20-23), EOP. */
const TXD_DEXT = 0x20000000;
const TXD_EOP = 0x01000000;

/**
 * The DMA a transmit descriptor's `lower` word describes (82574 datasheet, 7.2.10): a
 * legacy descriptor (no DEXT) carries 16 bits of length, an extended data descriptor
 * (DEXT, DTYP 1) 20 bits; an extended context descriptor (DTYP 0) moves no data (its
 * "address" field holds header offsets) and gives null.
 */
export function txDescriptor(addr: number, lower: number): NicEvent | null {
  const ext = (lower & TXD_DEXT) !== 0;
  if (ext && ((lower >>> 20) & 0xf) === 0) return null;
  return {
    op: 1,
    paddr: addr,
    length: ext ? lower & 0xfffff : lower & 0xffff,
    end: (lower & TXD_EOP) !== 0,
  };
}

function hexNumber(h: string): number {
  return h.length > 13 ? signedHex(h.padStart(16, "0")) : parseInt(h, 16);
}

/**
 * Whether an access to the APIC's MSI region is an interrupt message a device (or the
 * I/O APIC) sent rather than a CPU's local APIC register access. QEMU logs messages
 * raised while a vCPU runs a device's register write with that vCPU's index, not -1; the
 * local APIC's registers are 16-byte aligned in its first 4 KiB, while a message address
 * carries the destination ID in bits 12-19 and mode bits in bits 2-3.
 */
export function isMsiMessage(write: boolean, addr: number, device: string): boolean {
  if (!write || device !== "apic-msi") return false;
  return (addr & 0xf) !== 0 || addr >= 0xfee01000;
}

/** Parses the log text. Lines before the first plugin marker are ignored. */
export function parseQemuLog(text: string): QemuLog {
  const markers: LogMarker[] = [];
  const deliveries: Delivery[] = [];
  const accesses: DeviceAccess[] = [];
  const deviceInitiated: Record<string, number> = {};
  const cr3Values: number[] = [];
  let segment = 0;
  let hardwareNext = false;
  let last: Delivery | null = null;
  let pendingCr3: number[] = []; // CR3 writes waiting for the next dump
  const segmentNic = new Map<number, NicEvent[]>();
  const nicEvent = (e: NicEvent) => {
    const a = accesses[accesses.length - 1];
    if (a && a.segment === segment) (a.nic ??= []).push(e);
    else {
      const list = segmentNic.get(segment);
      if (list) list.push(e);
      else segmentNic.set(segment, [e]);
    }
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("vmmlab-mark ")) {
      const [, op, arg, , ns] = line.split(" ");
      markers.push({ op: Number(op), arg: Number(arg), hostNs: Number(ns ?? 0) });
      segment++;
      continue;
    }
    if (segment === 0) continue;
    if (line.startsWith("vmmlab-cr3 ")) {
      const seq = Number(line.slice(11));
      while (cr3Values.length <= seq) cr3Values.push(-1);
      // A second write before any dump: the earlier one's value stays unknown.
      pendingCr3 = [seq];
      continue;
    }
    if (line.startsWith("memory_region_ops_")) {
      const m = OPS_RE.exec(line);
      if (!m) continue;
      if (m[2] === "-1" || isMsiMessage(m[1] === "write", parseInt(m[3], 16), m[6])) {
        deviceInitiated[m[6]] = (deviceInitiated[m[6]] ?? 0) + 1;
        continue;
      }
      accesses.push({
        segment,
        write: m[1] === "write",
        addr: parseInt(m[3], 16),
        value: parseInt(m[4], 16),
        size: Number(m[5]),
        device: m[6],
      });
      continue;
    }
    if (line.startsWith("ide_dma_cb ")) {
      const m = IDE_DMA_RE.exec(line);
      const a = accesses[accesses.length - 1];
      if (
        m && Number(m[2]) > 0 && a && a.segment === segment && a.write && (a.value & 1) === 1 &&
        a.device.includes("bmdma") && a.dma === undefined
      ) {
        a.dma = { write: m[3].includes("WRITE"), sector: Number(m[1]), sectors: Number(m[2]) };
      }
      continue;
    }
    if (line.startsWith("e1000e_")) {
      let m: RegExpExecArray | null;
      if ((m = TX_DESC_RE.exec(line))) {
        const addr = m[1] === "(nil)" ? 0 : parseInt(m[1], 16);
        const e = txDescriptor(addr, parseInt(m[2], 16));
        if (e) nicEvent(e);
      } else if ((m = RX_BUF_RE.exec(line))) {
        nicEvent({
          op: 2,
          paddr: parseInt(m[1], 16) + Number(m[2]),
          length: Number(m[3]),
          end: false,
        });
      } else if (line.startsWith("e1000e_rx_written_to_guest")) {
        nicEvent({ op: 2, paddr: 0, length: 0, end: true });
      }
      continue;
    }
    if (line.startsWith("Servicing hardware INT")) {
      hardwareNext = true;
      continue;
    }
    const im = INT_RE.exec(line);
    if (im) {
      last = {
        segment,
        vector: parseInt(im[1], 16),
        error: parseInt(im[2], 16),
        software: im[3] === "1",
        hardware: hardwareNext,
        cpl: Number(im[4]),
        pc: hexNumber(im[6]),
        cr2: im[7] ? hexNumber(im[7]) : 0,
        cr3: -1,
      };
      hardwareNext = false;
      deliveries.push(last);
      continue;
    }
    if (last && line.startsWith("CR0=")) {
      const c = CR3_RE.exec(line);
      if (c) {
        last.cr3 = parseInt(c[1], 16);
        for (const seq of pendingCr3) cr3Values[seq] = last.cr3;
        pendingCr3 = [];
      }
      last = null;
    }
  }
  const nicDevice = accesses.find((a) => a.device.startsWith("e1000e"))?.device ?? "";
  return { markers, deliveries, accesses, deviceInitiated, cr3Values, segmentNic, nicDevice };
}
