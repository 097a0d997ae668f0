/**
 * Every host run an experiment lists simulates to exactly its committed golden result
 * (outside the wall-clock figures), and every golden file belongs to a listed run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import {
  computeHostGolden,
  HOST_GOLDEN_DIR,
  listHostGoldenFiles,
  planHostGolden,
} from "./host_golden.ts";
import { UPDATE_COMMAND } from "./golden_update.ts";

const entries = await planHostGolden();

Deno.test("every experiment host run has a golden file, and every host golden file a run", async () => {
  assert.ok(entries.length > 0, "the experiments list host runs");
  const have = new Set(await listHostGoldenFiles());
  const want = new Set(entries.map((e) => e.file));
  const missing = entries.filter((e) => !have.has(e.file)).map((e) => e.file);
  const stale = [...have].filter((f) => !want.has(f));
  assert.deepEqual(
    { missing, stale },
    { missing: [], stale: [] },
    `${HOST_GOLDEN_DIR} is out of date: run \`${UPDATE_COMMAND}\``,
  );
});

for (const entry of entries) {
  Deno.test(`host golden: ${entry.run}`, async () => {
    const golden = await Deno.readTextFile(join(REPO_ROOT, entry.file));
    assert.equal(
      computeHostGolden(entry),
      golden,
      `${entry.run} no longer simulates to ${entry.file}; if the change is intended, ` +
        `run \`${UPDATE_COMMAND}\` and say why in the commit`,
    );
  });
}
