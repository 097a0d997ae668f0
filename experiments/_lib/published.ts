/**
 * Reading the published numbers: `../shared/reference/published.json`, found relative to
 * the repository root at run time (the file is shared between checkouts, not copied), and
 * looked up by key path so that a typo in an experiment names the missing key.
 *
 * @module
 */

import { InputError } from "../../src/util/errors.ts";
import type { JsonValue, Published } from "./experiment.ts";

/** Path of published.json relative to the repository root. */
export const PUBLISHED_RELATIVE_PATH = "../shared/reference/published.json";

/** Reads and parses published.json; a missing or malformed file is an {@link InputError}. */
export async function loadPublished(path: string): Promise<Published> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(
        `Published values not found: ${path} (expected ../shared/reference/published.json beside the repository)`,
      );
    }
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`${path}: expected a JSON object of papers`);
  }
  return parsed as Published;
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
