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
 * The process ids descended from `pid` (children, grandchildren, ...), read from /proc;
 * empty where there is no /proc. A test takes them before signalling a process and checks
 * afterwards that none survived it.
 */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        parent.set(Number(entry.name), Number(fields[1]));
      } catch { /* exited meanwhile */ }
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found.sort((a, b) => a - b);
}

/** Whether process `pid` still runs (exists and is not a zombie), read from /proc. */
export function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
