/**
 * First-appearance ordering for nominal axes: Vega-Lite sorts categories alphabetically
 * by default, but a figure must show its groups in the order the paper does, which is the
 * order the experiment lists them in.
 *
 * @module
 */

/** The distinct values of `key` over `rows`, in the order they first appear. */
export function firstAppearance<T>(rows: readonly T[], key: (row: T) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const row of rows) {
    const value = key(row);
    if (!seen.has(value)) {
      seen.add(value);
      out.push(value);
    }
  }
  return out;
}
