/**
 * The `native` I/O model: the baseline every virtualized run is compared with. A port or
 * MMIO access costs the device's access latency on the platform (an `in` from an off-chip
 * port costs thousands of cycles on a Pentium 4, Adams & Agesen 2006, Figure 4); DMA,
 * requests and interrupts cost the CPU nothing beyond the guest code the trace already
 * replays.
 *
 * @module
 */

import type { TraceRecord } from "../../trace/record.ts";
import { IoBase } from "./base.ts";
import { nativeLatencies } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";

/** Device accesses at the platform's device latency, nothing else. */
export class NativeIo extends IoBase {
  readonly #pio: Float64Array;
  readonly #mmio: Float64Array;
  readonly #catDevice: number;

  /** Reads `io.native.<class>`, else `io.native.pio` / `io.native.mmio`, for the trace's devices. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    const l = nativeLatencies(costs, this.classes);
    this.#pio = l.pio;
    this.#mmio = l.mmio;
    this.#catDevice = env.category("io.device");
  }

  /** A port access at device latency. */
  pio(r: TraceRecord): void {
    this.countAccess();
    this.env.cycles[this.#catDevice] += this.#pio[this.slot(r)];
  }

  /** An MMIO access at device latency. */
  mmio(r: TraceRecord): void {
    this.countAccess();
    this.env.cycles[this.#catDevice] += this.#mmio[this.slot(r)];
  }
}
