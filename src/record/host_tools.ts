/**
 * The host programs and Debian packages the recorder needs, and one clear error line
 * when any is missing. Recording is the only part of vmmlab that needs more than Deno,
 * so the check names the exact `apt-get install` command instead of failing deep inside
 * a child process.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";
import { killOnInterrupt } from "../util/interrupt.ts";

/** One host program the recorder runs, and the Debian package that provides it. */
export interface HostTool {
  /** Program name or absolute path. */
  command: string;
  /** Debian package providing it. */
  pkg: string;
  /** What the recorder uses it for (for messages). */
  purpose: string;
}

/** Every host tool the recorder needs (`apt-get` and `dpkg-deb` come with Debian itself). */
export const HOST_TOOLS: readonly HostTool[] = [
  { command: "qemu-system-x86_64", pkg: "qemu-system-x86", purpose: "runs the guest" },
  { command: "gcc", pkg: "gcc", purpose: "builds the TCG plugin and workloads" },
  { command: "/usr/lib/x86_64-linux-gnu/libc.a", pkg: "libc6-dev", purpose: "static workloads" },
  { command: "/bin/busybox", pkg: "busybox-static", purpose: "the guest's shell and tools" },
  { command: "apt-get", pkg: "apt", purpose: "downloads the guest kernel and programs" },
  { command: "dpkg-deb", pkg: "dpkg", purpose: "unpacks downloaded packages" },
];

/** The Debian packages a fresh machine needs for `vmmlab record` (README and CI list these). */
export const RECORD_PACKAGES: readonly string[] = [
  "qemu-system-x86",
  "gcc",
  "libc6-dev",
  "busybox-static",
];

/** The install command printed when something is missing. */
export function installCommand(pkgs: readonly string[] = RECORD_PACKAGES): string {
  return `apt-get install --no-install-recommends ${pkgs.join(" ")}`;
}

/** Finds a program on PATH (or checks an absolute path); returns its path or null. */
export function which(command: string): string | null {
  const candidates = command.startsWith("/")
    ? [command]
    : (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").filter((d) => d !== "").map((d) =>
      `${d}/${command}`
    );
  for (const c of candidates) {
    try {
      const st = Deno.statSync(c);
      if (st.isFile) return c;
    } catch { /* not here */ }
  }
  return null;
}

/** Whether an ELF executable is statically linked (has no program interpreter). */
export function isStaticElf(bytes: Uint8Array): boolean {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(dv.getBigUint64(32, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return false;
    if (dv.getUint32(at, true) === 3) return false; // PT_INTERP
  }
  return true;
}

/**
 * Checks every host tool; throws one `InputError` naming what is missing and the
 * command that installs it.
 */
export function requireHostTools(tools: readonly HostTool[] = HOST_TOOLS): void {
  const missing = tools.filter((t) => which(t.command) === null);
  if (missing.length > 0) {
    const names = missing.map((t) => t.command.replace(/^.*\//, "")).join(", ");
    const pkgs = [...new Set(missing.map((t) => t.pkg))];
    throw new InputError(
      `Recording needs ${names} (${missing.map((t) => t.purpose).join("; ")}), which ${
        missing.length === 1 ? "is" : "are"
      } not installed; install with: ${installCommand(pkgs)}`,
    );
  }
  const busybox = Deno.readFileSync("/bin/busybox");
  if (!isStaticElf(busybox)) {
    throw new InputError(
      `/bin/busybox is dynamically linked, but the guest needs the static build; install with: ${
        installCommand(["busybox-static"])
      }`,
    );
  }
}

/** Rethrows a command's failure to start: a missing tool becomes an `InputError` saying how to install it. */
function startFailure(command: string, e: unknown): never {
  if (e instanceof Deno.errors.NotFound) {
    throw new InputError(`${command} is not installed; install with: ${installCommand()}`);
  }
  throw e;
}

/** The `InputError` of a command that failed: what it was doing and its stderr's last line. */
function commandFailed(what: string, stderr: string, code: number): InputError {
  const last = stderr.trim().split("\n").filter((l) => l !== "").pop() ?? `exit status ${code}`;
  return new InputError(`${what} failed: ${last}`);
}

/** Runs a command, returning stdout; a failure becomes an `InputError` with its stderr's last line. */
export async function run(
  command: string,
  args: string[],
  options: { cwd?: string; what?: string; env?: Record<string, string> } = {},
): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    const child = new Deno.Command(command, {
      args,
      cwd: options.cwd,
      env: options.env,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    killOnInterrupt(child);
    out = await child.output();
  } catch (e) {
    startFailure(command, e);
  }
  if (!out.success) {
    throw commandFailed(
      options.what ?? `${command} ${args.join(" ")}`,
      new TextDecoder().decode(out.stderr),
      out.code,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Runs `producer | consumer` without a shell: two argument arrays, the first's standard
 * output piped into the second's input, so no path is ever parsed as shell syntax (a cache
 * path with a quote in it stays a path). Returns the consumer's output; either command
 * failing is an {@link InputError} naming `what`.
 */
export async function runPipe(
  producer: readonly [string, readonly string[]],
  consumer: readonly [string, readonly string[]],
  what: string,
): Promise<string> {
  const spawn = (
    [command, args]: readonly [string, readonly string[]],
    stdin: "piped" | "null",
  ) => {
    try {
      const child = new Deno.Command(command, {
        args: [...args],
        stdin,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      killOnInterrupt(child);
      return child;
    } catch (e) {
      startFailure(command, e);
    }
  };
  const first = spawn(producer, "null");
  const second = spawn(consumer, "piped");
  const piping = first.stdout.pipeTo(second.stdin).catch(() => {
    // The consumer closed its input early; its own status says whether that was a failure.
  });
  const [a, b] = await Promise.all([
    new Response(first.stderr).text().then(async (err) => ({ err, status: await first.status })),
    second.output(),
    piping,
  ]);
  if (!a.status.success) throw commandFailed(what, a.err, a.status.code);
  if (!b.success) throw commandFailed(what, new TextDecoder().decode(b.stderr), b.code);
  return new TextDecoder().decode(b.stdout);
}
