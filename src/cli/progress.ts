/**
 * Progress on long work: a bar on a terminal, a few plain lines otherwise (CI logs),
 * always on stderr so that stdout stays clean for JSON.
 *
 * @module
 */

import cliProgress from "npm:cli-progress@3.12.0";

/** A progress reporter. */
export interface Progress {
  /** Reports that `done` of the total units are finished. */
  update(done: number): void;
  /** Ends the display. */
  stop(): void;
}

/** Below this many units, plain (non-terminal) progress stays silent: it would be noise. */
const PLAIN_MINIMUM = 64;

/** Starts a progress display for `total` units named `unit`. Quiet for small totals. */
export function progress(label: string, total: number, unit: string): Progress {
  if (total <= 1) return { update() {}, stop() {} };
  if (!Deno.stderr.isTerminal() && total < PLAIN_MINIMUM) return { update() {}, stop() {} };
  if (Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta}s`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { update: (d) => bar.update(d), stop: () => bar.stop() };
  }
  let lastDecile = 0;
  const enc = new TextEncoder();
  return {
    update(done: number) {
      const decile = Math.floor((10 * done) / total);
      if (decile > lastDecile && decile < 10) {
        lastDecile = decile;
        Deno.stderr.writeSync(enc.encode(`${label}: ${done}/${total} ${unit}\n`));
      }
    },
    stop() {},
  };
}
