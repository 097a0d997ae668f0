/**
 * The `emulated` I/O model: full device emulation in the VMM. Every port or MMIO access
 * leaves the guest (the CPU model charges the transition: a trap, a callout or a VM exit)
 * and runs the VMM's model of the device, whose cost depends on the device class. The
 * device model also copies DMA data between guest memory and its backend, has its backend
 * issue each real request. Interrupt delivery (the exit and the injection of the virtual
 * interrupt) is the CPU model's, as for every interrupt.
 *
 * @module
 */

import type { TraceRecord } from "../../trace/record.ts";
import { accessTransition, IoBase } from "./base.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";

/** Trap per access plus device-model work; copies and backend requests. */
export class EmulatedIo extends IoBase {
  readonly #copyByte: number;
  readonly #request: number;
  readonly #catCopy: number;
  readonly #catBackend: number;

  /** Reads `io.emulate.<class>`, `io.copy.byte`, `io.backend.request`. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    this.enableEmulation();
    this.#copyByte = costs.cycles("io.copy.byte");
    this.#request = costs.cycles("io.backend.request");
    this.#catCopy = env.category("io.copy");
    this.#catBackend = env.category("io.backend");
  }

  /** A trapping port access. */
  pio(r: TraceRecord): void {
    this.countAccess();
    this.emulateAccess(this.slot(r), accessTransition(r), this.env.currentPc());
  }

  /** A trapping MMIO access. */
  mmio(r: TraceRecord): void {
    this.countAccess();
    this.emulateAccess(this.slot(r), accessTransition(r), this.env.currentPc());
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

  /** Describes the model. */
  describe(): string {
    return "emulated: every port or MMIO access exits to the VMM (cpu transition 'io') and " +
      "runs a device model (io.emulate.<class>); DMA is copied (io.copy.byte per byte), each " +
      "request is issued by the VMM's backend (io.backend.request).";
  }
}
