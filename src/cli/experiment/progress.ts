/**
 * Progress display for long runs: a live bar on a terminal, plain one-line updates
 * otherwise (CI logs, files), both on stderr so stdout keeps only the summary.
 *
 * @module
 */

// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "npm:cli-progress@3.12.0";
import process from "node:process";

/** Receives progress of a run. */
export interface Progress {
  /** Announces a phase with its number of steps. */
  start(total: number, title: string): void;
  /** Reports one finished step. */
  advance(label: string): void;
  /** Ends the phase. */
  stop(): void;
}

/** Writes plain lines `[  3/40] title: label` to a text sink. */
export class LineProgress implements Progress {
  #total = 0;
  #done = 0;
  #title = "";
  readonly #write: (line: string) => void;

  /** Creates a line reporter writing through `write` (stderr by default). */
  constructor(write: (line: string) => void = (line) => console.error(line)) {
    this.#write = write;
  }

  /** Starts counting a new phase. */
  start(total: number, title: string): void {
    this.#total = total;
    this.#done = 0;
    this.#title = title;
  }

  /** Writes one line for the finished step. */
  advance(label: string): void {
    this.#done++;
    const width = String(this.#total).length;
    this.#write(`[${String(this.#done).padStart(width)}/${this.#total}] ${this.#title}: ${label}`);
  }

  /** Nothing to close for plain lines. */
  stop(): void {}
}

/** A cli-progress bar on stderr, for terminals. */
export class BarProgress implements Progress {
  #bar: cliProgress.SingleBar | undefined;

  /** Shows a bar for the phase. */
  start(total: number, title: string): void {
    this.#bar = new cliProgress.SingleBar({
      format: `${title} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    this.#bar.start(total, 0, { label: "" });
  }

  /** Moves the bar one step. */
  advance(label: string): void {
    this.#bar?.increment(1, { label });
  }

  /** Finishes the bar. */
  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

/** Discards progress (tests, `--quiet`). */
export class SilentProgress implements Progress {
  /** Ignored. */
  start(_total: number, _title: string): void {}
  /** Ignored. */
  advance(_label: string): void {}
  /** Ignored. */
  stop(): void {}
}

/** The bar when stderr is a terminal, plain lines otherwise. */
export function defaultProgress(): Progress {
  return Deno.stderr.isTerminal() ? new BarProgress() : new LineProgress();
}
