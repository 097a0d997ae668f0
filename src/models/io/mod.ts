/**
 * The I/O virtualization models. Importing this module registers `native`, `emulated`,
 * `hosted`, `pv`, `passthrough` and `channel` with the engine's registry.
 *
 * @module
 */

export * from "./register.ts";
export * from "./base.ts";
export * from "./env.ts";
export * from "./options.ts";
export * from "./device_class.ts";
export * from "./device_costs.ts";
export * from "./iotlb.ts";
export * from "./native.ts";
export * from "./emulated.ts";
export * from "./hosted.ts";
export * from "./pv.ts";
export * from "./passthrough.ts";
export * from "./channel.ts";
