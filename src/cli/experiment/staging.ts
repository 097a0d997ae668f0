/**
 * All or nothing for an output folder. A run (or merge) writes everything into a staging
 * folder inside OUT (`OUT/.vmmlab-stage-PID`); only when every file is written are they
 * moved into OUT, the previous manifest.json first removed and the new one moved last.
 * The move is synchronous, so a SIGINT or SIGTERM (handled between events) finds OUT
 * either as it was or complete; a SIGKILL during the move leaves OUT without a manifest,
 * which marks it incomplete (merge refuses it). The staging folder is removed on
 * interrupt, and after a SIGKILL by the next run into the same folder.
 *
 * @module
 */

import { dirname, join, relative } from "node:path";
import { environmentError } from "../../util/errors.ts";
import { onInterrupt, removeOnInterrupt, sweepStale } from "../../util/interrupt.ts";

/** The file that marks a complete output; moved into place last. */
const MANIFEST = "manifest.json";

function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    const entries = [...Deno.readDirSync(d)].sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory) walk(p);
      else files.push(p);
    }
  };
  walk(dir);
  return files;
}

function removeEmptyFolder(path: string): void {
  try {
    Deno.removeSync(path); // fails unless empty: never removes a user's files
  } catch { /* not empty, or gone */ }
}

/** A staging folder for one output folder; see the module doc. */
export class Stage {
  /** Where the run writes (inside {@link out}). */
  readonly dir: string;
  /** The output folder. */
  readonly out: string;
  readonly #createdOut: boolean;
  readonly #releases: (() => void)[] = [];

  private constructor(out: string, dir: string, createdOut: boolean) {
    this.out = out;
    this.dir = dir;
    this.#createdOut = createdOut;
  }

  /**
   * Creates OUT (if missing) and a fresh staging folder in it, after removing what
   * killed runs left there.
   */
  static open(out: string): Stage {
    let createdOut = false;
    try {
      Deno.statSync(out);
    } catch {
      createdOut = true;
    }
    const dir = join(out, `.vmmlab-stage-${Deno.pid}`);
    try {
      Deno.mkdirSync(out, { recursive: true });
      sweepStale(out);
      Deno.mkdirSync(dir);
    } catch (e) {
      if (createdOut) removeEmptyFolder(out);
      throw environmentError(e, out) ?? e;
    }
    const stage = new Stage(out, dir, createdOut);
    stage.#releases.push(removeOnInterrupt(dir));
    if (createdOut) {
      // Hooks run before registered paths are removed: remove the stage here, then OUT.
      stage.#releases.push(onInterrupt(() => {
        try {
          Deno.removeSync(dir, { recursive: true });
        } catch { /* already gone */ }
        removeEmptyFolder(out);
      }));
    }
    return stage;
  }

  /**
   * Moves every staged file into OUT: the old manifest removed first, the new one moved
   * last; then removes the staging folder. Synchronous on purpose (see the module doc).
   */
  commit(): void {
    const files = filesUnder(this.dir);
    const staged = join(this.dir, MANIFEST);
    try {
      try {
        Deno.removeSync(join(this.out, MANIFEST));
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      for (const file of files) {
        if (file === staged) continue;
        const target = join(this.out, relative(this.dir, file));
        Deno.mkdirSync(dirname(target), { recursive: true });
        Deno.renameSync(file, target);
      }
      if (files.includes(staged)) Deno.renameSync(staged, join(this.out, MANIFEST));
    } catch (e) {
      throw environmentError(e, this.out) ?? e;
    }
    this.abandon();
  }

  /** Removes the staging folder (and OUT, if this run created it and it is empty). */
  abandon(): void {
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* already gone */ }
    if (this.#createdOut) removeEmptyFolder(this.out);
    for (const release of this.#releases) release();
    this.#releases.length = 0;
  }
}
