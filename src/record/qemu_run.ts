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
import { diesWithParent, killOnInterrupt } from "../util/interrupt.ts";

/** What to run. */
export interface QemuRunOptions {
  /** The QEMU binary. */
  qemu: string;
  /** Arguments (built by {@link qemuArgs}). */
  args: string[];
  /** Path prefix of the human monitor's FIFO pair (`PATH.in`, `PATH.out`) given in `args`. */
  monitorPipe: string;
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
  /**
   * Path prefix of the monitor's FIFO pair (created by {@link makeMonitorPipes}): a pipe
   * rather than a socket, so recording needs no network permission.
   */
  monitorPipe: string;
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
    // The guest's wall clock starts at the same instant in every recording and follows
    // the virtual clock (-icount), not the host's.
    "-rtc",
    "base=2020-01-01T00:00:00,clock=vm",
    "-display",
    "none",
    "-nodefaults",
    "-no-reboot",
    "-serial",
    "stdio",
    "-serial",
    m.serial2Path ? `file:${m.serial2Path}` : "null",
    "-monitor",
    `pipe:${m.monitorPipe}`,
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

/** Creates the FIFO pair `PATH.in` / `PATH.out` QEMU's `-monitor pipe:PATH` uses. */
export async function makeMonitorPipes(path: string): Promise<void> {
  const out = await new Deno.Command("mkfifo", {
    args: [`${path}.in`, `${path}.out`],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`mkfifo failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** A connection to QEMU's human monitor over its FIFO pair. */
export class Monitor {
  readonly #in: Deno.FsFile;
  readonly #out: Deno.FsFile;
  #buffer = "";
  readonly #decoder = new TextDecoder();
  readonly #chunk = new Uint8Array(4096);

  private constructor(input: Deno.FsFile, output: Deno.FsFile) {
    this.#in = input;
    this.#out = output;
  }

  /** Opens the monitor's pipes (QEMU holds both open from its start). */
  static async open(path: string): Promise<Monitor> {
    const input = await Deno.open(`${path}.in`, { write: true });
    const output = await Deno.open(`${path}.out`, { read: true });
    const m = new Monitor(input, output);
    // The banner and first prompt only appear on a terminal-less pipe after a newline.
    await input.write(new TextEncoder().encode("\n"));
    await m.#untilPrompt();
    return m;
  }

  async #untilPrompt(): Promise<string> {
    for (;;) {
      const at = this.#buffer.indexOf("(qemu) ");
      if (at >= 0) {
        const out = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 7);
        return out;
      }
      const n = await this.#out.read(this.#chunk);
      if (n === null) throw new Error("QEMU monitor closed");
      this.#buffer += this.#decoder.decode(this.#chunk.subarray(0, n));
    }
  }

  /** Sends one command and returns its output (without the echo and prompt). */
  async command(cmd: string): Promise<string> {
    this.#buffer = "";
    await this.#in.write(new TextEncoder().encode(cmd + "\n"));
    const out = await this.#untilPrompt();
    // deno-lint-ignore no-control-regex
    const clean = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/\r/g, "");
    // A pipe monitor echoes the command as it redraws its line; the output follows the
    // last complete echo.
    const at = clean.lastIndexOf(cmd);
    return (at >= 0 ? clean.slice(at + cmd.length) : clean).trim();
  }

  /** Closes the pipes. */
  close(): void {
    for (const f of [this.#in, this.#out]) {
      try {
        f.close();
      } catch { /* already closed */ }
    }
  }
}

/** Runs QEMU to completion, answering the guest's handshakes. */
export async function runQemu(o: QemuRunOptions): Promise<QemuRunResult> {
  let child: Deno.ChildProcess;
  try {
    const [program, args] = diesWithParent(o.qemu, o.args);
    child = new Deno.Command(program, {
      args,
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
  const getMonitor = async () => monitor ??= await Monitor.open(o.monitorPipe);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, o.timeoutMs);
  const stderrP = new Response(child.stderr).text();
  let consoleText = "";
  let workloadStatus: number | null = null;
  let pending = "";
  const dec = new TextDecoder();
  // Never leave QEMU running behind a failed or interrupted recording.
  const killChild = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  killOnInterrupt(child);
  try {
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
  } catch (e) {
    killChild();
    await child.status;
    throw e;
  }
  const status = await child.status;
  clearTimeout(timer);
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
