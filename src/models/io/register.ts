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
  type ModelDescription,
  type Platform,
  registerModel,
} from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import type { IoMechanism } from "./base.ts";
import { ChannelIo } from "./channel.ts";
import { EmulatedIo } from "./emulated.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import { HostedIo } from "./hosted.ts";
import { NativeIo } from "./native.ts";
import type { IoOptions } from "./options.ts";
import { PassthroughIo } from "./passthrough.ts";
import { PvIo } from "./pv.ts";

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
 * A platform profile as an {@link IoCostSource} that remembers which keys it was asked for
 * (so `describe()` lists exactly the keys a configured model reads). Entries in `us` or
 * `ns` are converted with the profile's clock; per-byte entries stay per byte.
 */
export class PlatformCosts implements IoCostSource {
  readonly #platform: Platform;
  /** Keys read so far, in first-read order. */
  readonly read: string[] = [];

  /** Wraps a validated profile. */
  constructor(platform: Platform) {
    this.#platform = platform;
  }

  /** Whether the profile has the key. */
  has(key: string): boolean {
    return this.#platform.has(key);
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
    if (!this.read.includes(key)) this.read.push(key);
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
  readonly #costKeys: readonly string[];
  readonly #options: Readonly<Record<string, string>>;

  /** Builds `mechanism` for a context. */
  constructor(ctx: ModelContext, mechanism: MechanismClass, options: Record<string, string>) {
    const costs = new PlatformCosts(ctx.platform);
    this.mechanism = new mechanism(contextEnv(ctx), costs, ctx.header.devices, ctx.options);
    this.#costKeys = [...costs.read].sort();
    this.#options = options;
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
  /** The mechanism's summary, its options and the cost keys it read. */
  describe(): ModelDescription {
    return {
      summary: this.mechanism.describe(),
      options: { ...this.#options },
      costs: [...this.#costKeys],
    };
  }
}

/** Options every I/O model accepts. */
const COMMON_OPTIONS = {
  "io.deviceClasses": "device=class pairs overriding the name patterns (classes: other, nic, " +
    "disk, pic, apic, timer, serial, post, rtc, vga)",
};

/** Every I/O model: name, mechanism, options. */
export const IO_MODELS: ReadonlyArray<readonly [string, MechanismClass, Record<string, string>]> = [
  ["native", NativeIo, COMMON_OPTIONS],
  ["emulated", EmulatedIo, COMMON_OPTIONS],
  ["hosted", HostedIo, {
    ...COMMON_OPTIONS,
    "io.hosted.vmmPorts": "handle accesses that need no real I/O in the VMM (default false)",
    "io.hosted.sendCombining":
      "queue transmits for the next interrupt-induced switch (default false)",
    "io.hosted.combineLimit": "queued packets that force a world switch (default 3)",
    "io.hosted.combineRate":
      "host visits per million guest instructions above which transmits are combined (default 0: always)",
    "io.hosted.ratePeriod":
      "guest instructions per period of the decaying visit-rate counter (default 1000000)",
    "io.hosted.irqNotification": "no select() on interrupt-induced switches (default false)",
  }],
  ["pv", PvIo, {
    ...COMMON_OPTIONS,
    "io.pv.batch": "requests per backend notification (default 1)",
    "io.pv.coalesce": "completions per event to the guest (default 1)",
    "io.pv.notify": "hypercall | pio | mmio: how the frontend notifies (default hypercall)",
    "io.pv.copy": "whether the backend copies payloads (default true)",
  }],
  ["passthrough", PassthroughIo, {
    ...COMMON_OPTIONS,
    "io.passthrough.devices": "comma-separated assigned device names (default: network and disk)",
    "io.passthrough.iotlbEntries": "IOTLB entries (default 32)",
    "io.passthrough.iotlbWays": "IOTLB ways (default: fully associative)",
    "io.passthrough.pageSize": "I/O page size, 4096 or 2097152 (default 4096)",
    "io.passthrough.walkLevels": "I/O page-table levels for 4 KB pages (default 4)",
  }],
  ["channel", ChannelIo, COMMON_OPTIONS],
];

for (const [name, mechanism, options] of IO_MODELS) {
  registerModel("io", name, (ctx) => new IoModelAdapter(ctx, mechanism, options));
}
