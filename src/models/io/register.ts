/**
 * Wires the I/O mechanisms into the engine: adapts a `ModelContext` to the small
 * {@link IoEnv} the mechanisms charge into, reads costs from the platform profile
 * (converting microseconds and nanoseconds with the platform's clock, because the hosted
 * costs are published as times on a 733 MHz Pentium III), and registers the models
 * `native`, `emulated`, `hosted`, `pv`, `passthrough` and `channel`.
 *
 * @module
 */

import {
  type IoModel,
  type ModelContext,
  type Platform,
  registerModel,
} from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import type { IoMechanism } from "./base.ts";
import { ChannelIo } from "./channel.ts";
import { EmulatedIo } from "./emulated.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import { HOSTED_OPTIONS, HostedIo } from "./hosted.ts";
import { NativeIo } from "./native.ts";
import type { OptionDecls } from "../../engine/options.ts";
import { COMMON_IO_OPTIONS, type IoOptions } from "./options.ts";
import { PASSTHROUGH_OPTIONS, PassthroughIo } from "./passthrough.ts";
import { PV_IO_OPTIONS, PvIo } from "./pv.ts";

/** The engine's context seen as an {@link IoEnv}. */
export function contextEnv(ctx: ModelContext): IoEnv {
  return {
    category: (name) => ctx.category(name),
    counter: (name) => ctx.counter(name),
    cycles: ctx.cycles,
    events: ctx.events,
    vmmTransition: (reason, pc) => ctx.cpu.vmmTransition(reason, pc),
    currentPc: () => ctx.guest.pc,
    currentInstructions: () => ctx.guest.instructions,
  };
}

/** Cycles per unit of a time entry, given the clock; undefined for units that are not times. */
function cyclesPerUnit(unit: string, clockHz: number): number | undefined {
  switch (unit) {
    case "cycles":
    case "cycles/byte":
      return 1;
    case "us":
      return clockHz / 1e6;
    case "ns":
      return clockHz / 1e9;
    case "ns/byte":
      return clockHz / 1e9;
    default:
      return undefined;
  }
}

/**
 * A platform profile as an {@link IoCostSource}. Entries in `us` or `ns` are converted with
 * the profile's clock; per-byte entries stay per byte.
 */
export class PlatformCosts implements IoCostSource {
  readonly #platform: Platform;

  /** Wraps a validated profile. */
  constructor(platform: Platform) {
    this.#platform = platform;
  }

  /** The profile's name or file. */
  get origin(): string {
    return this.#platform.origin;
  }

  /** Whether the profile has the key. */
  has(key: string): boolean {
    return this.#platform.has(key);
  }

  /** A structural parameter, as the profile gives it. */
  param(key: string): number {
    return this.#platform.param(key);
  }

  /** The entry's value in cycles (a missing key or a non-time unit is a ConfigError). */
  cycles(key: string): number {
    const p = this.#platform;
    const e = p.entry(key);
    const k = cyclesPerUnit(e.unit, p.clockHz);
    if (k === undefined) {
      throw new ConfigError(
        p.origin,
        `unit "${e.unit}" is not a time (cycles, us or ns)`,
        `entries.${key}.unit`,
      );
    }
    return e.value * k;
  }
}

/** A constructor of an I/O mechanism: what {@link IO_MODELS} registers under each name. */
export type MechanismClass = new (
  env: IoEnv,
  costs: IoCostSource,
  devices: readonly string[],
  options: IoOptions,
) => IoMechanism;

/** Adapts a mechanism to the engine's {@link IoModel}. */
export class IoModelAdapter implements IoModel {
  /** The mechanism doing the work (exposed for experiments that read its configuration). */
  readonly mechanism: IoMechanism;

  /** Builds `mechanism` for a context. */
  constructor(ctx: ModelContext, mechanism: MechanismClass) {
    const costs = new PlatformCosts(ctx.platform);
    this.mechanism = new mechanism(contextEnv(ctx), costs, ctx.header.devices, ctx.options);
  }
  /** Forwards a port access. */
  pio(rec: TraceRecord): void {
    this.mechanism.pio(rec);
  }
  /** Forwards an MMIO access. */
  mmio(rec: TraceRecord): void {
    this.mechanism.mmio(rec);
  }
  /** Forwards a DMA transfer. */
  dma(rec: TraceRecord): void {
    this.mechanism.dma(rec);
  }
  /** Forwards a block request. */
  blockRequest(rec: TraceRecord): void {
    this.mechanism.blockRequest(rec);
  }
  /** Forwards a network request. */
  netRequest(rec: TraceRecord): void {
    this.mechanism.netRequest(rec);
  }
  /** Forwards an interrupt. */
  interrupt(rec: TraceRecord): void {
    this.mechanism.interrupt(rec);
  }
  /** Lets the mechanism flush what it queued. */
  finish(): void {
    this.mechanism.finish();
  }
}

