import assert from "node:assert/strict";
import { Pcg32 } from "./pcg32.ts";

Deno.test("pcg32 matches the reference sequence of pcg32_random_r (seed 42, stream 54)", () => {
  // First outputs of the PCG reference implementation's demo (pcg32-demo, seed 42u, seq 54u).
  const rng = new Pcg32(42, 54);
  const got = Array.from({ length: 6 }, () => rng.nextU32().toString(16).padStart(8, "0"));
  assert.deepEqual(got, ["a15c02b7", "7b47f409", "ba1d3330", "83d2f293", "bfa4784b", "cbed606e"]);
});

Deno.test("pcg32 nextBelow() stays in range and is deterministic", () => {
  const a = new Pcg32(7), b = new Pcg32(7);
  for (let i = 0; i < 1000; i++) {
    const x = a.nextBelow(10);
    assert.ok(x >= 0 && x < 10);
    assert.equal(x, b.nextBelow(10));
  }
});
