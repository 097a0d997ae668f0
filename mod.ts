/**
 * vmmlab: a deterministic, trace-driven laboratory for virtual machine monitors.
 *
 * The library surface: the `.vmt` trace format (reader, writer, record vocabulary), the
 * replay engine with the model interface and registry, the built-in models, the platform
 * profiles and the synthetic nanobenchmark recipes.
 *
 * @module
 */

export * from "./src/trace/mod.ts";
export * from "./src/engine/mod.ts";
export * from "./src/platforms/mod.ts";
export * from "./src/synth/mod.ts";
export * from "./src/models/memory/hierarchy.ts";
export * from "./src/models/memory/line_cache.ts";
export { ConfigError, InputError, UsageError } from "./src/util/errors.ts";
export * from "./src/host/mod.ts";
