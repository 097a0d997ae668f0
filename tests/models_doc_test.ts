/**
 * docs/models.md's reference section is what the models declare: regenerate it with
 * `deno task docs:models` after changing a model's summary, options or platform keys.
 */
import assert from "node:assert/strict";
import { currentModelsDoc, MODELS_DOC } from "../src/engine/models_doc.ts";

Deno.test("docs/models.md's reference section is current (deno task docs:models)", async () => {
  const page = await Deno.readTextFile(MODELS_DOC);
  assert.equal(page, await currentModelsDoc(page), "run deno task docs:models");
  // The section documents what the code declares: an option, its range and default.
  assert.match(
    page,
    /\| `bt\.tc-capacity` +\| an integer from 1 to 1073741824 \(bytes\) +\| platform bt\.tc-capacity +\|/,
  );
});
