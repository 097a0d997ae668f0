/**
 * Canonical JSON and content names for jobs: two runs that ask for the same trace under
 * the same configuration must get the same key whatever order the experiment wrote the
 * fields in, so that identical replays are done once and named the same in every shard.
 *
 * @module
 */

/** JSON text with object keys sorted at every depth and `undefined` fields left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) out[key] = sortKeys(field);
    }
    return out;
  }
  return value;
}

/** A deep copy of `value` without any field named `host`: what golden and merge comparisons see. */
export function withoutHost(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutHost);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      if (key !== "host") out[key] = withoutHost(field);
    }
    return out;
  }
  return value;
}

/** First 16 hex digits of the SHA-256 of `text`: a short, stable file name for a job. */
export async function shortHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).subarray(0, 8), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * The identity of a run's results: the short hash of every job's result (without `host`)
 * in plan order. Two runs with the same results, however sharded, have the same identity;
 * the summary, the report and manifest.json all carry it, so a reader can tell which run a
 * folder's files come from.
 */
export function runIdentity(
  keys: readonly string[],
  results: ReadonlyMap<string, unknown>,
): Promise<string> {
  return shortHash(canonicalJson(keys.map((key) => [key, withoutHost(results.get(key))])));
}
