/**
 * vmmlab: a deterministic, trace-driven laboratory for virtual machine monitors.
 *
 * The library surface: the `.vmt` trace format (reader, writer, record vocabulary).
 *
 * @module
 */

export * from "./src/trace/mod.ts";
export { ConfigError, InputError, UsageError } from "./src/util/errors.ts";
