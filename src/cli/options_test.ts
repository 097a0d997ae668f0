import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError, UsageError } from "../util/errors.ts";
import {
  checkOutputFile,
  checkOutputFolder,
  parseIntOption,
  prepareOutputFile,
} from "./options.ts";

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
