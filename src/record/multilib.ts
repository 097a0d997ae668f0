/**
 * Building 32-bit guest programs with the host's gcc: `gcc -m32` needs a 32-bit C library
 * and libgcc, which a plain Debian amd64 host lacks (no gcc-multilib). The recorder fetches
 * Debian's amd64 multilib packages (`libc6-dev-i386`, `libc6-i386`, `lib32gcc-12-dev`,
 * `lib32gcc-s1`, pinned in the lock file) with `apt-get download`, unpacks them into the
 * cache and points gcc at them with `-B`/`-L` (start files and libraries) and `-idirafter`
 * (`gnu/stubs-32.h`; the host's multiarch headers are bi-arch). Nothing is installed.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../util/errors.ts";
import { downloadPackage, unpackPackage } from "./debian_packages.ts";

/** The multilib packages `gcc -m32` links against. */
export const MULTILIB_PACKAGES = [
  "libc6-dev-i386",
  "libc6-i386",
  "lib32gcc-12-dev",
  "lib32gcc-s1",
] as const;

/** gcc flags for a 32-bit build, and the packages (name → version) they came from. */
export interface Multilib {
  /** Flags naming host folders (left out of build hashes: the packages are pinned). */
  hostFlags: string[];
  /** The packages used. */
  packages: Record<string, string>;
}

/** Fetches and unpacks the multilib packages at their pinned versions; returns gcc's flags. */
export async function multilib(pins: Record<string, string>): Promise<Multilib> {
  const packages: Record<string, string> = {};
  const roots: string[] = [];
  for (const name of MULTILIB_PACKAGES) {
    if (pins[name] === undefined) {
      throw new InputError(
        `32-bit guest programs need ${name}, which traces/recipes/versions.lock.json does not pin`,
      );
    }
    const pkg = await downloadPackage(name, pins[name]);
    packages[name] = pkg.version;
    roots.push(await unpackPackage(pkg));
  }
  const hostFlags: string[] = [];
  for (const root of roots) {
    for (const dir of ["usr/lib32", "usr/lib/gcc/x86_64-linux-gnu/12/32"]) {
      hostFlags.push("-B", join(root, dir), "-L", join(root, dir));
    }
  }
  for (const root of roots) {
    hostFlags.push("-idirafter", join(root, "usr/include/x86_64-linux-gnu"));
  }
  hostFlags.push("-idirafter", "/usr/include/x86_64-linux-gnu");
  return { hostFlags, packages };
}
