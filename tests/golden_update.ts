/**
 * Golden results: the plan of which trace is pinned under which standard configuration
 * (tests/golden/configs.json), replaying that plan on the real engine, the canonical text
 * of a golden file, and a field-by-field diff. `tests/golden_test.ts` compares against the
 * committed files; run as a script (`deno task golden:update`) this module rewrites them.
 *
 * Golden files change only in a commit whose message says why: they are the record of
 * every number the engine produces, so an unexplained change is a regression.
 *
 * @module
 */

import { basename, join } from "node:path";
import "../src/engine/builtins.ts";
import { type Family, hasModel } from "../src/engine/model.ts";
import type { Result } from "../src/engine/result.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import { canonicalJson } from "../src/cli/experiment/canonical.ts";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { DEFAULT_ENGINE_URL } from "../src/cli/experiment/engine.ts";
import type { Job } from "../src/cli/experiment/jobs.ts";
import { runJobs } from "../src/cli/experiment/pool.ts";
import type { RunConfig, SynthParams, TraceSource } from "../experiments/_lib/experiment.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { listFilesUnder, readOrNull } from "./golden_files.ts";
import { ConfigError, InputError } from "../src/util/errors.ts";

/** The golden folder, relative to the repository root. */
export const GOLDEN_DIR = "tests/golden";

/** The configuration list, relative to the repository root. */
export const CONFIGS_FILE = `${GOLDEN_DIR}/configs.json`;

/** The command that rewrites the golden files, quoted in every failure message. */
export const UPDATE_COMMAND = "deno task golden:update";

/** The reminder printed with every golden failure. */
export const UPDATE_HINT =
  `If the change is intended, run \`${UPDATE_COMMAND}\` and commit the golden files ` +
  "in a commit whose message says why they changed.";

/** Files in the golden folder that are not golden results. */
const NOT_GOLDEN = new Set([CONFIGS_FILE, `${GOLDEN_DIR}/README.md`]);

/** Folder-name prefix of synthetic recipes, so `synth-syscall` cannot clash with a trace. */
const SYNTH_PREFIX = "synth-";

/** A standard configuration: every field explicit, so engine defaults cannot shift it. */
export interface GoldenConfig {
  /** CPU model. */
  cpu: string;
  /** MMU model. */
  mmu: string;
  /** Memory model. */
  memory: string;
  /** I/O model. */
  io: string;
  /** Platform profile name. */
  platform: string;
  /** Seed of every random choice. */
  seed: number;
  /** Model options by dotted key (optional). */
  options?: Record<string, number | string | boolean>;
}

/** tests/golden/configs.json, validated. */
export interface GoldenConfigs {
  /** Standard configurations by name. */
  configs: Record<string, GoldenConfig>;
  /** Trace files beyond traces/ that are pinned too (repository-relative). */
  extraTraces: string[];
  /** Configuration names every trace is replayed under. */
  traceConfigs: string[];
  /** Synthetic recipes pinned in memory. */
  recipes: string[];
  /** Recipe parameters. */
  synthParams: SynthParams;
  /** Configuration names every recipe is replayed under. */
  synthConfigs: string[];
}

/** One golden file: which trace under which configuration. */
export interface GoldenEntry {
  /** Repository-relative path of the golden file. */
  file: string;
  /** The trace replayed. */
  trace: TraceSource;
  /** Name of the standard configuration. */
  configName: string;
  /** The configuration itself. */
  config: GoldenConfig;
}

const CONFIG_FIELDS = ["cpu", "mmu", "memory", "io", "platform", "seed"] as const;
const NAME = /^[a-z0-9][a-z0-9-]*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === "")) {
    throw new ConfigError(CONFIGS_FILE, "must be a list of non-empty strings", field);
  }
  if (new Set(value).size !== value.length) {
    throw new ConfigError(CONFIGS_FILE, "lists a name twice", field);
  }
  return value as string[];
}

