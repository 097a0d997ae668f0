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
import type { IoOptions } from "./options.ts";
import {
  declareOptions,
  optionError,
  optionOrPlatform,
  type ParamSource,
  readOptions,
} from "../../engine/options.ts";
import { LARGE_PAGE_SIZE, PAGE_SIZE } from "../../trace/page.ts";

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
export function passthroughConfig(options: IoOptions, platform: ParamSource): PassthroughConfig {
  const o = readOptions(options, PASSTHROUGH_OPTIONS);
  const d = PASSTHROUGH_OPTIONS;
  const entries = optionOrPlatform(
    platform,
    d["io.passthrough.iotlbEntries"],
    o["io.passthrough.iotlbEntries"],
    "io.iommu.iotlb.entries",
  );
  const ways = o["io.passthrough.iotlbWays"] ?? entries;
  if (ways > entries) {
    throw optionError(
      "io.passthrough.iotlbWays",
      `must be at most the IOTLB's ${entries} entries, not ${ways}`,
    );
  }
  if (entries % ways !== 0) {
    throw optionError(
      "io.passthrough.iotlbWays",
      `IOTLB entries (${entries}) must be a multiple of its ways (${ways})`,
    );
  }
  const pageSize = o["io.passthrough.pageSize"];
  return {
    devices: o["io.passthrough.devices"],
    iotlbEntries: entries,
    iotlbWays: ways,
    pageSize: Number(pageSize),
    walkLevels: optionOrPlatform(
      platform,
      d["io.passthrough.walkLevels"],
      o["io.passthrough.walkLevels"],
      "io.iommu.walk-levels",
    ),
  };
}

/** The options of `passthrough` (besides the common I/O options). */
export const PASSTHROUGH_OPTIONS = declareOptions({
  "io.passthrough.devices": {
    type: "list",
    items: "device names",
    defaultDoc: "the network and disk devices",
    doc: "assigned devices",
  },
  "io.passthrough.iotlbEntries": {
    type: "integer",
    defaultDoc: "platform io.iommu.iotlb.entries",
    min: 1,
    max: 1 << 16,
    unit: "entries",
    doc: "IOTLB entries",
  },
  "io.passthrough.iotlbWays": {
    type: "integer",
    min: 1,
    max: 1 << 16,
    defaultDoc: "the entries (fully associative)",
    doc: "IOTLB ways",
  },
  "io.passthrough.pageSize": {
    type: "enum",
    values: [String(PAGE_SIZE), String(LARGE_PAGE_SIZE)],
    default: String(PAGE_SIZE),
    doc: "I/O page size in bytes",
  },
  "io.passthrough.walkLevels": {
    type: "integer",
    defaultDoc: "platform io.iommu.walk-levels",
    min: 2,
    max: 6,
    doc: "I/O page-table levels walked for a 4 KB page (one fewer for 2 MB)",
  },
});

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
    const c = this.config = passthroughConfig(options, costs);
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
    this.#levels = c.pageSize === PAGE_SIZE ? c.walkLevels : c.walkLevels - 1;
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
}
