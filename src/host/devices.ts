/**
 * A device the VMs share: one server, requests served first come first served, each
 * taking a fixed service time plus its bytes at the device's bandwidth. A request that
 * finds the device busy waits; its latency is the wait plus its own service. Requests
 * are served in the order the simulation issues them, which is arrival order on one
 * pCPU and within one run segment of it on several.
 *
 * @module
 */

import type { DeviceDescription } from "./description.ts";

/** A shared FIFO device with bandwidth. */
export class SharedDevice {
  readonly #latency: number;
  readonly #cyclesPerByte: number;
  #busyUntil = 0;
  /** Requests served. */
  requests = 0;
  /** Bytes moved. */
  bytes = 0;
  /** Cycles the device was busy. */
  busyCycles = 0;

  /** A device of `desc` on a host clocked at `clockHz`. */
  constructor(desc: DeviceDescription, clockHz: number) {
    this.#latency = desc.latencyUs * clockHz / 1e6;
    this.#cyclesPerByte = clockHz / desc.bytesPerSecond;
  }

  /** A request of `bytes` arriving at `now`; returns when it completes. */
  submit(now: number, bytes: number): number {
    const start = Math.max(now, this.#busyUntil);
    const service = this.#latency + Math.max(0, bytes) * this.#cyclesPerByte;
    this.#busyUntil = start + service;
    this.requests++;
    this.bytes += Math.max(0, bytes);
    this.busyCycles += service;
    return this.#busyUntil;
  }
}
