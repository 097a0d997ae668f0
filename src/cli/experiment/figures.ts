/**
 * `--figures DIR`: copies each experiment's PNG out of a run's output folder into one flat
 * folder as `NAME.png`, so the README's committed figures (docs/figures/) are refreshed
 * from the latest run in one step instead of by hand.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../../util/atomic.ts";

/**
 * Copies `OUT/NAME/chart.png` to `DIR/NAME.png` for every name, atomically, creating
 * `DIR` if needed; returns the files written, in the order of `names`.
 */
export async function copyFigures(
  out: string,
  names: readonly string[],
  dir: string,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const name of names) {
    const target = join(dir, `${name}.png`);
    await writeFileAtomic(target, await Deno.readFile(join(out, name, "chart.png")));
    written.push(target);
  }
  return written;
}
