/**
 * A run configuration in a few words, for the summary's targets: a target means little
 * without the configuration it was scored on (issue 12).
 *
 * @module
 */

import type { RunConfig } from "./experiment.ts";

/** `bt + shadow + emulated I/O on p4-prescott, era 2006` (models, platform, era option). */
export function configLabel(config: RunConfig): string {
  const models = [config.cpu ?? "native", config.mmu ?? "native"].join(" + ") +
    ` + ${config.io ?? "native"} I/O`;
  const era = config.options?.["cpu.era"];
  return `${models}${config.platform ? ` on ${config.platform}` : ""}` +
    (era === undefined ? "" : `, era ${era}`);
}
