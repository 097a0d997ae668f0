/**
 * Workload recipes: each folder `traces/recipes/<name>/` holds a `recipe.json`, the
 * guest script it runs (`run.sh`) and the C sources of its static programs. The recipe is
 * the reproducible definition of a committed trace: the recorder builds the guest from it
 * and nothing else. A recipe of one's own may live in any folder (`vmmlab record
 * ./my-recipe`); the format is documented in docs/recipes.md.
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { InputError } from "../util/errors.ts";
import { exists, projectRoot } from "./cache.ts";
import { checkVersionMap } from "./versions.ts";

/** Real programs taken from a Debian package. */
export interface DebianProgramSpec {
  /** Package to download and unpack. */
  package: string;
  /** Paths inside the package to copy into the guest (at the same path); libraries follow. */
  paths: string[];
}

/** A parsed `recipe.json`. */
export interface Recipe {
  /** Workload name (the folder name). */
  name: string;
  /** Folder of the recipe. */
  dir: string;
  /**
   * How the trace header names the recipe: `traces/recipes/NAME` for a committed one, the
   * folder as given on the command line for one of the user's own.
   */
  ref: string;
  /** What the workload does and why it is shaped so. */
  description: string;
  /** Programs to build: guest name → C sources (relative to the recipe folder). */
  programs: Record<string, string[]>;
  /**
   * How `programs` are linked: `static` (the default: they run with nothing beside them)
   * or `dynamic` (against the C library, which the guest then needs: list `libc6` in
   * `debian` so that the loader and libc.so.6 are Debian's pinned ones, not the host's).
   */
  link: "static" | "dynamic";
  /** Debian programs copied with their shared libraries. */
  debian: DebianProgramSpec[];
  /** Package versions this recipe pins, over the project's lock file (name → version). */
  versions: Record<string, string>;
  /**
   * The guest architecture (`--arch` overrides it): `x86_64` (the default), `i386` (Debian's
   * 686 kernel, 32-bit paging with 2 levels) or `i386-pae` (686-pae, 3 levels).
   */
  arch: string;
  /** Guest memory in MiB. */
  memoryMiB: number;
  /** `-icount shift`. */
  icountShift: number;
  /** Host-time limit for the whole run, in seconds. */
  timeoutSeconds: number;
  /** Iterations the recorded window holds (what run.sh asks for; for the manifest). */
  iterations: number;
  /** Kernel command-line additions. */
  append: string;
  /** Extra QEMU arguments (devices). */
  qemuArgs: string[];
  /** Kernel modules to load in the guest (names, e.g. `e1000`); dependencies follow. */
  modules: string[];
  /**
   * Snapshot recipes: the number of identical guests to boot and hash (0 for an ordinary
   * recording). Each guest's run.sh asks for a snapshot with `vmmlab-snapshot $VMMLAB_VM`.
   */
  vms: number;
  /** Size of a raw disk attached to the emulated IDE controller, in MiB (0 for none). */
  diskMiB: number;
  /**
   * QEMU NIC model (`pcnet`, `e1000`, `ne2k_pci`...) attached to a UDP socket on the host's
   * loopback interface, its transmitted frames captured; empty for no NIC.
   */
  nic: string;
  /**
   * A TCP peer for the guest (needs `nic`): `sink` discards what the guest sends, `source`
   * sends it an endless stream; empty for none. The NIC then sits on QEMU's user-mode
   * network, which forwards the guest's connections to 10.0.2.100:5001 to the peer the
   * recorder runs on the host's loopback, instead of on a UDP socket.
   */
  tcpPeer: "" | "sink" | "source";
  /**
   * Page-access summary interval in guest instructions (0 or absent: no summary): from
   * the guest's `vmark summary-begin` the whole run is summarised as the pages each
   * interval touched and dirtied, around the full instruction window.
   */
  summaryInterval?: number;
  /**
   * Content samples every this many summary intervals (0 or absent: none; needs a
   * summary): the plugin hashes the pages dirtied since its previous sample (every RAM
   * page at the summary's begin) and the trace lists those whose content changed, as
   * Snapshot markers and PageHash records at the interval's end.
   */
  contentEvery?: number;
}

/** The folder holding all recipes. */
export function recipesDir(): string {
  return join(projectRoot(), "traces", "recipes");
}

/** The folder of the headers and helpers every recipe may use (`vmmlab_marker.h`, `vmark`). */
export function commonDir(): string {
  return join(recipesDir(), "common");
}

/**
 * Whether a `record` argument names a recipe folder rather than a committed recipe: a
 * path (it contains a slash, or is `.`).
 */
export function isRecipePath(arg: string): boolean {
  return arg.includes("/") || arg === "." || arg === "..";
}

