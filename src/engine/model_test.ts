import assert from "node:assert/strict";
import { Transition, TRANSITION_COUNT, TRANSITION_NAMES } from "./model.ts";

Deno.test("transition reasons are numbered densely, one stable name each", () => {
  const codes = Object.values(Transition);
  assert.deepEqual(codes, Array.from({ length: codes.length }, (_, i) => i));
  assert.equal(TRANSITION_COUNT, codes.length);
  assert.equal(TRANSITION_NAMES.length, TRANSITION_COUNT);
  assert.equal(new Set(TRANSITION_NAMES).size, TRANSITION_COUNT);
  assert.equal(TRANSITION_NAMES[Transition.PageFault], "page-fault");
});
