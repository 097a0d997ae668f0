/**
 * The `passthrough` I/O model: direct device assignment. The guest's driver programs the
 * assigned device itself (no exits: its registers are mapped into the guest), but the
 * device's DMA addresses are guest-physical and go through the IOMMU, which caches
 * translations in an IOTLB and walks the I/O page table on a miss; the device's
 * interrupts go through the IOMMU's interrupt-remapping table (the VMM's fielding and
 * injection of each interrupt is the CPU model's). Devices that are not assigned
 * (interrupt controller, timer, ...) stay fully emulated.
 *
 * @module
 */

import type { TraceRecord } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { accessTransition, IoBase } from "./base.ts";
import { isDataDevice } from "./device_class.ts";
import { nativeLatencies } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import { Iotlb } from "./iotlb.ts";
import { intOption, type IoOptions, listOption } from "./options.ts";

/** The device-assignment configuration. */
export interface PassthroughConfig {
  /** Names of the assigned devices; undefined means every network and disk device. */
  devices: readonly string[] | undefined;
  /** IOTLB entries. */
  iotlbEntries: number;
  /** IOTLB associativity (equal to the entries for a fully associative IOTLB). */
  iotlbWays: number;
  /** I/O page size in bytes: 4 KB, or 2 MB when the VMM maps guest memory with large pages. */
  pageSize: number;
  /** Levels of the I/O page table walked for a 4 KB page (one fewer for 2 MB). */
  walkLevels: number;
}

/** Reads and checks the passthrough options. */
export function passthroughConfig(options: IoOptions): PassthroughConfig {
  const entries = intOption(options, "io.passthrough.iotlbEntries", 32, 1, 1 << 16);
  const ways = intOption(options, "io.passthrough.iotlbWays", entries, 1, entries);
  if (entries % ways !== 0) {
    throw new ConfigError(
      "io model options",
      `IOTLB entries (${entries}) must be a multiple of its ways (${ways})`,
      "io.passthrough.iotlbWays",
    );
  }
  const pageSize = intOption(options, "io.passthrough.pageSize", 4096, 4096, 1 << 30);
  if (pageSize !== 4096 && pageSize !== 2 * 1024 * 1024) {
    throw new ConfigError(
      "io model options",
      `expected 4096 or 2097152, got ${pageSize}`,
      "io.passthrough.pageSize",
    );
  }
  return {
    devices: listOption(options, "io.passthrough.devices", undefined),
    iotlbEntries: entries,
    iotlbWays: ways,
    pageSize,
    walkLevels: intOption(options, "io.passthrough.walkLevels", 4, 2, 6),
  };
}

/** Direct assignment with IOMMU translation of DMA and remapping of interrupts. */
export class PassthroughIo extends IoBase {
  /** The configuration in force. */
  readonly config: PassthroughConfig;
  /** The IOMMU's translation cache. */
  readonly iotlb: Iotlb;
  readonly #assigned: Uint8Array;
  readonly #pio: Float64Array;
  readonly #mmio: Float64Array;
  readonly #levels: number;
  readonly #hit: number;
  readonly #walkRef: number;
  readonly #remap: number;
  readonly #copyByte: number;
  readonly #request: number;
  readonly #cDevice: number;
  readonly #cIotlb: number;
  readonly #cWalk: number;
  readonly #cRemap: number;
  readonly #cCopy: number;
  readonly #cBackend: number;
  readonly #eHits: number;
  readonly #eMisses: number;
  readonly #eWalks: number;
  readonly #eRefs: number;
  readonly #eRemaps: number;

