/**
 * Shared by the translator's tests: a small cost table with distinct values, so a walk's
 * cycles show which references it made, and a fully spelled-out translator configuration
 * (every option named, nothing inherited from a platform) that a test overrides field by
 * field. Tests only; the models never import this module.
 *
 * @module
 */

import type { RecordingHost } from "./host.ts";
import type { TranslatorConfig } from "./translator.ts";

/** Walk costs in cycles: an L2-TLB hit, a memory reference, a PWC and a nested-TLB hit. */
export const TEST_COSTS = { l2Hit: 7, ref: 11, pwcHit: 2, ntlbHit: 2, refMiss: 0 };

/** A 4-level translator with a 64-entry TLB, no PWC, no 2-D walk and no cache, overridden by `over`. */
export function testTranslatorConfig(over: Partial<TranslatorConfig> = {}): TranslatorConfig {
  return {
    levels: 4,
    l1Entries: 64,
    l1Ways: 0,
    l2Entries: 0,
    l2Ways: 4,
    asid: false,
    asidCount: 8,
    globalKernel: true,
    largePages: "none",
    pwc: "none",
    pwcEntries: 24,
    twoD: false,
    nestedLevels: 4,
    nestedPageSize: 4096,
    ntlbEntries: 0,
    guestPages: 1,
    cacheLines: 0,
    cacheWays: 0,
    ...over,
  };
}

/** The walk references counted per level, `walk.refs.<prefix>1` up to `<prefix><levels>`. */
export function walkRefs(h: RecordingHost, prefix: string, levels = 4): number[] {
  return Array.from({ length: levels }, (_, i) => h.eventOf(`walk.refs.${prefix}${i + 1}`));
}
