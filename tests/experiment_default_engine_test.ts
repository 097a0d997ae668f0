import assert from "node:assert/strict";
import { join } from "node:path";
import { synthesize } from "../src/cli/experiment/default_engine.ts";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments } from "../src/cli/experiment/runner.ts";
import { InputError } from "../src/util/errors.ts";

Deno.test("the default engine synthesizes recipes and rejects unknown parameters", () => {
  const bytes = synthesize("syscall", { iterations: 10 });
  assert.ok(bytes.length > 0);
  assert.throws(() => synthesize("syscall", { iters: 10 }), InputError);
  assert.throws(() => synthesize("no-such-recipe", {}), InputError);
});

Deno.test("adams_fig4 through the real engine reproduces every Figure 4 cell within 10%", async () => {
  const out = await Deno.makeTempDir({ prefix: "vmmlab_fig4_" });
  try {
    const report = await runExperiments({
      names: ["adams_fig4"],
      out,
      workers: 2,
      publishedPath: join(REPO_ROOT, "experiments/published"),
      progress: new SilentProgress(),
      warn: (line) => assert.fail(line),
    });
    const rows = report.outcomes![0].rows;
    assert.equal(rows.length, 21);
    for (const row of rows) {
      assert.ok(
        row.relError !== null && Math.abs(row.relError) <= 0.1,
        `${row.label}: ${row.reproduced} vs ${row.published}`,
      );
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
