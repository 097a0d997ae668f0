/**
 * Platform profiles: the per-event costs of each modelled machine, every one with its
 * source.
 *
 * @module
 */

export { BUILTIN_PLATFORMS, loadPlatform, platformNames, withOverrides } from "./load.ts";
