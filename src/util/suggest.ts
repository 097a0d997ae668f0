/**
 * "Did you mean" hints for misspelled keys: the known key nearest in edit distance, so
 * that a typo in `--set platform.hw.vm-exti=500` names the key the user meant.
 *
 * @module
 */

/** Levenshtein distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j] + 1,
        row[j - 1] + 1,
        prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * The known key nearest to `key`, when it is close enough to be a typo (at most a third
 * of the key's length, and at least 1, edits away); ties go to the first in sorted order.
 */
export function nearestKey(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const k of [...known].sort()) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean X?)` when a near key exists, otherwise the empty string. */
export function didYouMean(key: string, known: Iterable<string>): string {
  const near = nearestKey(key, known);
  return near === undefined ? "" : ` (did you mean ${near}?)`;
}
