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
import { run, runPipe } from "./host_tools.ts";

/** The host's Debian architecture: its packages need no private apt configuration. */
export const HOST_DEBIAN_ARCH = "amd64";

/**
 * apt-get and apt-cache options that make apt see the archive's package lists of another
 * architecture (`i386`) without touching the host's configuration or needing root: the
 * host's sources (`/etc/apt/sources.list` and `sources.list.d`, with their keyrings) are
 * reused, while the package lists, the download cache and an empty dpkg status live in
 * `.cache/vmmlab/apt-ARCH/`, and `APT::Architecture(s)` name only that architecture.
 * `apt-get update` runs once with these options (when the folder has no lists yet), and
 * `apt-get download NAME=VERSION` then fetches that architecture's `.deb`. An empty list
 * for the host's own architecture (its apt configuration is used as it is).
 */
export async function aptOptions(arch: string): Promise<string[]> {
  if (arch === HOST_DEBIAN_ARCH) return [];
  const dir = cacheDir(`apt-${arch}`);
  Deno.mkdirSync(join(dir, "lists", "partial"), { recursive: true });
  Deno.mkdirSync(join(dir, "archives", "partial"), { recursive: true });
  const status = join(dir, "status");
  if (!exists(status)) Deno.writeTextFileSync(status, "");
  const opts = [
    ["Dir::State::Lists", join(dir, "lists")],
    ["Dir::State::status", status],
    ["Dir::Cache", dir],
    ["Dir::Cache::pkgcache", ""],
    ["Dir::Cache::srcpkgcache", ""],
    ["APT::Architecture", arch],
    ["APT::Architectures", arch],
  ].flatMap(([k, v]) => ["-o", `${k}=${v}`]);
  const hasLists = [...Deno.readDirSync(join(dir, "lists"))].some((e) =>
    e.name.endsWith("_Packages")
  );
  if (!hasLists) {
    await run("apt-get", [...opts, "update"], {
      what: `apt-get update of the ${arch} package lists into ${dir}`,
    });
  }
  return opts;
}

/** The cache folder of one architecture's `.deb` files (`debs`, `debs-i386`). */
function debsDir(arch: string): string {
  return arch === HOST_DEBIAN_ARCH ? cacheDir("debs") : cacheDir(`debs-${arch}`);
}

/** A downloaded package. */
export interface DebianPackage {
  /** Package name. */
  name: string;
  /** Debian architecture (`amd64` unless the guest is another). */
  arch?: string;
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

/** The cached `.deb` of one exact version, or null (apt-get writes an epoch's ':' as `%3a`). */
function cachedDeb(dir: string, name: string, version: string): string | null {
  const prefix = `${name}_${version.replace(/:/g, "%3a")}_`;
  const found = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
    n.startsWith(prefix) && n.endsWith(".deb")
  ).sort();
  return found.length > 0 ? join(dir, found[0]) : null;
}

/**
 * Downloads a package into the cache (once) and returns it: exactly `version` when one is
 * given (`apt-get download NAME=VERSION`), else the newest the archive has.
 */
export async function downloadPackage(
  name: string,
  version?: string,
  arch: string = HOST_DEBIAN_ARCH,
): Promise<DebianPackage> {
  const dir = debsDir(arch);
  const apt = await aptOptions(arch);
  if (version !== undefined) {
    let deb = cachedDeb(dir, name, version);
    if (deb === null) {
      await run("apt-get", [...apt, "download", `${name}=${version}`], {
        cwd: dir,
        what:
          `apt-get download ${name}=${version} (the pinned version; run apt-get update, or pin one that apt-cache madison ${name} lists)`,
      });
      deb = cachedDeb(dir, name, version);
      if (deb === null) {
        throw new InputError(`apt-get download ${name}=${version} produced no .deb`);
      }
    }
    return { name, version, deb, arch };
  }
  const find = () =>
    [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.startsWith(`${name}_`) && n.endsWith(".deb")
    ).sort();
  let found = find();
  if (found.length === 0) {
    await run("apt-get", [...apt, "download", name], {
      cwd: dir,
      what: `apt-get download ${name} (run apt-get update if the package is unknown)`,
    });
    found = find();
    if (found.length === 0) throw new InputError(`apt-get download ${name} produced no .deb`);
  }
  const deb = join(dir, found[found.length - 1]);
  const got = (await run("dpkg-deb", ["-f", deb, "Version"])).trim();
  return { name, version: got, deb, arch };
}

/**
 * Checks, before anything is downloaded or booted, that every pinned package version is
 * in the cache or the archive's index; names every one that is not in one line.
 */
