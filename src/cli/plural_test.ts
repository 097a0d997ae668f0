import assert from "node:assert/strict";
import { counted } from "./plural.ts";

Deno.test("counted: singular for exactly one, plural otherwise", () => {
  assert.equal(counted(1, "chunk"), "1 chunk");
  assert.equal(counted(0, "chunk"), "0 chunks");
  assert.equal(counted(4, "worker"), "4 workers");
});
