/**
 * Interrupts and crashes (issue 11, class 5): SIGINT and SIGTERM at several points of
 * `vmmlab experiment` and `vmmlab trace convert` leave the output folder as it was, no
 * temporary file or staging folder, no child process, and exit 130 or 143; what a SIGKILL
 * leaves (which runs no handler) is removed by the next run, and only when its owner is
 * gone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { descendants, running } from "./child_process.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = join(ROOT, "src/cli/main.ts");

/** A vmmlab process whose stderr is gathered as it comes. */
interface Started {
  child: Deno.ChildProcess;
  stderr(): string;
  done: Promise<string>;
}

function start(args: string[]): Started {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", MAIN, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const done = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) text += dec.decode(chunk, { stream: true });
    return text;
  })();
  return { child, stderr: () => text, done };
}

async function until(ready: () => boolean, what: string, run: Started): Promise<void> {
  const t0 = Date.now();
  while (!ready()) {
    if (Date.now() - t0 > 180_000) throw new Error(`timed out waiting for ${what}`);
    const status = await Promise.race([
      run.child.status,
      new Promise<null>((r) => setTimeout(() => r(null), 20)),
    ]);
    if (status !== null) {
      throw new Error(`vmmlab ended (${status.code}) before ${what}: ${run.stderr()}`);
    }
  }
}

/** Signals `run`, waits for it, and checks its status and that no descendant survived. */
async function interrupt(run: Started, signal: "SIGINT" | "SIGTERM"): Promise<string> {
  const kids = descendants(run.child.pid);
  run.child.kill(signal);
  const status = await run.child.status;
  const stderr = await run.done;
  assert.equal(status.code, signal === "SIGINT" ? 130 : 143, stderr);
  assert.match(stderr, new RegExp(`interrupted \\(${signal}\\)`));
  assert.ok(!/internal error|\n\s+at /.test(stderr), stderr);
  for (const pid of kids) assert.ok(!running(pid), `child ${pid} survived ${signal}`);
  return stderr;
}

/** Every file under `dir` with its bytes as text, by relative path. */
function tree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of [...Deno.readDirSync(join(dir, prefix))]) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) Object.assign(out, tree(dir, rel), { [`${rel}/`]: "" });
    else out[rel] = Deno.readTextFileSync(join(dir, rel));
  }
  return out;
}

/**
 * Asserts that `out` is as it was (`before`) or holds one complete new run: a manifest, a
 * summary and a report naming the same run, and no staging folder or temporary file of it.
 * (A signal that arrives after the last file moved into place finds the run complete.)
 */
function assertAsItWasOrComplete(out: string, before: Record<string, string>, what: string) {
  const after = tree(out);
  if (isDeepStrictEqual(after, before)) return;
  const run = JSON.parse(after["manifest.json"] ?? "{}").run;
  assert.ok(typeof run === "string", `${what}: neither as it was nor complete`);
  assert.equal(JSON.parse(after["summary.json"]).run, run, `${what}: summary.json's run`);
  assert.ok(after["summary.md"].includes(run), `${what}: summary.md names the run`);
  assert.ok(after["report.html"].includes(run), `${what}: report.html names the run`);
  const debris = Object.keys(after).filter((k) =>
    k.includes(".vmmlab-stage-") || (k.endsWith(".tmp") && !k.includes(`-${Deno.pid}-`))
  );
  assert.deepEqual(debris, [], `${what}: no staging folder or temporary file`);
}

/** The id of a process that has exited (its temporary names are stale). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/**
 * An output folder as an earlier complete run left it, with a killed run's debris; returns
 * what must remain of it after an interrupted run (the debris of the killed run removed).
 */
function previousRun(dir: string, dead: number): Record<string, string> {
  const files: Record<string, string> = {
    "manifest.json": '{"schema":"vmmlab.manifest/1","note":"the earlier run"}\n',
    "summary.md": "earlier summary\n",
    "adams_fig4/results.json": "earlier results\n",
    "runs/earlier.json": "earlier run file\n",
    // Debris of a live process (this test): not the next run's to remove.
    [`notes.txt.vmmlab-${Deno.pid}-1.tmp`]: "live\n",
  };
  for (const [rel, text] of Object.entries(files)) {
    Deno.mkdirSync(join(dir, rel, ".."), { recursive: true });
    Deno.writeTextFileSync(join(dir, rel), text);
  }
  const expected = tree(dir);
  // Debris of a killed run: a staging folder and a temporary file.
  Deno.mkdirSync(join(dir, `.vmmlab-stage-${dead}`, "runs"), { recursive: true });
  Deno.writeTextFileSync(join(dir, `.vmmlab-stage-${dead}`, "runs", "x.json"), "{}");
  Deno.writeTextFileSync(join(dir, `summary.json.vmmlab-${dead}-3.tmp`), "half");
  return expected;
}