function checkConfig(name: string, value: unknown): GoldenConfig {
  const field = `configs.${name}`;
  if (!NAME.test(name)) {
    throw new ConfigError(CONFIGS_FILE, "must be lower-case letters, digits and dashes", field);
  }
  if (!isRecord(value)) throw new ConfigError(CONFIGS_FILE, "must be an object", field);
  for (const key of Object.keys(value)) {
    if (!(CONFIG_FIELDS as readonly string[]).includes(key) && key !== "options") {
      throw new ConfigError(CONFIGS_FILE, "is not a configuration field", `${field}.${key}`);
    }
  }
  for (const family of ["cpu", "mmu", "memory", "io"] as const satisfies readonly Family[]) {
    const model = value[family];
    if (typeof model !== "string" || !hasModel(family, model)) {
      throw new ConfigError(CONFIGS_FILE, `${String(model)} is not a ${family} model`, field);
    }
  }
  if (typeof value.platform !== "string") {
    throw new ConfigError(CONFIGS_FILE, "must name a platform profile", `${field}.platform`);
  }
  loadPlatform(value.platform);
  if (!Number.isSafeInteger(value.seed) || (value.seed as number) < 0) {
    throw new ConfigError(
      CONFIGS_FILE,
      "must be an explicit non-negative integer",
      `${field}.seed`,
    );
  }
  if (value.options !== undefined && !isRecord(value.options)) {
    throw new ConfigError(CONFIGS_FILE, "must be an object of key=value", `${field}.options`);
  }
  return value as unknown as GoldenConfig;
}

/** Parses and validates the configuration list (model and platform names included). */
export function parseGoldenConfigs(text: string): GoldenConfigs {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(CONFIGS_FILE, `is not JSON (${(e as Error).message})`);
  }
  if (!isRecord(data) || data.schema !== "vmmlab.golden-configs/1") {
    throw new ConfigError(CONFIGS_FILE, "must be a vmmlab.golden-configs/1 object", "schema");
  }
  if (!isRecord(data.configs)) throw new ConfigError(CONFIGS_FILE, "must be an object", "configs");
  const configs: Record<string, GoldenConfig> = {};
  for (const [name, value] of Object.entries(data.configs)) {
    configs[name] = checkConfig(name, value);
  }
  const traces = isRecord(data.traces) ? data.traces : {};
  const synth = isRecord(data.synth) ? data.synth : {};
  const known = (list: string[], field: string) => {
    for (const name of list) {
      if (!Object.hasOwn(configs, name)) {
        throw new ConfigError(CONFIGS_FILE, `names no configuration "${name}"`, field);
      }
    }
    return list;
  };
  const params = synth.params ?? {};
  if (!isRecord(params) || Object.values(params).some((v) => typeof v !== "number")) {
    throw new ConfigError(CONFIGS_FILE, "must be an object of numbers", "synth.params");
  }
  return {
    configs,
    extraTraces: stringList(traces.extra ?? [], "traces.extra"),
    traceConfigs: known(stringList(traces.configs, "traces.configs"), "traces.configs"),
    recipes: stringList(synth.recipes ?? [], "synth.recipes"),
    synthParams: params as SynthParams,
    synthConfigs: known(stringList(synth.configs ?? [], "synth.configs"), "synth.configs"),
  };
}

