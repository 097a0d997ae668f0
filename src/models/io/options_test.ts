import assert from "node:assert/strict";
import { ConfigError } from "../../util/errors.ts";
import { boolOption, enumOption, intOption, listOption } from "./options.ts";

Deno.test("options: values from a command line or a JSON file", () => {
  assert.equal(boolOption({ a: "true" }, "a", false), true);
  assert.equal(boolOption({}, "a", true), true);
  assert.equal(intOption({ n: "8" }, "n", 1, 1), 8);
  assert.equal(intOption({ n: 8 }, "n", 1, 1), 8);
  assert.equal(enumOption({ e: "pio" }, "e", "hypercall", ["hypercall", "pio"]), "pio");
  assert.deepEqual(listOption({ l: "a, b" }, "l", undefined), ["a", "b"]);
});

Deno.test("options: bad values are one ConfigError naming the option", () => {
  assert.throws(() => boolOption({ a: "maybe" }, "a", false), ConfigError);
  assert.throws(() => intOption({ n: 1.5 }, "n", 1, 1), /n: expected an integer at least 1/);
  assert.throws(() => intOption({ n: "" }, "n", 1, 1), ConfigError);
  assert.throws(() => intOption({ n: 9 }, "n", 1, 1, 8), /from 1 to 8/);
  assert.throws(() => enumOption({ e: "x" }, "e", "a", ["a", "b"]), /one of a, b/);
});
