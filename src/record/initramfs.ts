/**
 * Builds the guest's initramfs: busybox-static with its applet links, an init script that
 * reads the workload from the kernel command line, the recipe's static programs and
 * script, and real Debian programs with the shared libraries they load.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { InputError } from "../util/errors.ts";
import { CpioWriter } from "./cpio.ts";
import { buildC } from "./build_c.ts";
import { downloadPackage, unpackPackage } from "./debian_packages.ts";
import { run } from "./host_tools.ts";
import { commonDir, type Recipe } from "./recipe.ts";
import { GUEST_ARCHES, type GuestArch } from "./guest_arch.ts";
import { multilib } from "./multilib.ts";

/**
 * The guest's init. Reads `vmmlab.run=NAME` and `vmmlab.ksyms=only` (dump the kernel
 * symbols to the second serial port and power off) from the command line.
 */
export const INIT_SCRIPT = `#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
W=
K=
for a in $(cat /proc/cmdline); do
  case "$a" in
    vmmlab.run=*) W="\${a#vmmlab.run=}" ;;
    vmmlab.ksyms=only) K=1 ;;
    vmmlab.iterations=*) export VMMLAB_ITERATIONS="\${a#vmmlab.iterations=}" ;;
    vmmlab.vm=*) export VMMLAB_VM="\${a#vmmlab.vm=}" ;;
  esac
done
for m in $(cat /etc/vmmlab-modules 2>/dev/null); do insmod "$m"; done
if [ -n "$K" ]; then
  echo 0 > /proc/sys/kernel/kptr_restrict
  stty -F /dev/ttyS1 raw 2>/dev/null
  grep -i ' t ' /proc/kallsyms > /dev/ttyS1
  echo vmmlab-ksyms-done
  echo "vmmlab-exit 0"
  sync
  poweroff -f
fi
echo vmmlab-ready
read -r go
cd "/recipes/$W" && sh ./run.sh
echo "vmmlab-exit $?"
sync
poweroff -f
`;

function addDirs(w: CpioWriter, path: string): void {
  const parts = path.split("/").filter((p) => p !== "");
  for (let i = 1; i <= parts.length; i++) {
    const d = parts.slice(0, i).join("/");
    if (!w.has(d)) w.add({ path: d, type: "dir", perm: 0o755 });
  }
}

function addFile(w: CpioWriter, path: string, data: Uint8Array, perm: number): void {
  addDirs(w, dirname(path));
  if (!w.has(path)) w.add({ path, type: "file", perm, data });
}

/** Library folders of an unpacked package, with their soname links made (`ldconfig -n`). */
async function packageLibraryDirs(root: string, triplet: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const rel of [`lib/${triplet}`, `usr/lib/${triplet}`]) {
    const dir = join(root, rel);
    try {
      if (!Deno.statSync(dir).isDirectory) continue;
    } catch {
      continue;
    }
    // Packages ship libfoo.so.N.M only; ldconfig makes the libfoo.so.N link at install.
    await run("ldconfig", ["-n", dir]);
    dirs.push(dir);
  }
  return dirs;
}

/**
 * Shared libraries a dynamically linked program loads, via ldd, looking in the recipe's
 * unpacked library packages before the host's own folders: pairs of (host file, guest path).
 */
async function sharedLibraries(
  program: string,
  roots: string[],
  libDirs: string[],
): Promise<{ host: string; guest: string }[]> {
  let out: string;
  try {
    out = await run("ldd", [program], {
      env: libDirs.length > 0 ? { LD_LIBRARY_PATH: libDirs.join(":") } : undefined,
    });
  } catch {
    return []; // static programs make ldd fail
  }
  const libs: { host: string; guest: string }[] = [];
  for (const line of out.split("\n")) {
    if (/=>\s*not found/.test(line)) {
      throw new InputError(
        `${program} needs ${
          line.trim().split(/\s/)[0]
        }, which neither the host nor the recipe's Debian packages provide: add its package to the recipe`,
      );
    }
    const m = line.match(/=>\s*(\/\S+)/) ?? line.match(/^\s*(\/\S+)\s/);
    if (!m) continue;
    const host = m[1];
    const root = roots.find((r) => host.startsWith(`${r}/`));
    libs.push({ host, guest: root ? host.slice(root.length + 1) : host.replace(/^\/+/, "") });
  }
  return libs.sort((a, b) => a.guest < b.guest ? -1 : a.guest > b.guest ? 1 : 0);
}