/** Reads tests/golden/configs.json under `root`. */
export async function loadGoldenConfigs(root: string = REPO_ROOT): Promise<GoldenConfigs> {
  return parseGoldenConfigs(await Deno.readTextFile(join(root, CONFIGS_FILE)));
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The traces to pin: every file traces/MANIFEST.json lists (a listed trace whose file is
 * missing fails loudly) and the configured extras; sorted. Only the manifest counts, so a
 * user's own trace dropped into traces/ gets no golden files and breaks nothing.
 */
export async function corpusTracePaths(root: string, extra: readonly string[]): Promise<string[]> {
  const paths = new Set<string>(extra);
  const manifestPath = join(root, "traces", "MANIFEST.json");
  const manifest = JSON.parse(await Deno.readTextFile(manifestPath)) as {
    traces?: { file?: unknown }[];
  };
  for (const t of manifest.traces ?? []) {
    if (typeof t.file !== "string") {
      throw new InputError(`traces/MANIFEST.json: a trace entry has no file name`);
    }
    paths.add(`traces/${t.file}`);
  }
  return [...paths].sort(byCodePoint);
}

/** Every golden file the configuration list and the corpus call for, sorted by file. */
export async function planGolden(
  configs: GoldenConfigs,
  root: string = REPO_ROOT,
): Promise<GoldenEntry[]> {
  const entries: GoldenEntry[] = [];
  const folders = new Map<string, string>();
  const claim = (folder: string, what: string) => {
    const other = folders.get(folder);
    if (other !== undefined) {
      throw new InputError(`${GOLDEN_DIR}/${folder}: both ${other} and ${what} map to this folder`);
    }
    folders.set(folder, what);
  };
  for (const path of await corpusTracePaths(root, configs.extraTraces)) {
    const folder = basename(path).replace(/\.vmt$/, "");
    claim(folder, path);
    for (const name of configs.traceConfigs) {
      entries.push({
        file: `${GOLDEN_DIR}/${folder}/${name}.json`,
        trace: { path },
        configName: name,
        config: configs.configs[name],
      });
    }
  }
  for (const recipe of configs.recipes) {
    const folder = `${SYNTH_PREFIX}${recipe}`;
    claim(folder, `synth:${recipe}`);
    for (const name of configs.synthConfigs) {
      entries.push({
        file: `${GOLDEN_DIR}/${folder}/${name}.json`,
        trace: { synth: recipe, params: configs.synthParams },
        configName: name,
        config: configs.configs[name],
      });
    }
  }
  return entries.sort((a, b) => byCodePoint(a.file, b.file));
}

/** Every file under tests/golden except the configuration list and README, sorted. */
export async function listGoldenFiles(root: string = REPO_ROOT): Promise<string[]> {
  return (await listFilesUnder(root, GOLDEN_DIR)).filter((f) => !NOT_GOLDEN.has(f));
}

/** Golden files the plan calls for that do not exist, and existing ones it does not call for. */
export function coverage(
  planned: readonly GoldenEntry[],
  existing: readonly string[],
): { missing: GoldenEntry[]; stale: string[] } {
  const have = new Set(existing);
  const want = new Set(planned.map((e) => e.file));
  return {
    missing: planned.filter((e) => !have.has(e.file)),
    stale: existing.filter((f) => !want.has(f)),
  };
}

function sortKeysDeep(value: unknown): unknown {
  return JSON.parse(canonicalJson(value));
}

/**
 * The text of a golden file: the result without its top-level `host` section, object
 * keys sorted at every depth, two-space indentation, one trailing newline.
 */
export function goldenText(result: Result): string {
  const { host: _host, ...rest } = result;
  return `${JSON.stringify(sortKeysDeep(rest), null, 2)}\n`;
}

/** One field that differs between a golden file and a fresh result. */
export interface FieldChange {
  /** Dotted path (`events.exits.cr-write`, `warnings[2]`); "" for the whole value. */
  path: string;
  /** Golden value, or undefined when the field is new. */
  old: unknown;
  /** Fresh value, or undefined when the field is gone. */
  new: unknown;
}

function childPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

/** Every leaf that differs between `a` (golden) and `b` (fresh), in sorted-key order. */
export function diffFields(a: unknown, b: unknown, path = ""): FieldChange[] {
  const out: FieldChange[] = [];
  const walk = (x: unknown, y: unknown, at: string): void => {
    if (Array.isArray(x) && Array.isArray(y)) {
      const n = Math.max(x.length, y.length);
      for (let i = 0; i < n; i++) walk(x[i], y[i], `${at}[${i}]`);
      return;
    }
    if (isRecord(x) && isRecord(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort(byCodePoint);
      for (const k of keys) walk(x[k], y[k], childPath(at, k));
      return;
    }
    if (x === undefined && y === undefined) return;
    if (canonicalJson(x) !== canonicalJson(y)) out.push({ path: at, old: x, new: y });
  };
  walk(a, b, path);
  return out;
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}

/** Formats changes as `  path: old → new` lines, the first `limit` of them. */
export function formatChanges(changes: readonly FieldChange[], limit = 20): string[] {
  const lines = changes.slice(0, limit).map((c) =>
    `  ${c.path === "" ? "(whole file)" : c.path}: ${show(c.old)} → ${show(c.new)}`
  );
  if (changes.length > limit) lines.push(`  ... and ${changes.length - limit} more`);
  return lines;
}

/**
 * Compares a golden file's text with a fresh result; returns null when they agree byte
 * for byte, otherwise the changed fields (empty when only the formatting differs).
 */
export function compareGolden(goldenFileText: string, fresh: Result): FieldChange[] | null {
  const text = goldenText(fresh);
  if (text === goldenFileText) return null;
  let old: unknown;
  try {
    old = JSON.parse(goldenFileText);
  } catch {
    return [{ path: "", old: "(not JSON)", new: "(result)" }];
  }
  return diffFields(old, JSON.parse(text));
}

/**
 * Replays `entries` on the real engine through the experiment runner's worker pool (the
 * same path `deno task experiment` takes) and returns each file's golden text.
 */
export async function computeGolden(
  entries: readonly GoldenEntry[],
  options: { workers?: number; root?: string } = {},
): Promise<Map<string, string>> {
  const jobs: Job[] = entries.map((e) => ({
    key: canonicalJson({ trace: e.trace, config: e.config }),
    file: e.file,
    trace: e.trace,
    config: e.config as RunConfig,
    uses: [e.file],
  }));
  const texts = new Map<string, string>();
  await runJobs(jobs, {
    workers: Math.max(1, options.workers ?? navigator.hardwareConcurrency ?? 1),
    engine: DEFAULT_ENGINE_URL,
    root: options.root ?? REPO_ROOT,
    onResult: (job, result) => {
      texts.set(job.file, goldenText(result as Result));
    },
  });
  return texts;
}

async function removeEmptyFolders(dir: string, keep: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory) continue;
    const full = join(dir, entry.name);
    await removeEmptyFolders(full, keep);
    let empty = true;
    for await (const _ of Deno.readDir(full)) {
      empty = false;
      break;
    }
    if (empty && full !== keep) await Deno.remove(full);
  }
}