/** Names of every recipe, sorted. */
export function listRecipes(): string[] {
  const dir = recipesDir();
  return [...Deno.readDirSync(dir)].filter((e) =>
    e.isDirectory && exists(join(dir, e.name, "recipe.json"))
  )
    .map((e) => e.name).sort();
}

function field<T>(
  o: Record<string, unknown>,
  key: string,
  file: string,
  check: (v: unknown) => boolean,
  dflt?: T,
): T {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (!check(v)) throw new InputError(`${file}: field ${key} is missing or has the wrong type`);
  return v as T;
}

/**
 * Loads and checks one recipe: a committed recipe by name (`forkwait`), or any folder
 * holding a recipe.json by path (`./my-recipe`), whose folder name becomes the workload
 * name.
 */
export function loadRecipe(nameOrPath: string): Recipe {
  let name: string;
  let dir: string;
  if (isRecipePath(nameOrPath)) {
    dir = resolve(nameOrPath);
    name = basename(dir);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
      throw new InputError(
        `${nameOrPath}: a recipe folder's name is the workload name and may hold only letters, digits, '.', '_' and '-'`,
      );
    }
    if (!exists(join(dir, "recipe.json"))) {
      throw new InputError(`${nameOrPath}: no recipe.json in this folder (see docs/recipes.md)`);
    }
  } else {
    name = nameOrPath;
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
      throw new InputError(`Workload name ${JSON.stringify(name)} is not a recipe name`);
    }
    dir = join(recipesDir(), name);
  }
  const file = join(dir, "recipe.json");
  if (!exists(file)) {
    throw new InputError(
      `Unknown workload ${name}: no ${file} (known: ${
        listRecipes().join(", ")
      }; a recipe folder elsewhere is given as a path, e.g. ./${name})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Deno.readTextFileSync(file));
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null) throw new InputError(`${file}: not an object`);
  const o = raw as Record<string, unknown>;
  const isObj = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  const isNum = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
  const recipe: Recipe = {
    name,
    dir,
    ref: isRecipePath(nameOrPath) ? nameOrPath : `traces/recipes/${name}`,
    description: field<string>(o, "description", file, (v) => typeof v === "string"),
    programs: field<Record<string, string[]>>(o, "programs", file, isObj, {}),
    link: field<"static" | "dynamic">(
      o,
      "link",
      file,
      (v) => v === "static" || v === "dynamic",
      "static",
    ),
    debian: field<DebianProgramSpec[]>(o, "debian", file, Array.isArray, []),
    versions: o.versions === undefined ? {} : checkVersionMap(o.versions, file),
    arch: field<string>(
      o,
      "arch",
      file,
      (v) => v === "x86_64" || v === "i386" || v === "i386-pae",
      "x86_64",
    ),
    memoryMiB: field<number>(o, "memoryMiB", file, isNum, 256),
    icountShift: field<number>(o, "icountShift", file, isNum, 0),
    timeoutSeconds: field<number>(o, "timeoutSeconds", file, isNum, 600),
    iterations: field<number>(o, "iterations", file, isNum),
    append: field<string>(o, "append", file, (v) => typeof v === "string", ""),
    qemuArgs: field<string[]>(o, "qemuArgs", file, Array.isArray, []),
    modules: field<string[]>(o, "modules", file, Array.isArray, []),
    vms: field<number>(o, "vms", file, isNum, 0),
    diskMiB: field<number>(o, "diskMiB", file, isNum, 0),
    nic: field<string>(o, "nic", file, (v) => typeof v === "string" && /^[a-z0-9_-]*$/.test(v), ""),
    tcpPeer: field<"" | "sink" | "source">(
      o,
      "tcpPeer",
      file,
      (v) => v === "" || v === "sink" || v === "source",
      "",
    ),
    summaryInterval: field<number>(
      o,
      "summaryInterval",
      file,
      (v) => v === 0 || (Number.isInteger(v) && (v as number) >= 1e5 && (v as number) <= 1e12),
      0,
    ),
    contentEvery: field<number>(
      o,
      "contentEvery",
      file,
      (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 1e6,
      0,
    ),
  };
  if ((recipe.contentEvery ?? 0) > 0 && (recipe.summaryInterval ?? 0) === 0) {
    throw new InputError(`${file}: contentEvery: content samples need a summaryInterval`);
  }
  if (recipe.tcpPeer !== "" && recipe.nic === "") {
    throw new InputError(`${file}: field tcpPeer needs a nic to reach the peer through`);
  }
  if (!exists(join(dir, "run.sh"))) throw new InputError(`${dir}: no run.sh`);
  for (const [prog, srcs] of Object.entries(recipe.programs)) {
    for (const s of srcs) {
      if (!exists(join(dir, s))) throw new InputError(`${file}: programs.${prog}: no source ${s}`);
    }
  }
  return recipe;
}
