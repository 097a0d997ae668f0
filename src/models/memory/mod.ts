/**
 * The memory models (`none`, `balloon`, `swap`, `share`) and the mechanisms they are built
 * from. Importing this module registers the four models.
 *
 * @module
 */

export * from "./page_lru.ts";
export * from "./sharing.ts";
export * from "./working_set.ts";
export * from "./idle_tax.ts";
export * from "./reclaim.ts";
export * from "./options.ts";
export * from "./none.ts";
export * from "./reclaim_models.ts";
export * from "./share.ts";
