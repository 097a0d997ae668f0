/**
 * The options every I/O model reads, and the type in which the mechanisms receive options
 * (a plain map, so they are testable without the engine). Each mechanism declares its own
 * options beside its code and reads them with src/engine/options.ts `readOptions`, so a bad
 * value is one `ConfigError` line naming the option, never a stack trace or a silent default.
 *
 * @module
 */

import { declareOptions, type RawOptions } from "../../engine/options.ts";

/** Model options as the engine passes them: a flat map from dotted names to values. */
export type IoOptions = RawOptions;

/** Options every I/O model accepts. */
export const COMMON_IO_OPTIONS = declareOptions({
  "io.deviceClasses": {
    type: "list",
    default: [],
    items: "device=class pairs",
    doc: "device classes overriding the name patterns (classes: other, nic, disk, pic, apic, " +
      "timer, serial, post, rtc, vga)",
  },
});
