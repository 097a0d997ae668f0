import assert from "node:assert/strict";
import { Pcg32 } from "../../util/pcg32.ts";
import { WorkingSetSampler } from "./working_set.ts";

Deno.test("a VM touching every page is estimated fully active; an idle one decays slowly", () => {
  const s = new WorkingSetSampler(1000, 100, new Pcg32(1), { slow: 0.25, fast: 0.5 });
  assert.equal(s.estimate, 1);
  for (let p = 0; p < 1000; p++) s.touch(p);
  assert.equal(s.touched, 100);
  assert.equal(s.endPeriod(), 1);
  // Idle periods: slow 1 → 0.75 → 0.5625; fast 1 → 0.5 → 0.25. Estimate = max = slow.
  s.endPeriod();
  assert.equal(s.estimate, 0.75);
  s.endPeriod();
  assert.equal(s.estimate, 0.5625);
  assert.equal(s.periods, 3);
});

Deno.test("only the first touch of a sampled page per period is intercepted", () => {
  const s = new WorkingSetSampler(10, 10, new Pcg32(7), { slow: 0.5, fast: 0.5 });
  assert.equal(s.touch(3), true);
  assert.equal(s.touch(3), false);
  assert.equal(s.endPeriod(), 0.1);
  assert.equal(s.touch(3), true); // new period, new sample (all 10 pages)
  assert.equal(s.intercepts, 2);
});

Deno.test("the incremental estimate rises within a period", () => {
  const s = new WorkingSetSampler(100, 100, new Pcg32(3), { slow: 0.1, fast: 0.5 });
  s.endPeriod(); // f = 0
  for (let p = 0; p < 50; p++) s.touch(p);
  assert.equal(s.estimate, 0.25); // fast 0 + 0.5 * (0.5 - 0)
});

Deno.test("samples are distinct, seeded and reproducible", () => {
  const a = new WorkingSetSampler(50, 20, new Pcg32(9), { slow: 0.5, fast: 0.5 });
  const b = new WorkingSetSampler(50, 20, new Pcg32(9), { slow: 0.5, fast: 0.5 });
  const pa = [...Array(50).keys()].filter((p) => a.isSampled(p));
  const pb = [...Array(50).keys()].filter((p) => b.isSampled(p));
  assert.equal(pa.length, 20);
  assert.deepEqual(pa, pb);
});
