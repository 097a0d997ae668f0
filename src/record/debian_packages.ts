/**
 * Debian packages as the recorder's source of guest software: the guest kernel and real
 * user programs are downloaded with `apt-get download` and unpacked with `dpkg-deb`
 * into the cache, never installed on the host.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../util/errors.ts";
import { cacheDir, exists } from "./cache.ts";
import { run } from "./host_tools.ts";

/** A downloaded package. */
export interface DebianPackage {
  /** Package name. */
  name: string;
  /** Package version, e.g. `6.1.192-2`. */
  version: string;
  /** Path of the `.deb` in the cache. */
  deb: string;
}

/** The package a virtual or meta package depends on first (e.g. linux-image-amd64 → linux-image-6.1.0-56-amd64). */
export async function firstDependency(meta: string): Promise<string> {
  const out = await run("apt-cache", ["depends", meta], { what: `apt-cache depends ${meta}` });
  const m = out.match(/^\s*Depends:\s*(\S+)/m);
  if (!m) {
    throw new InputError(
      `apt-cache knows no dependency of ${meta}; run apt-get update first`,
    );
  }
  return m[1];
}

/** Downloads a package into the cache (once) and returns it. */
export async function downloadPackage(name: string): Promise<DebianPackage> {
  const dir = cacheDir("debs");
  const find = () =>
    [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith(`${name}_`) && n.endsWith(".deb")
    ).sort();
  let found = find();
  if (found.length === 0) {
    await run("apt-get", ["download", name], {
      cwd: dir,
      what: `apt-get download ${name} (run apt-get update if the package is unknown)`,
    });
    found = find();
    if (found.length === 0) throw new InputError(`apt-get download ${name} produced no .deb`);
  }
  const deb = join(dir, found[found.length - 1]);
  const version = (await run("dpkg-deb", ["-f", deb, "Version"])).trim();
  return { name, version, deb };
}

/** Unpacks a package (or only the named members, e.g. `./boot`) into a cache folder. */
export async function unpackPackage(pkg: DebianPackage, members: string[] = []): Promise<string> {
  const dest = cacheDir("pkgs", `${pkg.name}_${pkg.version}`);
  const stamp = join(dest, ".unpacked");
  if (exists(stamp)) return dest;
  if (members.length === 0) {
    await run("dpkg-deb", ["-x", pkg.deb, dest], { what: `dpkg-deb -x ${pkg.deb}` });
  } else {
    const quoted = members.map((m) => `'${m.replace(/'/g, "")}'`).join(" ");
    await run("sh", [
      "-c",
      `dpkg-deb --fsys-tarfile '${pkg.deb}' | tar -x -C '${dest}' ${quoted}`,
    ], { what: `unpacking ${pkg.deb}` });
  }
  Deno.writeTextFileSync(stamp, "");
  return dest;
}

/** The guest kernel: a Debian linux-image package unpacked into the cache. */
export interface GuestKernel {
  /** Package name, e.g. `linux-image-6.1.0-56-amd64`. */
  pkg: string;
  /** Package version, e.g. `6.1.192-2`. */
  version: string;
  /** Kernel release, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** Path of the bzImage. */
  vmlinuz: string;
  /** Path of the kernel's build configuration. */
  config: string;
}

/**
 * Obtains the guest kernel: `VMMLAB_KERNEL_PACKAGE` or the package `linux-image-amd64`
 * currently depends on, downloaded and its `/boot` unpacked.
 */
export async function guestKernel(): Promise<GuestKernel> {
  const name = Deno.env.get("VMMLAB_KERNEL_PACKAGE") ?? await firstDependency("linux-image-amd64");
  const pkg = await downloadPackage(name);
  const dir = await unpackPackage(pkg, ["./boot"]);
  const boot = join(dir, "boot");
  const vmlinuz = [...Deno.readDirSync(boot)].map((e) => e.name).find((n) =>
    n.startsWith("vmlinuz-")
  );
  if (!vmlinuz) throw new InputError(`${pkg.deb} has no /boot/vmlinuz-*`);
  const release = vmlinuz.slice("vmlinuz-".length);
  return {
    pkg: name,
    version: pkg.version,
    release,
    vmlinuz: join(boot, vmlinuz),
    config: join(boot, `config-${release}`),
  };
}

/**
 * Kernel modules (and the modules they depend on, from `modules.dep`) unpacked from the
 * guest kernel's package, in load order (dependencies first), for the initramfs.
 */
export async function kernelModules(
  kernel: GuestKernel,
  names: readonly string[],
): Promise<{ guestPath: string; hostPath: string }[]> {
  if (names.length === 0) return [];
  const pkg = await downloadPackage(kernel.pkg);
  const base = `lib/modules/${kernel.release}`;
  const dest = cacheDir("pkgs", `${kernel.pkg}_${kernel.version}-modules`);
  const depFile = join(dest, base, "modules.dep");
  if (!exists(depFile)) {
    await run("sh", [
      "-c",
      `dpkg-deb --fsys-tarfile '${pkg.deb}' | tar -x -C '${dest}' './${base}/modules.dep'`,
    ], { what: `unpacking modules.dep from ${pkg.deb}` });
  }
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of Deno.readTextFileSync(depFile).split("\n")) {
    const m = line.match(/^(\S+):\s*(.*)$/);
    if (!m) continue;
    deps.set(m[1], m[2].split(/\s+/).filter((d) => d !== ""));
    const name = m[1].replace(/^.*\//, "").replace(/\.ko(\.\w+)?$/, "").replace(/-/g, "_");
    byName.set(name, m[1]);
  }
  const order: string[] = [];
  const visit = (path: string) => {
    if (order.includes(path)) return;
    for (const d of deps.get(path) ?? []) visit(d);
    order.push(path);
  };
  for (const n of names) {
    const path = byName.get(n.replace(/-/g, "_"));
    if (!path) throw new InputError(`Kernel ${kernel.release} has no module ${n}`);
    visit(path);
  }
  const missing = order.filter((m) => !exists(join(dest, base, m)));
  if (missing.length > 0) {
    const list = missing.map((m) => `'./${base}/${m}'`).join(" ");
    await run("sh", ["-c", `dpkg-deb --fsys-tarfile '${pkg.deb}' | tar -x -C '${dest}' ${list}`], {
      what: `unpacking kernel modules from ${pkg.deb}`,
    });
  }
  return order.map((m) => ({ guestPath: `${base}/${m}`, hostPath: join(dest, base, m) }));
}
