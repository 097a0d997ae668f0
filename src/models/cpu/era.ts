/**
 * The guest-kernel era a run compares with. The corpus traces come from a current x86-64
 * Linux, which executes instructions the papers' kernels never ran: VERW as the MDS
 * mitigation (added to Linux in May 2019, on every return to user space) and SWAPGS (an
 * x86-64 instruction; the 2001 and 2003 papers ran IA-32 kernels). Charging them, natively
 * or under a VMM, prices work the measured systems did not do, so a run can name an era
 * (option `cpu.era`): instructions of the classes that era's kernel did not execute are
 * counted (`era.omitted.CLASS`) and charged to no model, baseline and VMM alike. The
 * default `current` charges everything. The table is documented in docs/platforms.md.
 *
 * @module
 */

import { SensitiveOp } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { declareOptions } from "../../engine/options.ts";
import { CLASS_COUNT } from "./sensitive_class.ts";

/** One era: the sensitive classes its kernel did not execute, and why. */
export interface Era {
  /** What the era stands for (the paper and its guest kernel). */
  readonly about: string;
  /** Omitted classes (`SensitiveOp` codes) with the reason for each. */
  readonly omitted: readonly { readonly op: number; readonly why: string }[];
}

const VERW_WHY =
  "VERW as a CPU-buffer flush (MDS mitigation) entered Linux in May 2019 (5.2, backported to 4.19 and 4.14); earlier kernels did not execute it on kernel exit";
const SWAPGS_WHY =
  "SWAPGS exists only in 64-bit mode; the paper's guest ran an IA-32 kernel, which reaches per-CPU data without it";

/** The eras by name (option `cpu.era`). */
export const ERAS: Readonly<Record<string, Era>> = {
  current: { about: "the traces' own kernel: every instruction is charged", omitted: [] },
  "2001": {
    about: "Sugerman et al. 2001: Linux 2.2 on an IA-32 Pentium III",
    omitted: [{ op: SensitiveOp.Swapgs, why: SWAPGS_WHY }, { op: SensitiveOp.Verw, why: VERW_WHY }],
  },
  "2003": {
    about: "Barham et al. 2003 (and Waldspurger 2002): Linux 2.4 on IA-32",
    omitted: [{ op: SensitiveOp.Swapgs, why: SWAPGS_WHY }, { op: SensitiveOp.Verw, why: VERW_WHY }],
  },
  "2006": {
    about:
      "Adams & Agesen 2006: Linux 2.6 guests on an EM64T Pentium 4; the paper does not give the guests' word size, so SWAPGS is kept",
    omitted: [{ op: SensitiveOp.Verw, why: VERW_WHY }],
  },
  "2008": {
    about: "Bhargava et al. 2008: x86-64 Linux on AMD Barcelona",
    omitted: [{ op: SensitiveOp.Verw, why: VERW_WHY }],
  },
};

/** Names of the eras, in table order. */
export const ERA_NAMES: readonly string[] = Object.keys(ERAS);

/**
 * Option `era`, declared by every CPU model (the sensitive-instruction stream it prices is
 * what the era filters); the engine reads it once and withholds the omitted classes from
 * both sets.
 */
export const ERA_OPTIONS = declareOptions({
  "cpu.era": {
    type: "enum",
    values: ERA_NAMES,
    default: "current",
    doc:
      "guest-kernel era compared with: its kernel's unexecuted sensitive classes are counted (era.omitted.CLASS) and charged to no model",
  },
});

/**
 * Per-class flags (1 = omitted) of the era named by option value `value` (undefined: the
 * current era). An unknown name is a {@link ConfigError} listing the known ones.
 */
export function eraOmissions(value: number | string | boolean | undefined): Uint8Array {
  const t = new Uint8Array(CLASS_COUNT);
  if (value === undefined) return t;
  const name = String(value);
  if (!Object.hasOwn(ERAS, name)) {
    throw new ConfigError(
      "--option",
      `unknown era "${name}" (known: ${ERA_NAMES.join(", ")})`,
      "cpu.era",
    );
  }
  for (const { op } of ERAS[name].omitted) t[op] = 1;
  return t;
}
