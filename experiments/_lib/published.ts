/**
 * Reading the published numbers: one JSON file per paper in `experiments/published/`
 * (part of the repository, so a lone clone has them), each with the paper's full
 * reference, its venue and pages, and a citation for every table of values (which
 * figure, table or passage it was read from). Values are looked up by key path so that a
 * typo in an experiment names the missing key.
 *
 * @module
 */

import { join } from "node:path";
import { InputError } from "../../src/util/errors.ts";
import type { JsonValue, Published } from "./experiment.ts";

/** Folder of the per-paper files, relative to the repository root. */
export const PUBLISHED_RELATIVE_PATH = "experiments/published";

/** Largest per-paper file read (the five papers' files are 1-4 KB each). */
const MAX_PAPER_FILE_BYTES = 1 << 20;

/** Keys of a paper file that describe the paper rather than hold values. */
const DESCRIPTIVE_KEYS = new Set(["paper", "venue", "citations"]);

/**
 * Reads every `*.json` in `dir` (in name order) into papers keyed by file name without
 * `.json`. Each file must name its paper and venue and cite every table it holds; a
 * missing folder, a malformed file or an uncited table is an {@link InputError}.
 */
export async function loadPublished(dir: string): Promise<Published> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      throw new InputError(`Published values not found: ${dir} is not a folder`);
    }
    throw e;
  }
  if (names.length === 0) {
    throw new InputError(`Published values not found: no .json file in ${dir}`);
  }
  names.sort();
  const papers: { [paper: string]: JsonValue } = {};
  for (const name of names) {
    const path = join(dir, name);
    papers[name.slice(0, -".json".length)] = await readPaper(path);
  }
  return papers;
}

async function readPaper(path: string): Promise<JsonValue> {
  const info = await Deno.stat(path);
  if (info.size > MAX_PAPER_FILE_BYTES) {
    throw new InputError(`${path}: ${info.size} bytes, larger than ${MAX_PAPER_FILE_BYTES}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`${path}: expected a JSON object describing one paper`);
  }
  const paper = parsed as { readonly [key: string]: JsonValue };
  for (const key of ["paper", "venue"]) {
    if (typeof paper[key] !== "string") throw new InputError(`${path}: "${key}" must be a string`);
  }
  const citations = paper["citations"];
  if (citations === null || typeof citations !== "object" || Array.isArray(citations)) {
    throw new InputError(`${path}: "citations" must be an object of table key to citation`);
  }
  for (const key of Object.keys(paper)) {
    if (DESCRIPTIVE_KEYS.has(key)) continue;
    const cite = (citations as { readonly [k: string]: JsonValue })[key];
    if (typeof cite !== "string" || cite.length === 0) {
      throw new InputError(`${path}: "${key}" has no citation in "citations"`);
    }
  }
  return paper;
}

/** The value at `keys` (object keys or array indices); throws naming the first missing key. */
export function lookup(published: Published, keys: readonly (string | number)[]): JsonValue {
  let node: JsonValue = published;
  const walked: string[] = [];
  for (const key of keys) {
    walked.push(String(key));
    let next: JsonValue | undefined;
    if (Array.isArray(node) && typeof key === "number") next = node[key];
    else if (node !== null && typeof node === "object" && !Array.isArray(node)) {
      next = (node as { readonly [k: string]: JsonValue })[String(key)];
    }
    if (next === undefined) {
      throw new InputError(`published.json: no value at ${walked.join(" > ")}`);
    }
    node = next;
  }
  return node;
}

/** The number at `keys`; throws if it is missing or not a number. */
export function publishedNumber(published: Published, keys: readonly (string | number)[]): number {
  const value = lookup(published, keys);
  if (typeof value !== "number") {
    throw new InputError(`published.json: ${keys.join(" > ")} is not a number`);
  }
  return value;
}

/**
 * A cell of a published table stored as `{columns: [...], row: [values...]}`: the value
 * of `row` in `column`, e.g. `publishedCell(p, ["adams2006", "fig4_nanobench_cycles"],
 * "syscall", "software_vmm")`.
 */
export function publishedCell(
  published: Published,
  table: readonly string[],
  row: string,
  column: string,
): number {
  const columns = lookup(published, [...table, "columns"]);
  const index = Array.isArray(columns) ? columns.indexOf(column) : -1;
  if (index < 0) {
    throw new InputError(`published.json: ${table.join(" > ")} has no column ${column}`);
  }
  return publishedNumber(published, [...table, row, index]);
}

/** The full citation of a paper (its `paper` field), or the key when there is none. */
export function paperCitation(published: Published, paper: string): string {
  const entry = published[paper];
  if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
    const text = (entry as { readonly [k: string]: JsonValue })["paper"];
    if (typeof text === "string") return text;
  }
  return paper;
}
