/**
 * Cost classes of sensitive instructions. A `Sensitive` record's class is its
 * `SensitiveOp`, except that control-register accesses are split by register (a CR8
 * write is a cheap TPR update, a CR3 write an address-space switch), so that each class
 * can have its own cost in a platform profile (`native.sensitive.cr8-write`).
 *
 * @module
 */

import { sensitiveName, SensitiveOp } from "../../trace/record.ts";

/** First class of CR reads (`CR_READ_BASE + register`). */
export const CR_READ_BASE = 64;
/** First class of CR writes (`CR_WRITE_BASE + register`). */
export const CR_WRITE_BASE = 80;
/** Size of a per-class cost table: the CR write classes of all 16 control registers come last. */
export const CLASS_COUNT: number = CR_WRITE_BASE + 16;

/** The cost class of a sensitive record (op, and register for CR accesses). */
export function sensitiveClass(op: number, reg: number): number {
  if (op === SensitiveOp.CrWrite) return CR_WRITE_BASE + (reg & 15);
  if (op === SensitiveOp.CrRead) return CR_READ_BASE + (reg & 15);
  return op < CR_READ_BASE ? op : 0;
}

/** The stable name of a class (`cli`, `cr3-write`, `cr0-read`); used in cost keys and events. */
export function className(cls: number): string {
  if (cls >= CR_WRITE_BASE) return `cr${cls - CR_WRITE_BASE}-write`;
  if (cls >= CR_READ_BASE) return `cr${cls - CR_READ_BASE}-read`;
  return sensitiveName(cls);
}

/**
 * Every class an option can name (`cli`, `cr3-write`), by name: the op classes up to
 * PAUSE and the CR classes (the unused numbers between them have no name). Models that
 * take a list of classes as an option resolve it with this map.
 */
export function classByName(): Map<string, number> {
  const m = new Map<string, number>();
  for (let c = 0; c < CLASS_COUNT; c++) {
    if (c > SensitiveOp.Pause && c < CR_READ_BASE) continue;
    m.set(className(c), c);
  }
  return m;
}

/** Whether a class is port I/O (charged by the I/O model, not the CPU model). */
export function isIoClass(cls: number): boolean {
  return cls === SensitiveOp.In || cls === SensitiveOp.Out || cls === SensitiveOp.Ins ||
    cls === SensitiveOp.Outs;
}

/**
 * Fills a per-class table from the platform: for each class, the first key present among
 * `${prefix}.${className}` and then `${prefix}`. Returns NaN for a class when neither
 * exists and `required` is false.
 */
export function classTable(
  lookup: { has(key: string): boolean; cost(key: string): number },
  prefix: string,
  fallbackKey: string | null,
): Float64Array {
  const t = new Float64Array(CLASS_COUNT);
  const fallback = fallbackKey === null ? NaN : lookup.cost(fallbackKey);
  for (let c = 0; c < CLASS_COUNT; c++) {
    const key = `${prefix}.${className(c)}`;
    t[c] = lookup.has(key) ? lookup.cost(key) : fallback;
  }
  return t;
}
