/**
 * What an interrupted run must undo. Code that creates a temporary file or folder, or
 * starts a child process, registers it here for as long as it exists; on SIGINT, SIGTERM
 * or SIGHUP the CLI's handler ({@link installInterruptHandlers}) removes every registered
 * path, kills every registered child, and exits with the shell's status for the signal
 * (128 + its number: 130, 143, 129). Worker threads end with the process.
 *
 * A SIGKILL runs no handler, so temporary names carry the owning process id
 * (`NAME.vmmlab-PID-N.tmp`, `.vmmlab-stage-PID`, `NAME.vmmlab-PID`); {@link sweepStale} removes the ones
 * whose owner is gone, and the next run calls it before it writes beside them.
 *
 * @module
 */

import { join } from "node:path";

const paths = new Map<string, number>();
const children = new Set<Deno.ChildProcess>();
const hooks = new Set<() => void>();

/** Registers `path` (file or folder) for removal on interrupt; returns its release. */
export function removeOnInterrupt(path: string): () => void {
  paths.set(path, (paths.get(path) ?? 0) + 1);
  return () => {
    const n = (paths.get(path) ?? 1) - 1;
    if (n <= 0) paths.delete(path);
    else paths.set(path, n);
  };
}

/** Registers a child process to kill on interrupt; released when it exits. */
export function killOnInterrupt(child: Deno.ChildProcess): void {
  children.add(child);
  child.status.finally(() => children.delete(child)).catch(() => {});
}

/**
 * Registers a synchronous action to run on interrupt (before paths are removed), e.g. to
 * undo a half-done step; returns its release.
 */
export function onInterrupt(action: () => void): () => void {
  hooks.add(action);
  return () => hooks.delete(action);
}

/** Runs every registered clean-up now: hooks, then children killed, then paths removed. */
export function cleanUpNow(): void {
  for (const hook of [...hooks].reverse()) {
    try {
      hook();
    } catch { /* keep cleaning */ }
  }
  hooks.clear();
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  children.clear();
  // Latest first: a file inside a registered folder goes before the folder.
  for (const path of [...paths.keys()].reverse()) {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch { /* already gone */ }
  }
  paths.clear();
}

const SIGNALS: ReadonlyArray<[Deno.Signal, number]> = [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
];

let installed = false;

/**
 * Makes SIGINT, SIGTERM and SIGHUP clean up and exit with 130, 143 and 129. For the CLI's
 * entry point only (a library or test keeps the default behaviour).
 */
export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const [signal, status] of SIGNALS) {
    try {
      Deno.addSignalListener(signal, () => {
        cleanUpNow();
        console.error(`vmmlab: interrupted (${signal}); temporary files removed`);
        Deno.exit(status);
      });
    } catch { /* the signal does not exist on this system */ }
  }
}

/**
 * Whether process `pid` is gone, as far as can be told: only when /proc shows it absent
 * (elsewhere every owner is taken as alive, and nothing is removed).
 */
export function processGone(pid: number): boolean {
  if (pid === Deno.pid) return false;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return false;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return false;
  } catch {
    return true;
  }
}

// NAME.vmmlab-PID-N.tmp (atomic writes), .vmmlab-stage-PID (a run's staged outputs),
// NAME.vmmlab-PID (a recorder's work folder): only names vmmlab gives its own files.
const STALE = /^(?:.+\.vmmlab-(\d+)-\d+\.tmp|\.vmmlab-stage-(\d+)|.+\.vmmlab-(\d+))$/;

/**
 * Removes the temporary files and folders in `dir` that a process which no longer exists
 * left behind (a SIGKILL, a power cut); returns their names. Names of live processes, and
 * anything not named as vmmlab names its temporary files, stay.
 */
export function sweepStale(dir: string): string[] {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const m = STALE.exec(entry.name);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2] ?? m[3]);
    if (!Number.isSafeInteger(pid) || !processGone(pid)) continue;
    try {
      Deno.removeSync(join(dir, entry.name), { recursive: true });
      removed.push(entry.name);
    } catch { /* raced with another cleaner, or not ours to remove */ }
  }
  return removed.sort();
}

const swept = new Set<string>();

/** {@link sweepStale} once per folder per process (writers call it before each write). */
export function sweepStaleOnce(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  sweepStale(dir);
}

let setpriv: boolean | undefined;

/**
 * The program and arguments that run `command` so that it dies with vmmlab even when
 * vmmlab is killed by SIGKILL, which runs no handler (QEMU otherwise runs on at full CPU):
 * through util-linux's `setpriv --pdeathsig KILL` where it exists (Linux), else unchanged.
 */
export function diesWithParent(command: string, args: readonly string[]): [string, string[]] {
  if (setpriv === undefined) {
    try {
      setpriv = new Deno.Command("setpriv", { args: ["--help"], stdout: "null", stderr: "null" })
        .outputSync().success;
    } catch {
      setpriv = false;
    }
  }
  return setpriv ? ["setpriv", ["--pdeathsig", "KILL", "--", command, ...args]] : [command, [
    ...args,
  ]];
}
