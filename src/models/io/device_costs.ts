/**
 * Per-device cost tables: a profile gives a cost per device class (`io.emulate.nic`) with a
 * class-independent default (`io.emulate.default`); the models resolve these once per
 * device of the trace so the hot path is one typed-array read.
 *
 * @module
 */

import { DEVICE_CLASSES } from "./device_class.ts";
import type { IoCostSource } from "./env.ts";

/** The cost of `prefix.<class>`, or of `prefix.default` when the profile has no class entry. */
export function classCost(costs: IoCostSource, prefix: string, cls: number): number {
  const key = `${prefix}.${DEVICE_CLASSES[cls]}`;
  return costs.has(key) ? costs.cycles(key) : costs.cycles(`${prefix}.default`);
}

/**
 * The cost of `prefix.<class>` for each device slot of a class table made by
 * `deviceClasses` (the trailing slot included); only the keys the trace's devices need are
 * read, so a profile need not define classes a trace never uses. Slots where `mask` is 0
 * are left at 0 and their keys are not read.
 */
export function perDeviceCosts(
  costs: IoCostSource,
  prefix: string,
  classes: Uint8Array,
  mask?: Uint8Array,
): Float64Array {
  const out = new Float64Array(classes.length);
  const byClass = new Map<number, number>();
  for (let i = 0; i < classes.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    let c = byClass.get(classes[i]);
    if (c === undefined) {
      c = classCost(costs, prefix, classes[i]);
      byClass.set(classes[i], c);
    }
    out[i] = c;
  }
  return out;
}

/** The device slot of a record's device index: out-of-table indexes share the trailing `other` slot. */
export function deviceSlot(device: number, classes: Uint8Array): number {
  const last = classes.length - 1;
  return device >= 0 && device < last ? device : last;
}

/** Native device latencies per device slot, for port and for MMIO accesses. */
export interface NativeLatencies {
  /** Cycles of a port access, by device slot. */
  pio: Float64Array;
  /** Cycles of an MMIO access, by device slot. */
  mmio: Float64Array;
}

/**
 * The device latency of each device slot (where `mask` is 1, or all): `io.native.<class>`
 * when the profile distinguishes the class (an off-chip port such as the POST port is far
 * slower than the on-chip local APIC), else `io.native.pio` or `io.native.mmio` by the
 * kind of access.
 */
export function nativeLatencies(
  costs: IoCostSource,
  classes: Uint8Array,
  mask?: Uint8Array,
): NativeLatencies {
  const pio = new Float64Array(classes.length);
  const mmio = new Float64Array(classes.length);
  for (let i = 0; i < classes.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const key = `io.native.${DEVICE_CLASSES[classes[i]]}`;
    if (costs.has(key)) {
      pio[i] = mmio[i] = costs.cycles(key);
    } else {
      pio[i] = costs.cycles("io.native.pio");
      mmio[i] = costs.cycles("io.native.mmio");
    }
  }
  return { pio, mmio };
}