/**
 * The guest paths a dynamically linked program loads, read from its ELF headers with
 * readelf (the program interpreter, then each `NEEDED` library in the Debian i386
 * multiarch folder): for programs the host cannot run.
 */
async function neededLibraries(program: string): Promise<string[]> {
  const out = await run("readelf", ["-ldW", program], { what: `readelf -ld ${program}` });
  const libs: string[] = [];
  const interp = out.match(/Requesting program interpreter: (\/\S+)\]/);
  if (interp) libs.push(interp[1].replace(/^\/+/, ""));
  for (const m of out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
    libs.push(`lib/i386-linux-gnu/${m[1]}`);
  }
  return libs;
}

/** What went into the initramfs, for the trace header. */
export interface InitramfsInfo {
  /** The archive bytes. */
  bytes: Uint8Array;
  /** Static programs built, with source hashes. */
  programs: Record<string, string>;
  /** Debian packages used, name → version. */
  debianPackages: Record<string, string>;
  /** Packages no lock entry pinned (fetched at the archive's newest version). */
  unpinned: string[];
}

/** Copies a file, folder or symlink from an unpacked package into the archive. */
function addTree(w: CpioWriter, host: string, rel: string): void {
  const st = Deno.lstatSync(host);
  if (st.isSymlink) {
    addDirs(w, dirname(rel));
    if (!w.has(rel)) {
      w.add({ path: rel, type: "symlink", perm: 0o777, data: Deno.readLinkSync(host) });
    }
  } else if (st.isDirectory) {
    addDirs(w, rel);
    const names = [...Deno.readDirSync(host)].map((e) => e.name).sort();
    for (const n of names) addTree(w, join(host, n), `${rel}/${n}`);
  } else {
    addFile(w, rel, Deno.readFileSync(host), (st.mode ?? 0o644) & 0o777);
  }
}

