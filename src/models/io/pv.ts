/**
 * The `pv` I/O model: a split driver (Xen's netfront/blkfront, virtio). The guest's
 * frontend puts each request on a ring shared with a backend instead of programming device
 * registers, and notifies the backend once per batch of requests; the backend answers on
 * the same ring and raises one event per `coalesce` completions (the backend's side of
 * an event; its delivery into the guest is the CPU model's, per interrupt record).
 * The guest's register accesses and DMA of the data devices (network, disk) are replaced
 * by this ring traffic, but the I/O still happens: the backend hands each request to the
 * driver domain's real driver, which programs the physical device with the register
 * accesses the native driver made in the trace (at their native latency, `io.native.*`,
 * category `io.pv.backend-device`) and takes each physical device interrupt, forwarded by
 * the hypervisor to the driver domain as an event (`io.pv.backend-irq`). On one CPU, as in
 * Barham et al.'s measurements, that work is the machine's. Other devices (interrupt
 * controller, timer, ...) stay fully emulated.
 *
 * @module
 */

import { BlockOp, type TraceRecord } from "../../trace/record.ts";
import { Transition } from "../../engine/model.ts";
import { accessTransition, IoBase } from "./base.ts";
import { isDataDevice } from "./device_class.ts";
import { nativeLatencies } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";
import { declareOptions, readOptions } from "../../engine/options.ts";

/** The split-driver configuration. */
export interface PvConfig {
  /** Requests per notification of the backend. */
  batch: number;
  /** Completions per event raised to the guest. */
  coalesce: number;
  /** How the frontend notifies: a hypercall (Xen event channel) or a trapping port or MMIO write (virtio kick). */
  notify: "hypercall" | "pio" | "mmio";
  /** Whether the backend copies payloads (Xen grant copy); false for page mapping or flipping. */
  copy: boolean;
}

/** Reads and checks the pv options. */
export function pvConfig(options: IoOptions): PvConfig {
  const o = readOptions(options, PV_IO_OPTIONS);
  return {
    batch: o["io.pv.batch"],
    coalesce: o["io.pv.coalesce"],
    notify: o["io.pv.notify"],
    copy: o["io.pv.copy"],
  };
}

/** The options of the `pv` I/O model (besides the common I/O options). */
export const PV_IO_OPTIONS = declareOptions({
  "io.pv.batch": {
    type: "integer",
    default: 1,
    min: 1,
    max: 1 << 20,
    unit: "requests",
    doc: "requests per backend notification",
  },
  "io.pv.coalesce": {
    type: "integer",
    default: 1,
    min: 1,
    max: 1 << 20,
    unit: "completions",
    doc: "completions per event to the guest",
  },
  "io.pv.notify": {
    type: "enum",
    values: ["hypercall", "pio", "mmio"],
    default: "hypercall",
    doc: "how the frontend notifies the backend",
  },
  "io.pv.copy": { type: "boolean", default: true, doc: "whether the backend copies payloads" },
});

/** Split-driver I/O over shared rings with batched notifications and coalesced events. */
export class PvIo extends IoBase {
  /** The configuration in force. */
  readonly config: PvConfig;
  readonly #data: Uint8Array;
  readonly #queued: Float64Array;
  readonly #completed: Float64Array;
  readonly #request: number;
  readonly #notifyCost: number;
  readonly #notifyReason: number;
  readonly #eventCost: number;
  readonly #copyByte: number;
  readonly #backendPio: Float64Array;
  readonly #backendMmio: Float64Array;
  readonly #backendIrq: number;
  readonly #cBackend: number;
  readonly #cBackendIrq: number;
  readonly #cRing: number;
  readonly #cNotify: number;
  readonly #cEvent: number;
  readonly #cCopy: number;
  readonly #eNotifications: number;
  readonly #eEvents: number;
  readonly #eReplaced: number;

