/**
 * Pinned versions: every Debian package a recording fetches (the guest kernel, busybox,
 * the recipes' programs and libraries) has its version in `traces/recipes/versions.lock.json`,
 * or in a recipe's own `versions` field, so a re-recording on another day fetches the same
 * bytes or says exactly which versions the archive no longer has.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../util/errors.ts";
import { projectRoot } from "./cache.ts";

/** The project-wide lock file, relative to the project root. */
export const LOCK_FILE = "traces/recipes/versions.lock.json";

/** A parsed lock: the guest kernel package and every other package's version. */
export interface VersionLock {
  /** The guest kernel's Debian package and version. */
  kernel: { package: string; version: string };
  /** Package name → version. */
  packages: Record<string, string>;
  /** Pins of guests of other Debian architectures (`i386`), by architecture. */
  foreign: Record<string, ForeignLock>;
}

/** The pins of one foreign architecture's guests. */
export interface ForeignLock {
  /** The guest kernel by `--arch` name (`i386`: the 686 flavour, `i386-pae`). */
  kernels: Record<string, { package: string; version: string }>;
  /** Package name → version, in that architecture. */
  packages: Record<string, string>;
}

const isPin = (v: unknown): v is { package: string; version: string } =>
  typeof v === "object" && v !== null &&
  typeof (v as Record<string, unknown>).package === "string" &&
  typeof (v as Record<string, unknown>).version === "string";

const isVersionMap = (v: unknown): v is Record<string, string> =>
  typeof v === "object" && v !== null && !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === "string" && /^[A-Za-z0-9.+~:-]+$/.test(x));

/** Parses a lock file's text; `file` names it in errors. */
export function parseVersionLock(text: string, file: string): VersionLock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== "object" || o === null || o.schema !== "vmmlab.versions/1") {
    throw new InputError(`${file}: not a vmmlab.versions/1 lock file`);
  }
  const k = o.kernel as Record<string, unknown> | undefined;
  if (
    typeof k !== "object" || k === null || typeof k.package !== "string" ||
    typeof k.version !== "string"
  ) {
    throw new InputError(`${file}: kernel needs a package and a version`);
  }
  if (!isVersionMap(o.packages)) {
    throw new InputError(`${file}: packages must map package names to version strings`);
  }
  const foreign: Record<string, ForeignLock> = {};
  const f = o.foreign ?? {};
  if (typeof f !== "object" || f === null || Array.isArray(f)) {
    throw new InputError(`${file}: foreign must map Debian architectures to their pins`);
  }
  for (const [arch, raw] of Object.entries(f as Record<string, unknown>)) {
    const a = raw as Record<string, unknown>;
    const kernels = a?.kernels as Record<string, unknown> | undefined;
    if (
      typeof kernels !== "object" || kernels === null || !Object.values(kernels).every(isPin) ||
      !isVersionMap(a.packages)
    ) {
      throw new InputError(
        `${file}: foreign.${arch} needs kernels (name → {package, version}) and packages`,
      );
    }
    foreign[arch] = {
      kernels: kernels as Record<string, { package: string; version: string }>,
      packages: a.packages,
    };
  }
  return { kernel: { package: k.package, version: k.version }, packages: o.packages, foreign };
}

/** Loads the project's lock file. */
export function loadVersionLock(): VersionLock {
  const file = join(projectRoot(), LOCK_FILE);
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    throw new InputError(`${LOCK_FILE}: cannot read (${(e as Error).message})`);
  }
  return parseVersionLock(text, LOCK_FILE);
}

/** Checks a recipe's `versions` field (package → version). */
export function checkVersionMap(v: unknown, file: string): Record<string, string> {
  if (!isVersionMap(v)) {
    throw new InputError(`${file}: field versions must map package names to version strings`);
  }
  return v;
}
