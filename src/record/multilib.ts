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
import { cacheDir, exists, sha256Hex } from "./cache.ts";
import { downloadPackage } from "./debian_packages.ts";
import { run } from "./host_tools.ts";

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

/**
 * Fetches the multilib packages at their pinned versions and unpacks them into one folder
 * (a sysroot for the linker: `libc.so`'s linker script names `/lib32/libc.so.6` and
 * `/lib/ld-linux.so.2`, which the folder then holds); returns gcc's flags.
 */
export async function multilib(pins: Record<string, string>): Promise<Multilib> {
  const packages: Record<string, string> = {};
  const debs: string[] = [];
  for (const name of MULTILIB_PACKAGES) {
    if (pins[name] === undefined) {
      throw new InputError(
        `32-bit guest programs need ${name}, which traces/recipes/versions.lock.json does not pin`,
      );
    }
    const pkg = await downloadPackage(name, pins[name]);
    packages[name] = pkg.version;
    debs.push(pkg.deb);
  }
  const root = cacheDir("multilib", (await sha256Hex(JSON.stringify(packages))).slice(0, 16));
  const stamp = join(root, ".unpacked");
  if (!exists(stamp)) {
    for (const deb of debs) {
      await run("dpkg-deb", ["-x", deb, root], { what: `dpkg-deb -x ${deb}` });
    }
    // The 32-bit loader's path in libc.so's script: libc6-i386 links it to /lib32's by an
    // absolute path, which would leave the sysroot; a relative link stays inside.
    Deno.mkdirSync(join(root, "lib"), { recursive: true });
    const link = join(root, "lib", "ld-linux.so.2");
    try {
      Deno.removeSync(link);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    Deno.symlinkSync("../lib32/ld-linux.so.2", link);
    Deno.writeTextFileSync(stamp, "");
  }
  const hostFlags: string[] = [];
  for (const dir of ["usr/lib32", "usr/lib/gcc/x86_64-linux-gnu/12/32"]) {
    hostFlags.push("-B", join(root, dir), "-L", join(root, dir));
  }
  hostFlags.push(
    "-idirafter",
    join(root, "usr/include/x86_64-linux-gnu"),
    "-idirafter",
    "/usr/include/x86_64-linux-gnu",
    `-Wl,--sysroot=${root}`,
  );
  return { hostFlags, packages };
}
