/**
 * Device classes: the trace header names devices ("pcnet", "i8259", "e1000-mmio", ...) and
 * the cost of emulating or reaching a device depends on what kind of device it is, so the
 * I/O models map each name to a class once and then look costs up by class.
 *
 * @module
 */

import { ConfigError } from "../../util/errors.ts";

/** The device classes whose costs a platform profile may give separately. */
export const DEVICE_CLASSES = [
  "other",
  "nic",
  "disk",
  "pic",
  "apic",
  "timer",
  "serial",
  "post",
  "rtc",
  "vga",
] as const;

/** A device class name. */
export type DeviceClassName = typeof DEVICE_CLASSES[number];

/** Class ids, indexes into {@link DEVICE_CLASSES}. */
export const DeviceClass = {
  Other: 0,
  Nic: 1,
  Disk: 2,
  Pic: 3,
  Apic: 4,
  Timer: 5,
  Serial: 6,
  Post: 7,
  Rtc: 8,
  Vga: 9,
} as const;

/**
 * Name patterns, tried in order (the APIC before the PIC, whose name it contains). They
 * cover the names QEMU gives its memory regions and the names synthetic recipes use.
 */
const PATTERNS: ReadonlyArray<readonly [RegExp, number]> = [
  [/apic/, DeviceClass.Apic],
  [/i8259|\bpic\b|^pic|pic$/, DeviceClass.Pic],
  [/lance|pcnet|e1000|ne2k|ne2000|rtl8139|virtio-net|vmxnet|eth|nic|net/, DeviceClass.Nic],
  [/ide|\bata|bmdma|ahci|sata|scsi|nvme|virtio-blk|disk|blk|fdc|floppy/, DeviceClass.Disk],
  [/pit|i8254|hpet|timer|pm-tmr|acpi-pm/, DeviceClass.Timer],
  [/serial|uart|16550|\bcom\d/, DeviceClass.Serial],
  [/port80|port-80|port 80|post|debug|diag/, DeviceClass.Post],
  [/rtc|cmos|mc146818/, DeviceClass.Rtc],
  [/vga|cirrus|svga|display/, DeviceClass.Vga],
];

/** The class of a device name by its patterns; unknown names are `other`. */
export function classifyDevice(name: string): number {
  const n = name.toLowerCase();
  for (const [re, cls] of PATTERNS) if (re.test(n)) return cls;
  return DeviceClass.Other;
}

/**
 * The class of every device in a trace's device table, plus one trailing slot (index
 * `devices.length`) of class `other` that records with an out-of-table device index use.
 * `overrides` maps device names to class names for devices the patterns get wrong.
 */
export function deviceClasses(
  devices: readonly string[],
  overrides: Readonly<Record<string, string>> = {},
): Uint8Array {
  const out = new Uint8Array(devices.length + 1);
  for (let i = 0; i < devices.length; i++) {
    const o = overrides[devices[i]];
    if (o !== undefined) {
      const cls = (DEVICE_CLASSES as readonly string[]).indexOf(o);
      if (cls < 0) {
        throw new ConfigError(
          "io model options",
          `unknown device class ${JSON.stringify(o)} for device ${JSON.stringify(devices[i])}` +
            ` (known: ${DEVICE_CLASSES.join(", ")})`,
          "io.deviceClasses",
        );
      }
      out[i] = cls;
    } else {
      out[i] = classifyDevice(devices[i]);
    }
  }
  out[devices.length] = DeviceClass.Other;
  return out;
}

/** Whether a device of this class carries bulk data (the devices split drivers and channels serve). */
export function isDataDevice(cls: number): boolean {
  return cls === DeviceClass.Nic || cls === DeviceClass.Disk;
}
