/**
 * The guest architectures the recorder boots: 64-bit x86 (Debian's `amd64` kernel,
 * 4-level paging) and 32-bit x86 with Debian's two i386 kernel flavours, `686` (32-bit
 * paging: 2 levels, as the guests of 2003 ran) and `686-pae` (PAE: 3 levels). Everything
 * that differs between them is here: QEMU's system emulator, the kernel flavour, Debian's
 * architecture name, the paging levels, gcc's flags for guest programs, the library folder
 * and the kernel's direct map, where page tables are written through.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";
import { I386_KERNEL_BASE } from "../trace/header.ts";
import { signedHex } from "./kallsyms.ts";

/** One architecture the recorder can boot. */
export interface GuestArch {
  /** The `--arch` name: `x86_64`, `i386` (686 kernel, 2-level paging) or `i386-pae`. */
  name: string;
  /** The header's `guest.arch`: `x86_64` or `i386`. */
  arch: "x86_64" | "i386";
  /** Debian's architecture of the guest's packages. */
  debianArch: "amd64" | "i386";
  /** QEMU's system emulator. */
  qemu: string;
  /** The guest's paging levels (header `guest.pagingLevels`). */
  pagingLevels: number;
  /** Large-page size of the guest's paging mode (4 MB under 32-bit paging, else 2 MB). */
  largePage: number;
  /** Whether the guest runs 64-bit code (the instruction decoder's mode). */
  mode64: boolean;
  /** The lock file's section for this architecture's kernel (`kernel`, `kernel686` ...). */
  kernelLockKey: string;
  /** The Debian folder of shared libraries (`x86_64-linux-gnu`, `i386-linux-gnu`). */
  libTriplet: string;
  /**
   * The kernel's direct map of physical memory, [lo, hi) as stored in traces: page tables are
   * written through it. x86-64: `page_offset_base` without KASLR; i386: lowmem from
   * `PAGE_OFFSET` (0xC0000000) up to the 896 MB `high_memory` limit.
   */
  directMap: [number, number];
}

const X86_64: GuestArch = {
  name: "x86_64",
  arch: "x86_64",
  debianArch: "amd64",
  qemu: "qemu-system-x86_64",
  pagingLevels: 4,
  largePage: 2 * 2 ** 20,
  mode64: true,
  kernelLockKey: "kernel",
  libTriplet: "x86_64-linux-gnu",
  directMap: [signedHex("ffff888000000000"), signedHex("ffffc88000000000")],
};

const I386_DIRECT_MAP: [number, number] = [
  I386_KERNEL_BASE - 2 ** 32,
  I386_KERNEL_BASE - 2 ** 32 + 896 * 2 ** 20,
];

const I386: GuestArch = {
  name: "i386",
  arch: "i386",
  debianArch: "i386",
  qemu: "qemu-system-i386",
  pagingLevels: 2,
  largePage: 4 * 2 ** 20,
  mode64: false,
  kernelLockKey: "kernel686",
  libTriplet: "i386-linux-gnu",
  directMap: I386_DIRECT_MAP,
};

const I386_PAE: GuestArch = {
  ...I386,
  name: "i386-pae",
  pagingLevels: 3,
  largePage: 2 * 2 ** 20,
  kernelLockKey: "kernel686pae",
};

/** The architectures by `--arch` name. */
export const GUEST_ARCHES: Readonly<Record<string, GuestArch>> = {
  "x86_64": X86_64,
  "i386": I386,
  "i386-pae": I386_PAE,
};

/** The architecture named `name` (`--arch`); an unknown name is an {@link InputError}. */
export function guestArch(name: string | undefined): GuestArch {
  const a = GUEST_ARCHES[name ?? "x86_64"];
  if (a === undefined) {
    throw new InputError(
      `--arch ${name}: not an architecture the recorder boots (${
        Object.keys(GUEST_ARCHES).join(", ")
      })`,
    );
  }
  return a;
}

/**
 * A guest-virtual address as a trace stores it: unchanged on x86-64 (the caller already
 * sign-extended it), and on i386 the 32-bit address minus 2^32 from the kernel base up
 * (docs/trace-format.md, "Addresses").
 */
export function traceAddress(arch: GuestArch, va: number): number {
  if (arch.mode64) return va;
  return va >= I386_KERNEL_BASE && va < 2 ** 32 ? va - 2 ** 32 : va;
}
