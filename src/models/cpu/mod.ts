/**
 * The CPU models: `native`, `trap`, `bt`, `pv`, `hw`. Importing this module registers them.
 *
 * @module
 */

export { NativeCpu } from "./native.ts";
export { TrapCpu } from "./trap.ts";
export { BtCpu } from "./bt.ts";
export { PvCpu } from "./pv.ts";
export { HwCpu } from "./hw.ts";
