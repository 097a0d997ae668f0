/**
 * The import directions DESIGN.md fixes, checked on the source: charts read result objects
 * only (they import no experiment), and an experiment imports no other experiment (shared
 * helpers live in experiments/_lib/, so an experiment can be run, moved or removed alone).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Relative import specifiers of a TypeScript file (static `from "..."` and `import "..."`). */
function relativeImports(path: string): string[] {
  const text = Deno.readTextFileSync(path);
  return [...text.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
}

function tsFiles(dir: string): string[] {
  return [...Deno.readDirSync(`${ROOT}${dir}`)]
    .filter((e) => e.isFile && e.name.endsWith(".ts"))
    .map((e) => `${dir}/${e.name}`)
    .sort();
}

Deno.test("charts import no experiment", () => {
  for (const file of tsFiles("src/charts")) {
    for (const spec of relativeImports(`${ROOT}${file}`)) {
      assert.ok(!spec.includes("experiments/"), `${file} imports ${spec}`);
    }
  }
});

Deno.test("an experiment imports no other experiment, only experiments/_lib, synthetic and src", () => {
  const files = tsFiles("experiments");
  assert.ok(files.length > 5, "the experiments folder was found");
  for (const file of files) {
    for (const spec of relativeImports(`${ROOT}${file}`)) {
      assert.ok(
        // experiments/synthetic/ generates the synthetic traces some experiments replay.
        spec.startsWith("./_lib/") || spec.startsWith("./synthetic/") || spec.startsWith("../src/"),
        `${file} imports ${spec}`,
      );
    }
  }
  for (const file of tsFiles("experiments/_lib")) {
    for (const spec of relativeImports(`${ROOT}${file}`)) {
      assert.ok(
        (spec.startsWith("./") && !spec.includes("/", 2)) || spec.startsWith("../../src/"),
        `${file} imports ${spec}`,
      );
    }
  }
});
