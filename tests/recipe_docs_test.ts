/**
 * docs/recipes.md's worked example is the real one: its code blocks are the files of
 * docs/examples/pagetouch/, and that folder loads as a recipe from a copy outside the
 * repository (the way a user records it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRecipe } from "../src/record/recipe.ts";
import { InputError } from "../src/util/errors.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLE = join(ROOT, "docs", "examples", "pagetouch");

Deno.test("docs/recipes.md: the worked example's blocks are the example's files", () => {
  const doc = Deno.readTextFileSync(join(ROOT, "docs", "recipes.md"));
  const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => m[2]);
  assert.ok(blocks.includes(Deno.readTextFileSync(join(EXAMPLE, "recipe.json"))));
  assert.ok(blocks.includes(Deno.readTextFileSync(join(EXAMPLE, "run.sh"))));
});

Deno.test("recipes: a recipe folder outside the repository loads by path", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vmmlab-recipe-" });
  try {
    const copy = join(dir, "pagetouch");
    Deno.mkdirSync(copy);
    for (const f of ["recipe.json", "run.sh", "pagetouch.c"]) {
      Deno.copyFileSync(join(EXAMPLE, f), join(copy, f));
    }
    const r = loadRecipe(copy);
    assert.equal(r.name, "pagetouch");
    assert.equal(r.ref, copy);
    assert.deepEqual(r.programs, { pagetouch: ["pagetouch.c"] });
    assert.equal(r.memoryMiB, 128);
    assert.equal(r.iterations, 10);
    Deno.removeSync(join(copy, "pagetouch.c"));
    assert.throws(() => loadRecipe(copy), /programs\.pagetouch: no source pagetouch\.c/);
    assert.throws(() => loadRecipe(join(dir, "nothing")), InputError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
