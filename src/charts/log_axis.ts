/**
 * Axis ticks for log scales: one tick per power of ten over the data, instead of vega's
 * default of a tick (and grid line) at every 2..9 multiple, which turns a figure spanning
 * five decades into a grey band.
 *
 * @module
 */

/** Powers of ten from just below the smallest to just above the largest positive value. */
export function decadeTicks(values: readonly number[]): number[] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1, 10];
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))));
  const ticks: number[] = [];
  for (let e = low; e <= high; e++) ticks.push(Number(`1e${e}`));
  return ticks;
}
