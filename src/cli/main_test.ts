import assert from "node:assert/strict";
import { commanderErrorLine } from "./main.ts";

Deno.test("commanderErrorLine: drops the error prefix and joins the hint into one line", () => {
  assert.equal(
    commanderErrorLine("error: unknown option '--jsn'\n(Did you mean --json?)\n"),
    "unknown option '--jsn' (did you mean --json?)",
  );
  assert.equal(
    commanderErrorLine("error: required option '--out <trace>' not specified\n"),
    "required option '--out <trace>' not specified",
  );
  assert.equal(commanderErrorLine("error: a\n  b"), "a b");
});
