/**
 * Runs one guest under `qemu-system-x86_64` with TCG and talks to it while it runs: the
 * serial console (QEMU's stdin/stdout) carries the guest's handshake lines, and the human
 * monitor on a Unix socket turns QEMU's logging on only once the guest is ready, so the
 * side-channel logs hold the workload and not the boot.
 *
 * Protocol with the guest's init: it prints `vmmlab-ready` and waits for a line on the
 * console; the runner sends the arming monitor commands, then `go`. A workload may print
 * `vmmlab-snapshot N` and wait likewise; the runner calls `onSnapshot` and answers `go`.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";

/** What to run. */
export interface QemuRunOptions {
  /** The QEMU binary. */
  qemu: string;
  /** Arguments (built by {@link qemuArgs}). */
  args: string[];
  /** Unix socket path of the human monitor given in `args`. */
  monitorSocket: string;
  /** Monitor commands sent when the guest says it is ready. */
  armCommands: string[];
  /** Monitor commands sent when the guest says the workload finished. */
  disarmCommands: string[];
  /** Called for every console line (progress display). */
  onLine?: (line: string) => void;
  /** Called when the guest asks for a memory snapshot, with a monitor to use. */
  onSnapshot?: (index: number, monitor: Monitor) => Promise<void>;
  /** Host-time limit in milliseconds. */
  timeoutMs: number;
}

/** How the run ended. */
export interface QemuRunResult {
  /** QEMU's exit status. */
  code: number;
  /** The console output. */
  console: string;
  /** The exit status the guest's workload script reported, when it did. */
  workloadStatus: number | null;
  /** QEMU's stderr. */
  stderr: string;
}

/** The options that define the guest machine. */
export interface MachineSpec {
  /** Guest kernel bzImage. */
  kernel: string;
  /** Initramfs (newc cpio). */
  initrd: string;
  /** Kernel command line. */
  append: string;
  /** CPU model for `-cpu`. */
  cpu: string;
  /** Guest memory in MiB. */
  memoryMiB: number;
  /** `-icount shift=N`: each guest instruction takes 2^N ns of guest time. */
  icountShift: number;
  /** Plugin shared object and its arguments. */
  plugin?: { path: string; args: string[] };
  /** QEMU log file (`-D`). */
  logPath: string;
  /** Where the second serial port goes (the kernel symbol dump), or null for nowhere. */
  serial2Path: string | null;
  /** Monitor socket path. */
  monitorSocket: string;
  /** Extra arguments (devices, drives). */
  extra?: string[];
}

/** Builds QEMU's argument list for a machine. */
export function qemuArgs(m: MachineSpec): string[] {
  const args = [
    "-accel",
    "tcg",
    "-cpu",
    m.cpu,
    "-m",
    String(m.memoryMiB),
    "-smp",
    "1",
    "-icount",
    `shift=${m.icountShift},sleep=off`,
    "-display",
    "none",
    "-nodefaults",
    "-no-reboot",
    "-serial",
    "stdio",
    "-serial",
    m.serial2Path ? `file:${m.serial2Path}` : "null",
    "-monitor",
    `unix:${m.monitorSocket},server=on,wait=off`,
    "-kernel",
    m.kernel,
    "-initrd",
    m.initrd,
    "-append",
    m.append,
    "-d",
    "plugin",
    "-D",
    m.logPath,
  ];
  if (m.plugin) args.push("-plugin", [m.plugin.path, ...m.plugin.args].join(","));
  if (m.extra) args.push(...m.extra);
  return args;
}

/** A connection to QEMU's human monitor. */
export class Monitor {
  readonly #conn: Deno.UnixConn;
  #buffer = "";
  readonly #decoder = new TextDecoder();
  readonly #chunk = new Uint8Array(4096);

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
  }

  /** Connects, retrying while QEMU creates the socket. */
  static async connect(path: string, timeoutMs = 20000): Promise<Monitor> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const conn = await Deno.connect({ transport: "unix", path });
        const m = new Monitor(conn);
        await m.#untilPrompt();
        return m;
      } catch (e) {
        if (Date.now() > until) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async #untilPrompt(): Promise<string> {
    for (;;) {
      const at = this.#buffer.indexOf("(qemu) ");
      if (at >= 0) {
        const out = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 7);
        return out;
      }
      const n = await this.#conn.read(this.#chunk);
      if (n === null) throw new Error("QEMU monitor closed");
      this.#buffer += this.#decoder.decode(this.#chunk.subarray(0, n));
    }
  }

  /** Sends one command and returns its output (without the echo and prompt). */
  async command(cmd: string): Promise<string> {
    await this.#conn.write(new TextEncoder().encode(cmd + "\n"));
    const out = await this.#untilPrompt();
    // deno-lint-ignore no-control-regex
    return out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "").split("\n").slice(1)
      .join("\n").trim();
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

/** Runs QEMU to completion, answering the guest's handshakes. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(o.qemu, {
      args: o.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new InputError(
        `${o.qemu} is not installed; install with: apt-get install qemu-system-x86`,
      );
    }
    throw e;
  }
  const stdin = child.stdin.getWriter();
  const enc = new TextEncoder();
  let monitor: Monitor | null = null;
  const getMonitor = async () => monitor ??= await Monitor.connect(o.monitorSocket);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, o.timeoutMs);
  let timedOut = false;
  const killTimer = setTimeout(() => {
    timedOut = true;
  }, o.timeoutMs);
  const stderrP = new Response(child.stderr).text();
  let consoleText = "";
  let workloadStatus: number | null = null;
  let pending = "";
  const dec = new TextDecoder();
  for await (const chunk of child.stdout) {
    const text = dec.decode(chunk, { stream: true });
    consoleText += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, "");
      pending = pending.slice(nl + 1);
      o.onLine?.(line);
      if (line === "vmmlab-ready") {
        const m = await getMonitor();
        for (const c of o.armCommands) {
          const out = await m.command(c);
          if (out !== "") throw new InputError(`QEMU monitor rejected "${c}": ${out}`);
        }
        await stdin.write(enc.encode("go\n"));
      } else if (line.startsWith("vmmlab-snapshot ")) {
        const m = await getMonitor();
        await o.onSnapshot?.(Number(line.split(" ")[1]), m);
        await stdin.write(enc.encode("go\n"));
      } else if (line.startsWith("vmmlab-exit ")) {
        workloadStatus = Number(line.split(" ")[1]);
        try {
          const m = await getMonitor();
          for (const c of o.disarmCommands) await m.command(c);
        } catch { /* QEMU may already be powering off */ }
      }
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  clearTimeout(killTimer);
  (monitor as Monitor | null)?.close();
  try {
    await stdin.close();
  } catch { /* closed */ }
  const stderr = await stderrP;
  if (timedOut) {
    throw new InputError(`The guest did not finish within ${o.timeoutMs / 1000} s of host time`);
  }
  return { code: status.code, console: consoleText, workloadStatus, stderr };
}
