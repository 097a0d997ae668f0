/**
 * Where a command's text output goes: `--out FILE` (written atomically, checked before
 * any work), `--out -` (standard output), and never over one of the command's own input
 * traces, which a slip of the shell's completion would otherwise destroy.
 *
 * @module
 */

import { resolve } from "node:path";
import { writeFileAtomic } from "../util/atomic.ts";
import { InputError } from "../util/errors.ts";
import { checkOutputFile } from "./options.ts";

/** `path` with symbolic links resolved when it exists, else only made absolute. */
function canonical(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/**
 * Checks an output path before any work: `-` is standard output; a path naming one of
 * `inputs` is refused (one line, exit status 2); anything else must be writable as a file.
 */
export function checkOutput(flag: string, path: string, inputs: readonly string[]): void {
  if (path === "-") return;
  refuseInputs(flag, path, inputs);
  checkOutputFile(flag, path);
}

/** Refuses an output path that names one of `inputs` (one line, exit status 2). */
export function refuseInputs(flag: string, path: string, inputs: readonly string[]): void {
  const target = canonical(path);
  for (const input of inputs) {
    if (canonical(input) === target) {
      throw new InputError(`${flag}: ${path} is an input trace; refusing to overwrite it`);
    }
  }
}

/** Writes `text` to standard output. */
export async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

/** Writes `text` to `path` atomically, or to standard output when `path` is `-`. */
export async function writeOutput(path: string, text: string): Promise<void> {
  if (path === "-") await writeStdout(text);
  else await writeFileAtomic(path, text);
}
