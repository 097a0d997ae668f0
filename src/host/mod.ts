/**
 * The host simulation: many VMs on one machine, scheduled on physical CPUs, sharing
 * memory and I/O devices (docs/host.md).
 *
 * @module
 */

export * from "./description.ts";
export * from "./scheduler.ts";
export * from "./schedulers/mod.ts";
export {
  FREE_THRESHOLDS,
  type ManagedVm,
  MemoryManager,
  MemoryState,
  type VmMemory,
} from "./memory_manager.ts";
export { SharedDevice } from "./devices.ts";
export { loadPageSummary, PageSummary, SummaryClock } from "./page_summary.ts";
export { loadContents, shareContents, type SharingFigures, type VmContents } from "./contents.ts";
export { simulateHost, type SimulateOptions, WORLD_SWITCH_KEY } from "./simulate.ts";
export * from "./result.ts";