/** Rewrites every golden file, removes stale ones, and prints what changed; returns the count. */
export async function updateGolden(root: string = REPO_ROOT): Promise<number> {
  const configs = await loadGoldenConfigs(root);
  const planned = await planGolden(configs, root);
  const { stale } = coverage(planned, await listGoldenFiles(root));
  const started = performance.now();
  console.error(`Replaying ${planned.length} golden runs...`);
  const texts = await computeGolden(planned, { root });
  let added = 0, changed = 0, same = 0;
  for (const entry of planned) {
    const text = texts.get(entry.file)!;
    const path = join(root, entry.file);
    const before = await readOrNull(path);
    if (before === text) {
      same++;
      continue;
    }
    await writeFileAtomic(path, text);
    if (before === null) {
      added++;
      console.log(`added    ${entry.file}`);
    } else {
      changed++;
      const changes = compareGolden(before, JSON.parse(text) as Result) ?? [];
      console.log(`changed  ${entry.file} (${changes.length} fields)`);
      for (const line of formatChanges(changes, 5)) console.log(line);
    }
  }
  for (const file of stale) {
    await Deno.remove(join(root, file));
    console.log(`removed  ${file} (no trace or configuration matches it)`);
  }
  await removeEmptyFolders(join(root, GOLDEN_DIR), join(root, GOLDEN_DIR));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${planned.length} golden files: ${added} added, ${changed} changed, ${stale.length} removed, ` +
      `${same} unchanged (${seconds} s).`,
  );
  if (added + changed + stale.length > 0) {
    console.log("Commit them with a message that says why the results changed.");
  }
  return planned.length;
}

if (import.meta.main) {
  try {
    await updateGolden();
    const { updateHostGolden } = await import("./host_golden.ts");
    await updateHostGolden();
  } catch (e) {
    if (e instanceof InputError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}
