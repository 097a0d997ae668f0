/**
 * The environment failing (issue 11, class 4): a full disk, a read-only file system, a
 * missing folder, a device or FIFO given as `--out`. Each is one line naming the path and
 * the cause, exit status 2, no stack, nothing left behind, and the device untouched.
 *
 * The full disk and the read-only file system are small tmpfs mounts made inside a private
 * mount namespace (`unshare --mount`), so nothing outside the test sees them; where that is
 * not allowed (not root, no user namespaces) those cases are skipped with the reason.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../src/cli/test_support.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Asserts the one-line, exit-2 shape of an environment failure naming `path` and `cause`. */
function assertOneLine(
  r: { code: number; stderr: string },
  path: string,
  cause: RegExp,
): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line, not:\n${r.stderr}`);
  assert.ok(lines[0].startsWith("vmmlab: "), lines[0]);
  assert.ok(lines[0].includes(path), `names ${path}: ${lines[0]}`);
  assert.match(lines[0], cause);
  assert.doesNotMatch(lines[0], /internal error/);
}

/** Runs vmmlab inside a private mount namespace with a tmpfs of `size` (`ro` or not) at `dir`. */
async function inMount(
  dir: string,
  options: string,
  args: string[],
): Promise<{ code: number; stderr: string; left: string[] }> {
  // vmmlab's stdout goes to /dev/null; the script's stdout is what the mount holds after.
  const script = 'mount -t tmpfs -o "$1" tmpfs "$2" || exit 99; d="$2"; shift 2; ' +
    '"$@" >/dev/null; s=$?; ls -A "$d"; exit $s';
  const r = await new Deno.Command("unshare", {
    args: [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      script,
      "sh",
      options,
      dir,
      Deno.execPath(),
      "run",
      "--no-prompt",
      "-A",
      join(ROOT, "src/cli/main.ts"),
      ...args,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const left = dec.decode(r.stdout).split("\n").filter((l) => l !== "");
  return { code: r.code, stderr: dec.decode(r.stderr), left };
}

async function mountsAllowed(): Promise<string | null> {
  try {
    const r = await new Deno.Command("unshare", {
      args: ["--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
      stdout: "null",
      stderr: "piped",
    }).output();
    return r.success ? null : new TextDecoder().decode(r.stderr).trim();
  } catch (e) {
    return (e as Error).message;
  }
}

const noMounts = await mountsAllowed();
if (noMounts !== null) {
  console.log(`full-disk and read-only tests skipped: no private tmpfs mount (${noMounts})`);
}

Deno.test({
  name: "environment: a full disk is one line naming the output, exit 2, nothing left behind",
  ignore: noMounts !== null,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_full_" });
    try {
      const out = join(dir, "converted.vmt");
      const r = await inMount(dir, "size=64k", [
        "trace",
        "convert",
        "traces/forkwait.vmt",
        "--out",
        out,
      ]);
      assertOneLine(r, out, /no space left on device \(ENOSPC\)/);
      assert.deepEqual(r.left, [], "no partial trace or temporary file");
      const results = join(dir, "results");
      const e = await inMount(dir, "size=64k", [
        "experiment",
        "adams_fig4",
        "--engine",
        "experiments/_lib/fake_replay.ts",
        "--quiet",
        "--out",
        results,
      ]);
      assertOneLine(e, results, /no space left on device \(ENOSPC\)/);
      assert.deepEqual(e.left, [], "no partial output folder");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "environment: a read-only file system is one line naming the path, exit 2",
  ignore: noMounts !== null,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_ro_" });
    try {
      const out = join(dir, "sub", "converted.vmt");
      const r = await inMount(dir, "ro,size=64k", [
        "trace",
        "convert",
        "traces/forkwait.vmt",
        "--out",
        out,
      ]);
      assertOneLine(r, out, /read-only file system \(EROFS\)/);
      const results = join(dir, "results");
      const e = await inMount(dir, "ro,size=64k", [
        "experiment",
        "adams_fig4",
        "--quiet",
        "--out",
        results,
      ]);
      assertOneLine(e, results, /read-only file system \(EROFS\)/);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("environment: a device or FIFO as --out is refused and left as it was", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab_device_" });
  try {
    const targets: string[] = [];
    const fifo = join(dir, "fifo");
    const mkfifo = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(mkfifo.success, "mkfifo");
    targets.push(fifo);
    // A character device like /dev/null, made here so a failing test cannot replace the real one.
    const device = join(dir, "null");
    const mknod = await new Deno.Command("mknod", { args: [device, "c", "1", "3"], stderr: "null" })
      .output().catch(() => null);
    if (mknod?.success) targets.push(device);
    else console.log("device case skipped: mknod needs root");
    for (const target of targets) {
      const kind = target === fifo ? "a pipe or socket" : "a device";
      const convert = await runCli("trace", "convert", "traces/forkwait.vmt", "--out", target);
      assertOneLine(convert, target, new RegExp(`${kind}, not a regular file`));
      const replay = await runCli("replay", "traces/forkwait.vmt", "--out", target);
      assertOneLine(replay, target, new RegExp(`${kind}, not a regular file`));
      const info = Deno.statSync(target);
      assert.ok(target === fifo ? info.isFifo : info.isCharDevice, `${target} untouched`);
    }
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      [
        ...targets.map((t) => t.slice(dir.length + 1)),
      ].sort(),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("environment: a missing folder: created for an output, one line for an input", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab_missing_" });
  try {
    // The output's folders are created (checkOutputFile promises it; the writer did not).
    const out = join(dir, "new", "sub", "converted.vmt");
    const made = await runCli("trace", "convert", "traces/forkwait.vmt", "--out", out);
    assert.equal(made.code, 0, made.stderr);
    assert.ok(Deno.statSync(out).isFile);
    const missing = join(dir, "gone", "t.vmt");
    const r = await runCli("trace", "convert", missing, "--out", join(dir, "x.vmt"));
    assertOneLine(r, missing, /./);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
