/**
 * The MMU models (`native`, `shadow`, `pv-direct`, `nested`) and the mechanisms they are
 * built from. Importing this module registers the four models.
 *
 * @module
 */

export * from "./assoc_cache.ts";
export * from "./geometry.ts";
export * from "./host.ts";
export * from "./translator.ts";
export * from "./options.ts";
export * from "./native.ts";
export * from "./shadow.ts";
export * from "./pv_direct.ts";