/** One registered I/O model: name, mechanism, summary, its own options, its cost keys. */
export interface IoModelEntry {
  /** Model name (`--io NAME`). */
  readonly name: string;
  /** The mechanism it runs. */
  readonly mechanism: MechanismClass;
  /** One-line summary. */
  readonly summary: string;
  /** Options besides {@link COMMON_IO_OPTIONS}. */
  readonly options: OptionDecls;
  /** Platform keys it reads (`<class>` is a device class, then `default`). */
  readonly costs: readonly string[];
}

/** Native device latency keys: per class, else by access kind. */
const NATIVE_COSTS = ["io.native.<class>", "io.native.pio", "io.native.mmio"];
/** Trapping device model keys (class, then `io.emulate.default`). */
const EMULATE_COSTS = ["io.emulate.<class>"];

/** Every I/O model. */
export const IO_MODELS: readonly IoModelEntry[] = [
  {
    name: "native",
    mechanism: NativeIo,
    summary: "Each port or MMIO access costs the device's latency; DMA, requests and " +
      "interrupts add nothing beyond the guest code in the trace.",
    options: {},
    costs: NATIVE_COSTS,
  },
  {
    name: "emulated",
    mechanism: EmulatedIo,
    summary: "Every device access exits to the VMM and runs a device model; DMA is copied; " +
      "the VMM's backend issues each request through the real driver.",
    options: {},
    costs: [...NATIVE_COSTS, ...EMULATE_COSTS, "io.copy.byte", "io.backend.request"],
  },
  {
    name: "hosted",
    mechanism: HostedIo,
    summary: "Hosted architecture (Sugerman et al. 2001): accesses needing the VMApp or real " +
      "I/O world-switch to the host OS; physical interrupts world-switch to the host.",
    options: HOSTED_OPTIONS,
    costs: [
      ...NATIVE_COSTS,
      ...EMULATE_COSTS,
      "io.hosted.vmm-access.<class>",
      "io.hosted.vmm-out",
      "io.hosted.world-switch-to-host",
      "io.hosted.vmapp",
      "io.hosted.host-driver",
      "io.hosted.vmapp-return",
      "io.hosted.world-switch-to-vmm",
      "io.hosted.return-to-vm",
      "io.hosted.host-driver-rx",
      "io.hosted.host-block",
      "io.hosted.host-irq",
      "io.hosted.select",
    ],
  },
  {
    name: "pv",
    mechanism: PvIo,
    summary: "Paravirtual split drivers: shared rings, batched notifications, coalesced " +
      "events; non-data devices stay emulated.",
    options: PV_IO_OPTIONS,
    costs: [
      ...NATIVE_COSTS,
      ...EMULATE_COSTS,
      "io.pv.request",
      "io.pv.notify",
      "io.pv.event",
      "io.copy.byte",
      "io.pv.backend-irq",
    ],
  },
  {
    name: "passthrough",
    mechanism: PassthroughIo,
    summary: "Direct assignment through an IOMMU: DMA translated by an IOTLB and I/O page " +
      "walks, interrupts remapped; other devices stay emulated.",
    options: PASSTHROUGH_OPTIONS,
    costs: [
      ...NATIVE_COSTS,
      ...EMULATE_COSTS,
      "io.iommu.iotlb-hit",
      "io.iommu.walk-ref",
      "io.iommu.iotlb.entries",
      "io.iommu.walk-levels",
      "io.iommu.irq-remap",
      "io.copy.byte",
      "io.backend.request",
    ],
  },
  {
    name: "channel",
    mechanism: ChannelIo,
    summary: "Channel I/O: a request and its data-device accesses form one channel program " +
      "handed over in one trap, translated per command word and per data page.",
    options: {},
    costs: [
      ...NATIVE_COSTS,
      ...EMULATE_COSTS,
      "io.channel.start",
      "io.channel.ccw",
      "io.channel.page",
      "io.copy.byte",
      "io.backend.request",
    ],
  },
];

for (const m of IO_MODELS) {
  registerModel("io", m.name, (ctx) => new IoModelAdapter(ctx, m.mechanism), {
    summary: m.summary,
    options: { ...COMMON_IO_OPTIONS, ...m.options },
    costs: m.costs,
  });
}
