/**
 * Merge and run files that are malformed, null, an array, a folder or in place of a
 * folder: one line naming the file, exit status 2, and no output folder left behind.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments } from "../src/cli/experiment/runner.ts";
import { runCli } from "../src/cli/test_support.ts";

Deno.test("hostile merge inputs are one line and exit 2, and write nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "vmmlab_merge_hostile_" });
  try {
    const good = join(root, "good");
    await runExperiments({
      names: ["adams_fig4"],
      out: good,
      workers: 1,
      shard: { index: 1, count: 1 },
      progress: new SilentProgress(),
    });
    const runs = [...Deno.readDirSync(join(good, "runs"))].map((e) => e.name).sort();
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        "null manifest",
        (d) => Deno.writeTextFileSync(join(d, "manifest.json"), "null"),
        /not a JSON object/,
      ],
      [
        "array manifest",
        (d) => Deno.writeTextFileSync(join(d, "manifest.json"), "[]"),
        /not a JSON object/,
      ],
      ["manifest is a folder", (d) => {
        Deno.removeSync(join(d, "manifest.json"));
        Deno.mkdirSync(join(d, "manifest.json"));
      }, /not a regular file/],
      [
        "null run file",
        (d) => Deno.writeTextFileSync(join(d, "runs", runs[0]), "null"),
        /not a JSON object/,
      ],
      [
        "truncated run file",
        (d) => Deno.writeTextFileSync(join(d, "runs", runs[0]), '{"a":'),
        /not valid JSON/,
      ],
      ["run file without result", (d) => {
        const path = join(d, "runs", runs[0]);
        const file = JSON.parse(Deno.readTextFileSync(path));
        Deno.writeTextFileSync(path, JSON.stringify({ ...file, result: null }));
      }, /not the result of job/],
    ];
    for (const [what, spoil, message] of cases) {
      const dir = join(root, what.replaceAll(" ", "_"));
      await Deno.mkdir(dir);
      await new Deno.Command("cp", { args: ["-r", `${good}/.`, dir] }).output();
      spoil(dir);
      const out = join(root, `merged_${what.replaceAll(" ", "_")}`);
      const r = await runCli("merge", dir, "--out", out, "--quiet");
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
      assert.match(lines[0], message, what);
      await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound, `${what} left ${out}`);
    }
    const file = join(root, "a_file");
    await Deno.writeTextFile(file, "x");
    const r = await runCli("merge", file, "--out", join(root, "m"), "--quiet");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /a file stands where its folder should be/);
    // The untouched shard still merges.
    assert.equal((await runCli("merge", good, "--out", join(root, "ok"), "--quiet")).code, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