/** Builds the initramfs for a recipe. */
export async function buildInitramfs(
  recipe: Recipe,
  modules: { guestPath: string; hostPath: string }[] = [],
  pins: Record<string, string> = {},
  arch: GuestArch = GUEST_ARCHES.x86_64,
  hostPins: Record<string, string> = pins,
): Promise<InitramfsInfo> {
  // A 32-bit guest: the host cannot run its programs, so ldd cannot list their libraries;
  // the recipe's debian paths list them, and every library a program needs is checked to be
  // among them (neededLibraries).
  const foreign = !arch.mode64;
  const w = new CpioWriter();
  for (
    const d of ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc", "root"]
  ) {
    addDirs(w, d);
  }
  w.add({ path: "dev/console", type: "chardev", perm: 0o600, rdev: [5, 1] });
  const common = commonDir();
  const header = join(common, "vmmlab_marker.h");
  const programs: Record<string, string> = {};
  // Real Debian programs first, so they take precedence over busybox applets of the same name.
  const debianPackages: Record<string, string> = {};
  const roots: string[] = [];
  const libDirs: string[] = [];
  const unpinned: string[] = [];
  for (const spec of recipe.debian) {
    const pkg = await downloadPackage(spec.package, pins[spec.package], arch.debianArch);
    if (pins[spec.package] === undefined) unpinned.push(spec.package);
    debianPackages[spec.package] = pkg.version;
    const root = await unpackPackage(pkg);
    roots.push(root);
    libDirs.push(...await packageLibraryDirs(root, arch.libTriplet));
  }
  for (const [k, spec] of recipe.debian.entries()) {
    const root = roots[k];
    for (const p of spec.paths) {
      const rel = p.replace(/^\/+/, "").replace(/\/+$/, "");
      const host = join(root, rel);
      try {
        Deno.lstatSync(host);
      } catch {
        throw new InputError(`${recipe.name}: package ${spec.package} has no ${p}`);
      }
      addTree(w, host, rel);
      if (Deno.lstatSync(host).isFile && !foreign) {
        for (const lib of await sharedLibraries(host, roots, libDirs)) {
          addFile(w, lib.guest, Deno.readFileSync(Deno.realPathSync(lib.host)), 0o755);
        }
      }
    }
  }
  // 32-bit programs: gcc -m32 against Debian's multilib C library (multilib.ts).
  const ml = foreign ? await multilib(hostPins) : null;
  const archFlags = foreign ? ["-m32"] : [];
  const hostFlags = ml?.hostFlags ?? [];
  const vmark = await buildC(
    "guest",
    foreign ? "vmark-i386" : "vmark",
    [join(common, "vmark.c")],
    [...archFlags, "-static", "-O2", "-Wall"],
    [header],
    [],
    hostFlags,
  );
  programs.vmark = vmark.hash;
  w.add({ path: "bin/vmark", type: "file", perm: 0o755, data: Deno.readFileSync(vmark.path) });
  // The guest's busybox is the pinned busybox-static package's (the host's if none is pinned).
  let busybox = "/bin/busybox";
  // The applet list comes from running busybox --list-full; the host cannot run a 32-bit
  // one, so a foreign guest's list is that of the amd64 build of the same version.
  let lister = busybox;
  if (pins["busybox-static"] !== undefined) {
    const pkg = await downloadPackage("busybox-static", pins["busybox-static"], arch.debianArch);
    debianPackages["busybox-static"] = pkg.version;
    busybox = join(await unpackPackage(pkg), "bin", "busybox");
    lister = busybox;
    if (foreign) {
      const host = await downloadPackage("busybox-static", pkg.version);
      lister = join(await unpackPackage(host), "bin", "busybox");
    }
  } else if (foreign) {
    throw new InputError(`A ${arch.name} guest needs busybox-static pinned for ${arch.debianArch}`);
  } else {
    unpinned.push("busybox-static (the host's /bin/busybox)");
  }
  if (ml) Object.assign(debianPackages, ml.packages);
  w.add({
    path: "bin/busybox",
    type: "file",
    perm: 0o755,
    data: Deno.readFileSync(busybox),
  });
  const applets = (await run(lister, ["--list-full"])).split("\n").filter((l) => l !== "")
    .sort();
  for (const a of applets) {
    if (a === "bin/busybox" || w.has(a)) continue;
    addDirs(w, dirname(a));
    const depth = a.split("/").length - 1;
    w.add({ path: a, type: "symlink", perm: 0o777, data: `${"../".repeat(depth)}bin/busybox` });
  }
  w.add({ path: "init", type: "file", perm: 0o755, data: INIT_SCRIPT });
  w.add({ path: "etc/passwd", type: "file", perm: 0o644, data: "root:x:0:0:root:/root:/bin/sh\n" });
  w.add({ path: "etc/group", type: "file", perm: 0o644, data: "root:x:0:\n" });
  const base = `recipes/${recipe.name}`;
  addDirs(w, base);
  for (const [name, srcs] of Object.entries(recipe.programs).sort(([a], [b]) => a < b ? -1 : 1)) {
    const built = await buildC(
      "guest",
      `${recipe.name}-${name}${foreign ? `-${arch.debianArch}` : ""}`,
      srcs.map((s) => join(recipe.dir, s)),
      [...archFlags, ...(recipe.link === "dynamic" ? [] : ["-static"]), "-O2", "-Wall"],
      [header],
      [common],
      hostFlags,
    );
    programs[name] = built.hash;
    w.add({
      path: `${base}/${name}`,
      type: "file",
      perm: 0o755,
      data: Deno.readFileSync(built.path),
    });
    if (recipe.link === "dynamic" && foreign) {
      for (const lib of await neededLibraries(built.path)) {
        if (!w.has(lib)) {
          throw new InputError(
            `${recipe.name}: ${name} needs /${lib}, which the recipe's debian paths do not provide (a ${arch.name} guest's libraries are listed, not found with ldd)`,
          );
        }
      }
    } else if (recipe.link === "dynamic") {
      // The recipe's Debian packages (libc6) were added first, so theirs win over the host's.
      for (const lib of await sharedLibraries(built.path, roots, libDirs)) {
        addFile(w, lib.guest, Deno.readFileSync(Deno.realPathSync(lib.host)), 0o755);
      }
    }
  }
  for (const entry of [...Deno.readDirSync(recipe.dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (entry.name === "recipe.json") continue;
    const isSource = entry.isFile && entry.name.endsWith(".c") &&
      Object.values(recipe.programs).some((srcs) => srcs.includes(entry.name));
    if (isSource) continue;
    addTree(w, join(recipe.dir, entry.name), `${base}/${entry.name}`);
  }
  if (modules.length > 0) {
    for (const m of modules) addFile(w, m.guestPath, Deno.readFileSync(m.hostPath), 0o644);
    w.add({
      path: "etc/vmmlab-modules",
      type: "file",
      perm: 0o644,
      data: modules.map((m) => `/${m.guestPath}`).join("\n") + "\n",
    });
  }
  return { bytes: w.finish(), programs, debianPackages, unpinned };
}
