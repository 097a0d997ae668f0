/**
 * The built-in schedulers: importing this module registers `round-robin`,
 * `proportional-share` and `credit`.
 *
 * @module
 */

export { ROUND_ROBIN_SLICE_MS, RoundRobin } from "./round_robin.ts";
export { PROPORTIONAL_SHARE_SLICE_MS, ProportionalShare } from "./proportional_share.ts";
export { CREDIT, Credit } from "./credit.ts";
