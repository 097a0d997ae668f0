/**
 * What every I/O mechanism shares: the device-class table of the trace, the event
 * counters every model reports (accesses, packets, block requests, interrupts, DMA bytes)
 * and the full-emulation path that devices not served by a mechanism's fast path fall
 * back to (a trap through the CPU model plus the VMM's device model).
 *
 * @module
 */

import { BlockOp, NetOp, RecordKind, type TraceRecord } from "../../trace/record.ts";
import { Transition } from "../../engine/model.ts";
import { deviceClasses } from "./device_class.ts";
import { deviceSlot, perDeviceCosts } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import { COMMON_IO_OPTIONS, type IoOptions } from "./options.ts";
import { optionError, readOptions } from "../../engine/options.ts";

/** The record-level operations of an I/O mechanism, one per device-related record kind. */
export interface IoMechanism {
  /** A port access reached a device. */
  pio(r: TraceRecord): void;
  /** A memory-mapped access reached a device. */
  mmio(r: TraceRecord): void;
  /** A device moved data to or from guest memory. */
  dma(r: TraceRecord): void;
  /** The guest's disk driver issued a request. */
  blockRequest(r: TraceRecord): void;
  /** The guest's network driver sent or received a packet. */
  netRequest(r: TraceRecord): void;
  /** A device interrupt was delivered to the guest. */
  interrupt(r: TraceRecord): void;
  /** End of the replayed window: charge whatever is still queued. */
  finish(): void;
}

/**
 * Reads the `io.deviceClasses` option, which maps device names to class names for devices
 * the name patterns get wrong: `"lance0=nic,mydev=disk"`.
 */
export function classOverrides(options: IoOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of readOptions(options, COMMON_IO_OPTIONS)["io.deviceClasses"]) {
    const eq = pair.lastIndexOf("=");
    if (eq <= 0) {
      throw optionError(
        "io.deviceClasses",
        `must be device=class pairs, not ${JSON.stringify(pair)}`,
      );
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** The transition reason of a trapping device access record: a port or an MMIO access. */
export function accessTransition(r: TraceRecord): number {
  return r.kind === RecordKind.Mmio ? Transition.Mmio : Transition.Pio;
}

/** Common state and counters; subclasses add their mechanism. */
export abstract class IoBase implements IoMechanism {
  /** Where cycles and events go. */
  protected readonly env: IoEnv;
  /** The platform's costs. */
  protected readonly costs: IoCostSource;
  /** Device class per device slot (see `deviceClasses`). */
  protected readonly classes: Uint8Array;
  /** Counter: device register accesses (port and MMIO). */
  protected readonly evAccesses: number;
  /** Counter: packets, both directions. */
  protected readonly evPackets: number;
  /** Counter: packets transmitted. */
  protected readonly evPacketsTx: number;
  /** Counter: packets received. */
  protected readonly evPacketsRx: number;
  /** Counter: block requests. */
  protected readonly evBlocks: number;
  /** Counter: bytes moved by block requests. */
  protected readonly evBlockBytes: number;
  /** Counter: device interrupts delivered to the guest. */
  protected readonly evInterrupts: number;
  /** Counter: bytes moved by DMA. */
  protected readonly evDmaBytes: number;
  /**
   * Counter: device accesses (or channel starts) that made the guest enter the VMM. Named
   * `io.traps`, not `exits.io`, because the CPU model counts exits by reason itself.
   */
  protected readonly evTraps: number;
  #emulate: Float64Array | undefined;
  #catEmulate = -1;

  /** Sets up the class table and common counters for a trace's device table. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    this.env = env;
    this.costs = costs;
    this.classes = deviceClasses(devices, classOverrides(options));
    this.evAccesses = env.counter("io.accesses");
    this.evPackets = env.counter("io.packets");
    this.evPacketsTx = env.counter("io.packets.tx");
    this.evPacketsRx = env.counter("io.packets.rx");
    this.evBlocks = env.counter("io.block-requests");
    this.evBlockBytes = env.counter("io.block-bytes");
    this.evInterrupts = env.counter("io.interrupts");
    this.evDmaBytes = env.counter("io.dma-bytes");
    this.evTraps = env.counter("io.traps");
  }

  /** The slot of a record's device index. */
  protected slot(r: TraceRecord): number {
    return deviceSlot(r.device, this.classes);
  }

  /**
   * Enables the full-emulation path for the slots where `mask` is 1 (all when absent),
   * reading `io.emulate.<class>` for exactly those devices.
   */
  protected enableEmulation(mask?: Uint8Array): void {
    this.#emulate = perDeviceCosts(this.costs, "io.emulate", this.classes, mask);
    this.#catEmulate = this.env.category("io.emulate");
  }

  /** One trapping access: the CPU's transition (`reason`) into the VMM and the device model's work. */
  protected emulateAccess(slot: number, reason: number, pc: number): void {
    const env = this.env;
    env.vmmTransition(reason, pc);
    env.events[this.evTraps] += 1;
    env.cycles[this.#catEmulate] += this.#emulate![slot];
  }

  /** Counts a device register access. */
  protected countAccess(): void {
    this.env.events[this.evAccesses] += 1;
  }

  /** Counts a packet by direction. */
  protected countPacket(r: TraceRecord): void {
    const ev = this.env.events;
    ev[this.evPackets] += 1;
    if (r.op === NetOp.Receive) ev[this.evPacketsRx] += 1;
    else ev[this.evPacketsTx] += 1;
  }

  /** Counts a block request and its bytes (a flush moves none). */
  protected countBlock(r: TraceRecord): void {
    const ev = this.env.events;
    ev[this.evBlocks] += 1;
    if (r.op !== BlockOp.Flush) ev[this.evBlockBytes] += r.length;
  }

  /** Default: counts the access; subclasses charge it. */
  abstract pio(r: TraceRecord): void;
  /** Default: counts the access; subclasses charge it. */
  abstract mmio(r: TraceRecord): void;
  /** Counts the bytes; subclasses that pay for DMA override. */
  dma(r: TraceRecord): void {
    this.env.events[this.evDmaBytes] += r.length;
  }
  /** Counts the request; subclasses that pay for requests override. */
  blockRequest(r: TraceRecord): void {
    this.countBlock(r);
  }
  /** Counts the packet; subclasses that pay for packets override. */
  netRequest(r: TraceRecord): void {
    this.countPacket(r);
  }
  /** Counts the interrupt; subclasses that pay for interrupts override. */
  interrupt(_r: TraceRecord): void {
    this.env.events[this.evInterrupts] += 1;
  }
  /** Nothing is queued by default. */
  finish(): void {}
}
