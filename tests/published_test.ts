import assert from "node:assert/strict";
import { join } from "node:path";
import {
  loadPublished,
  PUBLISHED_RELATIVE_PATH,
  publishedCell,
} from "../experiments/_lib/published.ts";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { InputError } from "../src/util/errors.ts";

Deno.test("the project's published values load, one paper per file, each table cited", async () => {
  const published = await loadPublished(join(REPO_ROOT, PUBLISHED_RELATIVE_PATH));
  assert.deepEqual(Object.keys(published), [
    "adams2006",
    "barham2003_xen",
    "bhargava2008",
    "sugerman2001",
    "waldspurger2002",
  ]);
  assert.equal(
    publishedCell(published, ["adams2006", "fig4_nanobench_cycles"], "ptemod", "hardware_vmm"),
    12733,
  );
  for (const paper of Object.values(published)) {
    const venue = (paper as Record<string, unknown>).venue as string;
    assert.match(venue, /pp\. \d+-\d+/, "every venue gives the paper's pages");
  }
});

Deno.test("a paper file with an uncited table, or no folder at all, is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vmmlab_published_" });
  try {
    await assert.rejects(
      () => loadPublished(join(dir, "missing")),
      (e: Error) => e instanceof InputError && /is not a folder/.test(e.message),
    );
    await Deno.writeTextFile(
      join(dir, "paper.json"),
      JSON.stringify({
        paper: "P",
        venue: "V, pp. 1-2",
        citations: { t1: "Table 1" },
        t1: [1],
        t2: [2],
      }),
    );
    await assert.rejects(
      () => loadPublished(dir),
      (e: Error) => e instanceof InputError && /"t2" has no citation/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
