/**
 * Stopping what a test started: SIGTERM first, so a daemon or browser can stop its own
 * helpers, then SIGKILL for whatever has not exited after a grace period.
 */

/** Signals every child, SIGTERM then (after `graceMs`) SIGKILL, and waits for them all. */
export async function stopChildren(
  children: readonly Deno.ChildProcess[],
  graceMs = 5000,
): Promise<void> {
  const signal = (child: Deno.ChildProcess, name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch {
      // already exited
    }
  };
  for (const child of children) signal(child, "SIGTERM");
  const timer = setTimeout(() => children.forEach((c) => signal(c, "SIGKILL")), graceMs);
  try {
    await Promise.all(children.map((c) => c.status));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The process table as `ps` prints it: pid, parent pid, state and command line. Read
 * through `ps` rather than /proc, because Deno lets a program read another process's /proc
 * files only with every permission, and the test task runs with named permissions.
 */
function processTable(): { pid: number; ppid: number; state: string; args: string }[] {
  try {
    const out = new Deno.Command("ps", {
      args: ["-eo", "pid=,ppid=,stat=,args="],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    if (!out.success) return [];
    return new TextDecoder().decode(out.stdout).split("\n").flatMap((line) => {
      const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
      return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), state: m[3], args: m[4] }] : [];
    });
  } catch {
    return [];
  }
}

/** Every descendant of process `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const row of table) {
      if (row.ppid === p) {
        found.push(row.pid);
        queue.push(row.pid);
      }
    }
  }
  return found;
}

/** The command line of process `pid` (empty when it is gone). */
export function commandLine(pid: number): string {
  return processTable().find((row) => row.pid === pid)?.args ?? "";
}

/** Whether process `pid` exists and is not a zombie. */
export function running(pid: number): boolean {
  const row = processTable().find((r) => r.pid === pid);
  return row !== undefined && !row.state.startsWith("Z");
}