export async function checkPinnedAvailable(
  pins: Record<string, string>,
  arch: string = HOST_DEBIAN_ARCH,
): Promise<void> {
  const dir = debsDir(arch);
  const apt = await aptOptions(arch);
  const missing: string[] = [];
  for (const [name, version] of Object.entries(pins).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (cachedDeb(dir, name, version) !== null) continue;
    // apt-cache exits 0 with nothing on stdout for a version it does not know.
    const out = await new Deno.Command("apt-cache", {
      args: [...apt, "show", `${name}=${version}`],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success || !text.includes(`Version: ${version}\n`)) missing.push(`${name}=${version}`);
  }
  if (missing.length > 0) {
    throw new InputError(
      `Pinned Debian package versions the archive no longer has: ${
        missing.join(", ")
      } (apt-get download NAME=VERSION fails); the recording would differ from the one they pin. Pin versions apt-cache madison NAME lists, in traces/recipes/versions.lock.json or the recipe's versions`,
    );
  }
}

/** Unpacks a package (or only the named members, e.g. `./boot`) into a cache folder. */
export async function unpackPackage(pkg: DebianPackage, members: string[] = []): Promise<string> {
  const foreign = pkg.arch !== undefined && pkg.arch !== HOST_DEBIAN_ARCH;
  const dest = cacheDir("pkgs", `${pkg.name}_${pkg.version}${foreign ? `_${pkg.arch}` : ""}`);
  const stamp = join(dest, ".unpacked");
  if (exists(stamp)) return dest;
  if (members.length === 0) {
    await run("dpkg-deb", ["-x", pkg.deb, dest], { what: `dpkg-deb -x ${pkg.deb}` });
  } else {
    await runPipe(
      ["dpkg-deb", ["--fsys-tarfile", pkg.deb]],
      ["tar", ["-x", "-C", dest, "--", ...members]],
      `unpacking ${pkg.deb}`,
    );
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
  /** Debian architecture of the package. */
  arch: string;
  /** Kernel release, e.g. `6.1.0-56-amd64`. */
  release: string;
  /** Path of the bzImage. */
  vmlinuz: string;
  /** Path of the kernel's build configuration. */
  config: string;
}

/**
 * Obtains the guest kernel, downloaded and its `/boot` unpacked: the pinned package and
 * version, or with `VMMLAB_KERNEL_PACKAGE` set that package (`NAME` or `NAME=VERSION`;
 * `linux-image-amd64` follows the meta package to the kernel it currently depends on).
 */
export async function guestKernel(
  pinned: { package: string; version: string },
  arch: string = HOST_DEBIAN_ARCH,
): Promise<GuestKernel> {
  const env = Deno.env.get("VMMLAB_KERNEL_PACKAGE");
  let name = pinned.package;
  let version: string | undefined = pinned.version;
  if (env !== undefined) {
    [name, version] = env.includes("=") ? env.split("=", 2) : [env, undefined];
    if (name === "linux-image-amd64") name = await firstDependency(name);
  }
  const pkg = await downloadPackage(name, version, arch);
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
    arch,
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
  const pkg = await downloadPackage(kernel.pkg, kernel.version, kernel.arch);
  const base = `lib/modules/${kernel.release}`;
  const dest = cacheDir("pkgs", `${kernel.pkg}_${kernel.version}-modules`);
  // The package ships no modules.dep (depmod makes it at install): take the module list
  // from the archive and each module's dependencies from its own .modinfo section.
  const listFile = join(dest, "modules.list");
  if (!exists(listFile)) {
    const list = await runPipe(
      ["dpkg-deb", ["--fsys-tarfile", pkg.deb]],
      ["tar", ["-t"]],
      `listing ${pkg.deb}`,
    );
    Deno.writeTextFileSync(listFile, list);
  }
  const byName = new Map<string, string>();
  for (const line of Deno.readTextFileSync(listFile).split("\n")) {
    const m = line.match(new RegExp(`^\\./${base}/(kernel/\\S+\\.ko(?:\\.\\w+)?)$`));
    if (m) byName.set(moduleName(m[1]), m[1]);
  }
  const extract = async (paths: string[]) => {
    const missing = paths.filter((m) => !exists(join(dest, base, m)));
    if (missing.length === 0) return;
    await runPipe(
      ["dpkg-deb", ["--fsys-tarfile", pkg.deb]],
      ["tar", ["-x", "-C", dest, "--", ...missing.map((m) => `./${base}/${m}`)]],
      `unpacking kernel modules from ${pkg.deb}`,
    );
  };
  const deps = new Map<string, string[]>();
  let wanted = names.map((n) => {
    const path = byName.get(n.replace(/-/g, "_"));
    if (!path) throw new InputError(`Kernel ${kernel.release} has no module ${n}`);
    return path;
  });
  while (wanted.length > 0) {
    await extract(wanted);
    const next: string[] = [];
    for (const path of wanted) {
      if (deps.has(path)) continue;
      const d = moduleDepends(Deno.readFileSync(join(dest, base, path)))
        .map((n) => byName.get(n))
        .filter((p): p is string => p !== undefined); // built-in dependencies need no file
      deps.set(path, d);
      next.push(...d.filter((p) => !deps.has(p)));
    }
    wanted = [...new Set(next)];
  }
  const order: string[] = [];
  const visit = (path: string) => {
    if (order.includes(path)) return;
    for (const d of deps.get(path) ?? []) visit(d);
    order.push(path);
  };
  for (const n of names) visit(byName.get(n.replace(/-/g, "_"))!);
  return order.map((m) => ({ guestPath: `${base}/${m}`, hostPath: join(dest, base, m) }));
}

/** A module's name from its file path (`kernel/drivers/ata/ata_piix.ko` → `ata_piix`). */
export function moduleName(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.ko(\.\w+)?$/, "").replace(/-/g, "_");
}

/** The `depends=` list of an uncompressed kernel module's .modinfo strings. */
export function moduleDepends(ko: Uint8Array): string[] {
  const key = new TextEncoder().encode("\0depends=");
  outer: for (let i = 0; i + key.length <= ko.length; i++) {
    for (let k = 0; k < key.length; k++) if (ko[i + k] !== key[k]) continue outer;
    let end = i + key.length;
    while (end < ko.length && ko[end] !== 0) end++;
    const text = new TextDecoder().decode(ko.subarray(i + key.length, end));
    return text.split(",").filter((d) => d !== "").map((d) => d.replace(/-/g, "_"));
  }
  return [];
}
