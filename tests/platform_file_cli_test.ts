/**
 * `--platform FILE` from the command line: a FIFO, a device or a hostile profile is one
 * line on stderr and exit status 2, without blocking and without a stack trace.
 */
import assert from "node:assert/strict";
import { runCli } from "../src/cli/test_support.ts";
import { BUILTIN_PLATFORMS } from "../src/platforms/load.ts";

const FIXTURE = "tests/fixtures/qsort_lackey.vmt";

async function refused(platform: string, expected: RegExp): Promise<void> {
  const r = await runCli("replay", FIXTURE, "--cpu", "hw", "--platform", platform, "--json");
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
  assert.match(r.stderr, expected);
}

Deno.test("--platform refuses a device, a FIFO and out-of-range values with one line, exit 2", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-platform-cli-" });
  try {
    await refused("/dev/zero", /^vmmlab: \/dev\/zero: platform file is not a regular file$/m);
    const fifo = `${dir}/p.json`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output().catch(() => null);
    if (made?.success) {
      // Nobody ever writes to the FIFO: a reader that opened it would wait for ever.
      await refused(fifo, /p\.json: platform file is not a regular file$/m);
    } else console.log("FIFO case skipped: mkfifo is not available");
    const hostile = structuredClone(BUILTIN_PLATFORMS["p4-prescott"]);
    hostile.entries["hw.vm-exit"].value = 1e308;
    const file = `${dir}/hostile.json`;
    Deno.writeTextFileSync(file, JSON.stringify(hostile));
    await refused(
      file,
      /hostile\.json: entries\.hw\.vm-exit\.value: value 1e\+308 is out of range/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
