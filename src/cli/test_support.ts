/**
 * Test support for the command line: runs `vmmlab` as a user does (a separate process,
 * from the repository root, no colour, no stdin), so that exit statuses and the exact
 * stdout and stderr text can be asserted. Used by the CLI tests only.
 *
 * @module
 */

import { join } from "node:path";

/** The repository root, the working folder of every run. */
const ROOT = new URL("../..", import.meta.url).pathname;

/** What one `vmmlab` run produced. */
export interface CliRun {
  /** Exit status. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Runs `vmmlab ARGS...` in a new Deno process and waits for it. */
export async function runCli(...args: string[]): Promise<CliRun> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", join(ROOT, "src/cli/main.ts"), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}
