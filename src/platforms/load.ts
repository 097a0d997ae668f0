/**
 * Platform profiles: the six built-in profiles (JSON data beside this module, each cost
 * with its source) and loading a user's profile file. Kept as data so that a cost can be
 * checked against its paper without reading model code.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";
import { Platform, type PlatformData } from "../engine/model.ts";
import { didYouMean } from "../util/suggest.ts";
import p4Prescott from "./p4-prescott.json" with { type: "json" };
import core2Merom from "./core2-merom.json" with { type: "json" };
import opteronBarcelona from "./opteron-barcelona.json" with { type: "json" };
import piii733 from "./piii-733.json" with { type: "json" };
import xeon2400 from "./xeon-2400.json" with { type: "json" };
import modern from "./modern.json" with { type: "json" };

/** Built-in profile data by name. */
export const BUILTIN_PLATFORMS: Readonly<Record<string, PlatformData>> = {
  "p4-prescott": p4Prescott as PlatformData,
  "core2-merom": core2Merom as PlatformData,
  "opteron-barcelona": opteronBarcelona as PlatformData,
  "piii-733": piii733 as PlatformData,
  "xeon-2400": xeon2400 as PlatformData,
  "modern": modern as PlatformData,
};

/** Names of the built-in profiles, sorted. */
export function platformNames(): string[] {
  return Object.keys(BUILTIN_PLATFORMS).sort();
}

const cache = new Map<string, Platform>();

/**
 * Largest platform file read, in bytes. A built-in profile is about 40 KB; a megabyte
 * holds several thousand entries, about as many as validate.ts allows.
 */
export const MAX_PLATFORM_FILE_BYTES = 1 << 20;

/**
 * The text of a platform file: a regular file (a FIFO, a device such as /dev/zero or a
 * folder is refused without being opened or read) of at most
 * {@link MAX_PLATFORM_FILE_BYTES}. A file that grows past the limit while being read is
 * refused too; nothing is read beyond the limit.
 */
export function readPlatformFile(path: string): string {
  const fail = (why: string) => new ConfigError(path, why);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    throw fail(`cannot read platform file (${(e as Error).message})`);
  }
  if (!info.isFile) throw fail("platform file is not a regular file");
  if (info.size > MAX_PLATFORM_FILE_BYTES) {
    throw fail(`platform file is ${info.size} bytes (at most ${MAX_PLATFORM_FILE_BYTES})`);
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    throw fail(`cannot read platform file (${(e as Error).message})`);
  }
  try {
    // Checked again on the open file: the path may have been replaced since the stat.
    if (!file.statSync().isFile) throw fail("platform file is not a regular file");
    const buf = new Uint8Array(MAX_PLATFORM_FILE_BYTES + 1);
    let have = 0;
    while (have < buf.length) {
      const n = file.readSync(buf.subarray(have));
      if (n === null) break;
      have += n;
    }
    if (have > MAX_PLATFORM_FILE_BYTES) {
      throw fail(`platform file is larger than ${MAX_PLATFORM_FILE_BYTES} bytes`);
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(buf.subarray(0, have));
    } catch {
      throw fail("platform file is not UTF-8 text");
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw fail(`cannot read platform file (${(e as Error).message})`);
  } finally {
    file.close();
  }
}

/**
 * A validated platform: a built-in name, a path to a JSON profile (anything ending in
 * `.json` or containing a slash), or profile data. Unknown names and bad files are
 * {@link ConfigError}s naming the profile.
 */
export function loadPlatform(spec: string | PlatformData): Platform {
  if (typeof spec !== "string") return new Platform(spec, `platform ${spec?.name ?? "(data)"}`);
  const hit = cache.get(spec);
  if (hit) return hit;
  let platform: Platform;
  if (Object.hasOwn(BUILTIN_PLATFORMS, spec)) {
    platform = new Platform(BUILTIN_PLATFORMS[spec], `platform ${spec}`);
  } else if (spec.endsWith(".json") || spec.includes("/")) {
    const text = readPlatformFile(spec);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(spec, `platform file is not JSON (${(e as Error).message})`);
    }
    platform = new Platform(data as PlatformData, spec);
  } else {
    throw new ConfigError(
      "--platform",
      `unknown platform "${spec}" (known: ${platformNames().join(", ")})`,
    );
  }
  cache.set(spec, platform);
  return platform;
}

/**
 * `platform` with some entries' values replaced (`--set platform.KEY=VALUE`): same name,
 * origin, units and sources; each replaced entry's source says it was set on the command
 * line. A key the profile lacks is a {@link ConfigError} naming it (with the nearest key
 * as a hint): a misspelled cost must not leave the run at the profile's value unnoticed.
 */
export function withOverrides(
  platform: Platform,
  overrides: Readonly<Record<string, number>>,
): Platform {
  const keys = Object.keys(overrides).sort();
  if (keys.length === 0) return platform;
  const entries = { ...platform.entries };
  for (const key of keys) {
    if (!platform.has(key)) {
      throw new ConfigError(
        "--set",
        `platform ${platform.name} has no entry ${key}${didYouMean(key, Object.keys(entries))}`,
        `platform.${key}`,
      );
    }
    entries[key] = {
      ...entries[key],
      value: overrides[key],
      source: `set on the command line (profile value ${platform.entries[key].value})`,
    };
  }
  return new Platform(
    {
      name: platform.name,
      description: platform.description,
      clockHz: platform.clockHz,
      entries,
    },
    platform.origin,
  );
}
