/**
 * Counted nouns in CLI messages ("1 chunk", "2 chunks"), so a one-chunk trace or a
 * one-worker run does not read as a typo.
 *
 * @module
 */

/** `n` followed by `noun`, with an "s" unless `n` is 1. */
export function counted(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : `${noun}s`}`;
}
