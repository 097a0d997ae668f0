/**
 * Interrupting a real recording (issue 11, class 5): a SIGKILLed recorder takes QEMU with
 * it (QEMU used to run on at full CPU for minutes) and its work folder is removed by the
 * next recording; a SIGINT stops QEMU, removes the work folder and writes no trace. Runs
 * wherever the recorder's host tools are installed (CI installs them); skipped with the
 * reason otherwise.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOST_TOOLS, installCommand, which } from "../src/record/host_tools.ts";
import { cacheDir } from "../src/record/cache.ts";
import { commandLine, descendants, running } from "./child_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const missing = HOST_TOOLS.filter((t) => which(t.command) === null).map((t) => t.pkg);
const required = Deno.env.get("VMMLAB_REQUIRE_RECORDER") === "1";
if (missing.length > 0 && required) {
  Deno.test("record interrupt: the recorder's host tools are installed", () => {
    assert.fail(`missing ${missing.join(", ")}; install with: ${installCommand()}`);
  });
} else if (missing.length > 0) {
  console.log(`record interrupt test skipped: missing ${missing.join(", ")} (${installCommand()})`);
}

/** Whether `pid` is a QEMU booting a guest (not `qemu-system-x86_64 --version`). */
function bootingQemu(pid: number): boolean {
  const argv = commandLine(pid).split(" ");
  return argv[0].includes("qemu-system") && argv.includes("-kernel");
}

/** Starts `vmmlab record forkwait` and waits until its QEMU runs; returns both. */
async function recordUntilQemu(out: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "-A",
      join(ROOT, "src/cli/main.ts"),
      "record",
      "forkwait",
      // Far more than will run: QEMU must still be running when the test signals.
      "--iterations",
      "100000",
      "--out",
      out,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const done = (async () => {
    const dec = new TextDecoder();
    for await (const c of child.stderr) stderr += dec.decode(c, { stream: true });
    return stderr;
  })();
  const t0 = Date.now();
  for (;;) {
    const qemu = descendants(child.pid).find(bootingQemu);
    if (qemu !== undefined) return { child, qemu, done };
    if (Date.now() - t0 > 600_000) throw new Error(`QEMU never started: ${stderr}`);
    const status = await Promise.race([
      child.status,
      new Promise<null>((r) => setTimeout(() => r(null), 50)),
    ]);
    if (status !== null) throw new Error(`record ended (${status.code}) early: ${stderr}`);
  }
}

/** The recorder work folders under runs/ owned by process `pid`. */
function workFolders(pid: number): string[] {
  return [...Deno.readDirSync(cacheDir("runs"))].map((e) => e.name)
    .filter((n) => n.endsWith(`.vmmlab-${pid}`));
}

async function gone(pid: number, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (running(pid)) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

Deno.test({
  name: "record interrupt: SIGKILL takes QEMU along; SIGINT stops QEMU and removes the work folder",
  ignore: missing.length > 0,
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_record_interrupt_" });
    const out = join(dir, "fw.vmt");
    try {
      // A cold cache makes the recorder boot a first guest of its own to dump the kernel's
      // symbols (once per kernel); a signal meant for the workload's QEMU would land on that
      // one instead. One short recording first leaves only the workload's boot to interrupt.
      const warm = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          "-A",
          join(ROOT, "src/cli/main.ts"),
          "record",
          "forkwait",
          "--iterations",
          "1",
          "--out",
          join(dir, "warm.vmt"),
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).output();
      assert.ok(warm.success, new TextDecoder().decode(warm.stderr));
      Deno.removeSync(join(dir, "warm.vmt"));

      // SIGKILL: no handler runs, yet QEMU must not outlive the recorder.
      const killed = await recordUntilQemu(out);
      assert.equal(
        workFolders(killed.child.pid).length,
        1,
        `pid ${killed.child.pid}: ${[...Deno.readDirSync(cacheDir("runs"))].map((e) => e.name)}`,
      );
      killed.child.kill("SIGKILL");
      await killed.child.status;
      await killed.done;
      assert.ok(
        await gone(killed.qemu, 5000),
        `QEMU ${killed.qemu} outlived the SIGKILLed recorder`,
      );
      assert.equal(workFolders(killed.child.pid).length, 1, "SIGKILL leaves the work folder");

      // The next recording removes the killed one's work folder before it boots; SIGINT.
      const run = await recordUntilQemu(out);
      assert.deepEqual(workFolders(killed.child.pid), [], "the killed run's folder is swept");
      assert.equal(workFolders(run.child.pid).length, 1);
      run.child.kill("SIGINT");
      const status = await run.child.status;
      const stderr = await run.done;
      assert.equal(status.code, 130, stderr);
      assert.match(stderr, /interrupted \(SIGINT\)/);
      assert.ok(await gone(run.qemu, 5000), `QEMU ${run.qemu} survived SIGINT`);
      assert.deepEqual(workFolders(run.child.pid), [], "work folder removed");
      assert.deepEqual([...Deno.readDirSync(dir)], [], "no trace and no temporary file");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