  /** Reads `io.native.<class>` for assigned devices, `io.iommu.*`, and emulation costs for the rest. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    const c = this.config = passthroughConfig(options);
    const n = this.classes.length;
    this.#assigned = new Uint8Array(n);
    if (c.devices !== undefined) {
      for (const name of c.devices) {
        const i = devices.indexOf(name);
        if (i < 0) {
          throw new ConfigError(
            "io model options",
            `no device ${JSON.stringify(name)} in the trace (devices: ${devices.join(", ")})`,
            "io.passthrough.devices",
          );
        }
        this.#assigned[i] = 1;
      }
    } else {
      for (let i = 0; i < n - 1; i++) this.#assigned[i] = isDataDevice(this.classes[i]) ? 1 : 0;
    }
    const others = new Uint8Array(n);
    for (let i = 0; i < n; i++) others[i] = 1 - this.#assigned[i];
    this.enableEmulation(others);
    const l = nativeLatencies(costs, this.classes, this.#assigned);
    this.#pio = l.pio;
    this.#mmio = l.mmio;
    this.iotlb = new Iotlb(c.iotlbEntries, c.iotlbWays);
    this.#levels = c.pageSize === 4096 ? c.walkLevels : c.walkLevels - 1;
    this.#hit = costs.cycles("io.iommu.iotlb-hit");
    this.#walkRef = costs.cycles("io.iommu.walk-ref");
    this.#remap = costs.cycles("io.iommu.irq-remap");
    this.#copyByte = costs.cycles("io.copy.byte");
    this.#request = costs.cycles("io.backend.request");
    this.#cDevice = env.category("io.device");
    this.#cIotlb = env.category("io.iommu.iotlb");
    this.#cWalk = env.category("io.iommu.walk");
    this.#cRemap = env.category("io.iommu.irq-remap");
    this.#cCopy = env.category("io.copy");
    this.#cBackend = env.category("io.backend");
    this.#eHits = env.counter("iommu.iotlb-hits");
    this.#eMisses = env.counter("iommu.iotlb-misses");
    this.#eWalks = env.counter("iommu.walks");
    this.#eRefs = env.counter("iommu.walk-refs");
    this.#eRemaps = env.counter("iommu.irq-remaps");
  }

  #access(r: TraceRecord, latency: Float64Array): void {
    this.countAccess();
    const slot = this.slot(r);
    if (this.#assigned[slot] === 1) this.env.cycles[this.#cDevice] += latency[slot];
    else this.emulateAccess(slot, accessTransition(r), this.env.currentPc());
  }

  /** An assigned device's port is reached directly; others trap. */
  pio(r: TraceRecord): void {
    this.#access(r, this.#pio);
  }

  /** An assigned device's registers are mapped into the guest; others trap. */
  mmio(r: TraceRecord): void {
    this.#access(r, this.#mmio);
  }

  /** Every I/O page the transfer touches is translated by the IOMMU. */
  override dma(r: TraceRecord): void {
    super.dma(r);
    const slot = this.slot(r);
    if (this.#assigned[slot] === 0) {
      this.env.cycles[this.#cCopy] += r.length * this.#copyByte;
      return;
    }
    if (r.length <= 0) return;
    const ps = this.config.pageSize;
    const first = Math.floor(r.paddr / ps);
    const last = Math.floor((r.paddr + r.length - 1) / ps);
    const cy = this.env.cycles;
    const ev = this.env.events;
    for (let page = first; page <= last; page++) {
      if (this.iotlb.access(slot, page)) {
        cy[this.#cIotlb] += this.#hit;
        ev[this.#eHits] += 1;
      } else {
        cy[this.#cWalk] += this.#levels * this.#walkRef;
        ev[this.#eMisses] += 1;
        ev[this.#eWalks] += 1;
        ev[this.#eRefs] += this.#levels;
      }
    }
  }

  /** An assigned device's interrupt is looked up in the interrupt-remapping table. */
  override interrupt(r: TraceRecord): void {
    super.interrupt(r);
    if (this.#assigned[this.slot(r)] === 1) {
      this.env.cycles[this.#cRemap] += this.#remap;
      this.env.events[this.#eRemaps] += 1;
    }
  }

  /** Requests to an assigned device are the device's business; emulated ones use the backend. */
  override blockRequest(r: TraceRecord): void {
    super.blockRequest(r);
    if (this.#assigned[this.slot(r)] === 0) this.env.cycles[this.#cBackend] += this.#request;
  }

  /** As for block requests. */
  override netRequest(r: TraceRecord): void {
    super.netRequest(r);
    if (this.#assigned[this.slot(r)] === 0) this.env.cycles[this.#cBackend] += this.#request;
  }

  /** Describes the model and its options. */
  describe(): string {
    const c = this.config;
    return `passthrough: assigned=${c.devices?.join("+") ?? "network and disk devices"}, IOTLB ` +
      `${c.iotlbEntries} entries/${c.iotlbWays} ways, ${c.pageSize}-byte I/O pages, ` +
      `${this.#levels}-level walks, interrupt remapping.`;
  }
}