Deno.test({
  name:
    "interrupt: SIGINT mid-replay and SIGTERM mid-figures leave experiment's --out as it was or complete",
  sanitizeResources: false,
  async fn() {
    const out = Deno.makeTempDirSync({ prefix: "vmmlab_interrupt_exp_" });
    try {
      const dead = await deadPid();
      const before = previousRun(out, dead);
      const points: ["SIGINT" | "SIGTERM", RegExp][] = [
        ["SIGINT", /\]\s*replay: /], // the first job finished, the others replaying
        ["SIGTERM", /\[21\/21\] replay: /], // every job finished: rendering figures
      ];
      for (const [signal, point] of points) {
        const run = start(["experiment", "adams_fig4", "--workers", "1", "--out", out]);
        await until(() => point.test(run.stderr()), `${point}`, run);
        await interrupt(run, signal);
        assertAsItWasOrComplete(out, before, `after ${signal} at ${point}`);
      }
    } finally {
      Deno.removeSync(out, { recursive: true });
    }
  },
});

/** Names in `dir` that look like a temporary file (vmmlab's or any other writer's). */
function temporaries(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp")).sort();
}

Deno.test({
  name:
    "interrupt: SIGINT and SIGTERM during trace convert keep --out as it was, with no temporary file",
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_interrupt_convert_" });
    const out = join(dir, "converted.vmt");
    const live = `converted.vmt.vmmlab-${Deno.pid}-9.tmp`;
    try {
      Deno.writeTextFileSync(out, "the earlier conversion");
      Deno.writeTextFileSync(join(dir, live), "a live writer's");
      // The first point: the temporary file exists; the second: well into the conversion.
      const points: ["SIGINT" | "SIGTERM", number][] = [["SIGINT", 0], ["SIGTERM", 1 << 18]];
      for (const [signal, size] of points) {
        const run = start([
          "trace",
          "convert",
          "traces/compute-gzip.vmt",
          "--out",
          out,
          "--chunk-records",
          "4096",
          "--level",
          "9",
        ]);
        const growing = () =>
          temporaries(dir).some((n) => n !== live && Deno.statSync(join(dir, n)).size >= size);
        await until(growing, `a temporary file of ${size} bytes`, run);
        await interrupt(run, signal);
        assert.deepEqual(temporaries(dir), [live], `after ${signal}`);
        assert.equal(Deno.readTextFileSync(out), "the earlier conversion");
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "interrupt: what a SIGKILLed trace convert left is removed by the next conversion",
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_sigkill_convert_" });
    const out = join(dir, "converted.vmt");
    try {
      const run = start([
        "trace",
        "convert",
        "traces/compute-gzip.vmt",
        "--out",
        out,
        "--chunk-records",
        "4096",
      ]);
      await until(() => temporaries(dir).length > 0, "a temporary file", run);
      run.child.kill("SIGKILL");
      await run.child.status;
      await run.done;
      const left = temporaries(dir);
      assert.equal(left.length, 1, "SIGKILL runs no handler: the temporary file stays");
      const next = start(["trace", "convert", "traces/forkwait.vmt", "--out", out]);
      const status = await next.child.status;
      assert.equal(status.code, 0, await next.done);
      assert.deepEqual(temporaries(dir), [], `${left[0]} of the killed run is gone`);
      assert.ok(Deno.statSync(out).size > 1000);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "interrupt: SIGINT while merge writes figures leaves --out as it was or complete",
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab_interrupt_merge_" });
    try {
      const shards = ["1/2", "2/2"].map((s, i) => ({ s, out: join(dir, `shard${i + 1}`) }));
      for (const { s, out } of shards) {
        const run = start([
          "experiment",
          "adams_fig4",
          "--engine",
          "experiments/_lib/fake_replay.ts",
          "--shard",
          s,
          "--quiet",
          "--out",
          out,
        ]);
        const status = await run.child.status;
        assert.equal(status.code, 0, await run.done);
      }
      const out = join(dir, "merged");
      Deno.mkdirSync(out);
      const before = previousRun(out, await deadPid());
      const run = start(["merge", ...shards.map((s) => s.out), "--out", out]);
      await until(() => /\[21\/21\] merge: /.test(run.stderr()), "every run file read", run);
      await interrupt(run, "SIGINT");
      assertAsItWasOrComplete(out, before, "merge");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
