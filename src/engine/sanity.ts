/**
 * Configurations that run but make no sense, each with the reason: the engine replays
 * them (a user may want exactly that), and the result and stderr say why the figure
 * misleads. Checked once, before the first record, from the configuration, the platform's
 * facts and the trace header.
 *
 * @module
 */

import type { ResolvedConfig } from "./config.ts";
import type { Platform } from "./model.ts";

/** Platform fact: 1 when the profile's processor had VT-x or AMD-V, 0 when it had neither. */
export const HW_ASSIST_FACT = "cpu.hw-assist";

/** A warning: a key (recorded once per run) and its one-line message. */
export interface SanityWarning {
  /** Stable key, `config.*`. */
  key: string;
  /** Sentence-case message. */
  message: string;
}

/** The trace header fields read here (any header will do; all are optional). */
export interface SanityHeader {
  /** How the trace was recorded (`source.kind`: `lackey`, `qemu-tcg`, ...). */
  readonly source?: { readonly kind?: unknown };
}

/** The warnings `config` on `platform` earns for a trace with `header`, in a fixed order. */
export function sanityWarnings(
  config: Pick<ResolvedConfig, "cpu" | "mmu">,
  platform: Platform,
  header: SanityHeader,
): SanityWarning[] {
  const out: SanityWarning[] = [];
  if (config.cpu === "hw" && config.mmu === "native") {
    out.push({
      key: "config.hw-native-mmu",
      message:
        "--cpu hw with --mmu native: the guest's page tables run with no VMM MMU (neither shadow nor nested paging), so memory virtualization costs nothing here; choose --mmu shadow or --mmu nested",
    });
  }
  const hwAssist = config.cpu === "hw" || config.mmu === "nested";
  if (hwAssist && platform.has(HW_ASSIST_FACT) && platform.param(HW_ASSIST_FACT) === 0) {
    out.push({
      key: "config.no-hw-assist",
      message: `${
        config.cpu === "hw" ? "--cpu hw" : "--mmu nested"
      } on platform ${platform.name}, whose processor had no VT-x/AMD-V (its ${HW_ASSIST_FACT} is 0, sourced in docs/platforms.md): its hardware-assist costs are borrowed from another processor`,
    });
  }
  if (config.mmu === "shadow" && header.source?.kind === "lackey") {
    out.push({
      key: "config.shadow-user-only",
      message:
        "--mmu shadow on a user-mode-only (lackey) trace: it has no page-table writes, CR3 switches or kernel page faults, so the shadow MMU's main costs (traced writes, hidden faults, switches) cannot appear and the figure understates them",
    });
  }
  return out;
}
