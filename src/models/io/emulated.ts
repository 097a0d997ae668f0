/**
 * The `emulated` I/O model: full device emulation in the VMM. Every port or MMIO access
 * leaves the guest (the CPU model charges the transition: a trap, a callout or a VM exit)
 * and runs the VMM's model of the device, whose cost depends on the device class. The
 * device model also copies DMA data between guest memory and its backend, has its backend
 * issue each real request (`io.backend.request`), and — for a network or disk device —
 * its backend's real driver programs the physical device with the register accesses the
 * native driver made in the trace, at their native latency (`io.native.*`, category
 * `io.backend-device`): emulation adds the trap and the device model, it does not make the
 * physical device faster. Virtual-only devices (POST port, interrupt controller, timer)
 * have no physical counterpart, so Adams & Agesen's `in` (port 0x80) stays cheaper than
 * native. Interrupt delivery (the exit and the injection of the virtual interrupt) is the
 * CPU model's, as for every interrupt.
 *
 * @module
 */

import type { TraceRecord } from "../../trace/record.ts";
import { accessTransition, IoBase } from "./base.ts";
import { isDataDevice } from "./device_class.ts";
import { nativeLatencies } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";

/** Trap per access plus device-model work; copies and backend requests. */
export class EmulatedIo extends IoBase {
  readonly #copyByte: number;
  readonly #request: number;
  readonly #catCopy: number;
  readonly #catBackend: number;
  readonly #realPio: Float64Array;
  readonly #realMmio: Float64Array;
  readonly #catReal: number;

  /**
   * Reads `io.emulate.<class>`, `io.copy.byte`, `io.backend.request`, and `io.native.*`
   * for the network and disk devices the backend drives.
   */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    this.enableEmulation();
    const data = new Uint8Array(this.classes.length);
    for (let i = 0; i < data.length; i++) data[i] = isDataDevice(this.classes[i]) ? 1 : 0;
    const real = nativeLatencies(costs, this.classes, data);
    this.#realPio = real.pio;
    this.#realMmio = real.mmio;
    this.#catReal = env.category("io.backend-device");
    this.#copyByte = costs.cycles("io.copy.byte");
    this.#request = costs.cycles("io.backend.request");
    this.#catCopy = env.category("io.copy");
    this.#catBackend = env.category("io.backend");
  }

  /** A trapping port access; a physical device's access is made again by the backend. */
  pio(r: TraceRecord): void {
    this.countAccess();
    const slot = this.slot(r);
    this.emulateAccess(slot, accessTransition(r), this.env.currentPc());
    this.env.cycles[this.#catReal] += this.#realPio[slot];
  }

  /** A trapping MMIO access, as for port accesses. */
  mmio(r: TraceRecord): void {
    this.countAccess();
    const slot = this.slot(r);
    this.emulateAccess(slot, accessTransition(r), this.env.currentPc());
    this.env.cycles[this.#catReal] += this.#realMmio[slot];
  }

  /** The device model copies the transfer. */
  override dma(r: TraceRecord): void {
    super.dma(r);
    this.env.cycles[this.#catCopy] += r.length * this.#copyByte;
  }

  /** The VMM's backend issues the real disk request. */
  override blockRequest(r: TraceRecord): void {
    super.blockRequest(r);
    this.env.cycles[this.#catBackend] += this.#request;
  }

  /** The VMM's backend sends or receives the real packet. */
  override netRequest(r: TraceRecord): void {
    super.netRequest(r);
    this.env.cycles[this.#catBackend] += this.#request;
  }
}
