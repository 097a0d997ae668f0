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
