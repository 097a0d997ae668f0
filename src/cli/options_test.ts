import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError, UsageError } from "../util/errors.ts";
import {
  checkOutputFile,
  checkOutputFolder,
  defaultWorkers,
  MAX_WORKERS,
  parseIntOption,
  prepareOutputFile,
  workerCount,
} from "./options.ts";
import { runCli } from "./test_support.ts";

Deno.test("parseIntOption: integers in range pass, anything else is a usage error", () => {
  assert.equal(parseIntOption("--n", "7", 1, 9), 7);
  assert.throws(() => parseIntOption("--n", "0", 1, 9), UsageError);
  assert.throws(() => parseIntOption("--n", "1.5", 1, 9), UsageError);
  assert.throws(() => parseIntOption("--n", "x", 1, 9), /--n must be an integer, not "x"/);
});

Deno.test("checkOutputFile: new files pass; a folder or a file in a parent's place is an input error", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "f.vmt");
    Deno.writeTextFileSync(file, "x");
    checkOutputFile("--out", file); // overwriting a file is fine
    checkOutputFile("--out", join(dir, "new.vmt"));
    checkOutputFile("--out", join(dir, "a", "b", "new.vmt")); // missing parents are created later
    assert.throws(
      () => checkOutputFile("--out", dir),
      (e) => e instanceof InputError && e.message === `--out: ${dir} is a folder, not a file`,
    );
    assert.throws(
      () => checkOutputFile("--out", join(file, "x.vmt")),
      (e) =>
        e instanceof InputError &&
        e.message === `--out: ${join(file, "x.vmt")}: ${file} is a file, not a folder`,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["f.vmt"], "creates nothing");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("checkOutputFolder: folders and missing paths pass; a file on the path is an input error", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "f");
    Deno.writeTextFileSync(file, "x");
    checkOutputFolder("--out", dir);
    checkOutputFolder("--out", join(dir, "new", "deeper"));
    assert.throws(() => checkOutputFolder("--out", file), /^InputError: --out: .*f is a file/);
    assert.throws(
      () => checkOutputFolder("--figures", join(file, "sub")),
      (e) => e instanceof InputError && e.message.startsWith("--figures: "),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("prepareOutputFile: a missing folder is created; an unwritable one is an input error", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-prepare-" });
  try {
    prepareOutputFile("--out", `${dir}/new/sub/t.vmt`);
    assert.ok(Deno.statSync(`${dir}/new/sub`).isDirectory);
    assert.deepEqual([...Deno.readDirSync(`${dir}/new/sub`)], [], "the probe is gone");
    // /proc takes no new folder (even for root); Deno may also refuse it without -A.
    assert.throws(() => prepareOutputFile("--out", "/proc/vmmlab-test/t.vmt"), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^--out: \/proc\/vmmlab-test\/t\.vmt: cannot write/);
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--workers: 1 to MAX_WORKERS, anything else one line and exit status 2", async () => {
  assert.equal(workerCount("1"), 1);
  assert.equal(workerCount(String(MAX_WORKERS)), MAX_WORKERS);
  for (const bad of ["0", String(MAX_WORKERS + 1), "2.5", "1e9", "x", ""]) {
    assert.throws(
      () => workerCount(bad),
      (e: unknown) =>
        e instanceof InputError &&
        e.message === `--workers: must be an integer from 1 to 256, not ${JSON.stringify(bad)}`,
    );
  }
  assert.ok(defaultWorkers() >= 1 && defaultWorkers() <= MAX_WORKERS);
  for (const command of ["experiment", "sweep", "compare"]) {
    const r = await runCli(command, "--workers", "100000");
    assert.equal(r.code, 2, `${command}: ${r.stderr}`);
    assert.equal(
      r.stderr,
      'vmmlab: --workers: must be an integer from 1 to 256, not "100000"\n',
      command,
    );
  }
});