  /**
   * Reads `io.pv.*`, `io.copy.byte`, `io.native.*` for the data devices the backend drives,
   * and `io.emulate.<class>` for the other devices.
   */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    this.config = pvConfig(options);
    const n = this.classes.length;
    this.#data = new Uint8Array(n);
    const others = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.#data[i] = isDataDevice(this.classes[i]) ? 1 : 0;
      others[i] = 1 - this.#data[i];
    }
    this.enableEmulation(others);
    this.#queued = new Float64Array(n);
    this.#completed = new Float64Array(n);
    this.#request = costs.cycles("io.pv.request");
    this.#notifyCost = costs.cycles("io.pv.notify");
    this.#notifyReason = this.config.notify === "hypercall"
      ? Transition.Hypercall
      : this.config.notify === "pio"
      ? Transition.Pio
      : Transition.Mmio;
    this.#eventCost = costs.cycles("io.pv.event");
    this.#copyByte = this.config.copy ? costs.cycles("io.copy.byte") : 0;
    const backend = nativeLatencies(costs, this.classes, this.#data);
    this.#backendPio = backend.pio;
    this.#backendMmio = backend.mmio;
    this.#backendIrq = costs.cycles("io.pv.backend-irq");
    this.#cBackend = env.category("io.pv.backend-device");
    this.#cBackendIrq = env.category("io.pv.backend-irq");
    this.#cRing = env.category("io.pv.ring");
    this.#cNotify = env.category("io.pv.notify");
    this.#cEvent = env.category("io.pv.event");
    this.#cCopy = env.category("io.copy");
    this.#eNotifications = env.counter("ring.notifications");
    this.#eEvents = env.counter("pv.events");
    this.#eReplaced = env.counter("pv.replaced-native");
  }

  #access(r: TraceRecord, backend: Float64Array): void {
    this.countAccess();
    const slot = this.slot(r);
    if (this.#data[slot] === 1) {
      this.env.events[this.#eReplaced] += 1;
      this.env.cycles[this.#cBackend] += backend[slot];
    } else this.emulateAccess(slot, accessTransition(r), this.env.currentPc());
  }

  /**
   * A data-device register access is not the frontend's: the backend's real driver makes
   * it on the physical device, at native latency. Other devices trap.
   */
  pio(r: TraceRecord): void {
    this.#access(r, this.#backendPio);
  }

  /** As for port accesses. */
  mmio(r: TraceRecord): void {
    this.#access(r, this.#backendMmio);
  }

  /** A data device's DMA is the ring's payload, charged with the request. */
  override dma(r: TraceRecord): void {
    super.dma(r);
    const slot = this.slot(r);
    if (this.#data[slot] === 1) this.env.events[this.#eReplaced] += 1;
    else this.env.cycles[this.#cCopy] += r.length * this.#copyByte;
  }

  /**
   * The physical device interrupt goes to the driver domain (`io.pv.backend-irq`); the
   * guest receives the backend's event instead, whose delivery the CPU model charges like
   * any interrupt's.
   */
  override interrupt(r: TraceRecord): void {
    super.interrupt(r);
    if (this.#data[this.slot(r)] === 1) {
      this.env.events[this.#eReplaced] += 1;
      this.env.cycles[this.#cBackendIrq] += this.#backendIrq;
    }
  }

  /** A disk request on the ring (a flush moves no data). */
  override blockRequest(r: TraceRecord): void {
    super.blockRequest(r);
    this.#enqueue(this.slot(r), r.op === BlockOp.Flush ? 0 : r.length);
  }

  /** A packet on the ring. */
  override netRequest(r: TraceRecord): void {
    super.netRequest(r);
    this.#enqueue(this.slot(r), r.length);
  }

  #enqueue(slot: number, bytes: number): void {
    const cy = this.env.cycles;
    cy[this.#cRing] += this.#request;
    cy[this.#cCopy] += bytes * this.#copyByte;
    this.#queued[slot] += 1;
    if (this.#queued[slot] >= this.config.batch) this.#notify(slot);
  }

  /** The frontend kicks the backend, which consumes the batch and completes every request in it. */
  #notify(slot: number): void {
    const done = this.#queued[slot];
    this.#queued[slot] = 0;
    this.env.vmmTransition(this.#notifyReason, this.env.currentPc());
    this.env.cycles[this.#cNotify] += this.#notifyCost;
    this.env.events[this.#eNotifications] += 1;
    this.#completed[slot] += done;
    while (this.#completed[slot] >= this.config.coalesce) {
      this.#completed[slot] -= this.config.coalesce;
      this.#event();
    }
  }

  #event(): void {
    this.env.cycles[this.#cEvent] += this.#eventCost;
    this.env.events[this.#eEvents] += 1;
  }

  /** A partial batch is still notified, and leftover completions still raise one event each ring. */
  override finish(): void {
    for (let s = 0; s < this.#queued.length; s++) {
      if (this.#queued[s] > 0) this.#notify(s);
      if (this.#completed[s] > 0) {
        this.#completed[s] = 0;
        this.#event();
      }
    }
  }
}
