import assert from "node:assert/strict";
import type { RunConfig, TraceSource } from "../../../experiments/_lib/experiment.ts";
import type { Job } from "./jobs.ts";
import { replayUnits } from "./units.ts";

function job(key: string, trace: TraceSource, config: RunConfig): Job {
  return { key, file: `${key}.json`, uses: [key], trace, config };
}

const A = { path: "traces/a.vmt" }, B = { path: "traces/b.vmt" };

Deno.test("units group one trace and window, split large groups evenly, host jobs alone", () => {
  const jobs: Job[] = [
    job("a1", A, { cpu: "bt", platform: "modern" }),
    job("a2", A, { cpu: "hw", platform: "p4-prescott" }),
    job("a3", A, { cpu: "pv", platform: "modern" }),
    job("a4", A, { cpu: "hw", platform: "modern" }),
    job("a5", A, { cpu: "bt", platform: "p4-prescott" }),
    job("aw", A, { cpu: "bt", warmup: 1 }),
    job("am", A, { cpu: "bt", maxIterations: 2 }),
    { key: "h", file: "h.json", uses: ["h"], host: { name: "h", vms: [] } },
    job("b1", B, { cpu: "bt" }),
    job("b2", B, { cpu: "hw" }),
  ];
  const cost = (j: Job) => ("host" in j ? 50 : j.key.startsWith("a") ? 10 : 7);
  const units = replayUnits(jobs, cost, 3);
  const keys = units.map((u) => u.map((j) => j.key));
  // A's whole window: five jobs in two units, one per platform (what their baselines depend
  // on); other windows, traces and hosts apart. Largest summed cost first, ties in order of
  // first appearance (aw before am).
  assert.deepEqual(keys, [["h"], ["a1", "a3", "a4"], ["a2", "a5"], ["b1", "b2"], ["aw"], ["am"]]);
  // A cluster larger than a unit is spread over the units with room.
  const many = Array.from({ length: 7 }, (_, k) => job(`m${k}`, A, { cpu: `c${k}` }));
  const spread = replayUnits(many, () => 1, 3).map((u) => u.map((j) => j.key));
  assert.deepEqual(spread, [["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6"]]);
  // Under the default limit A stays whole; it ties with the host job and came first.
  assert.deepEqual(replayUnits(jobs, cost).map((u) => u.length), [5, 1, 2, 1, 1]);
  // With workers, no unit holds more than a worker's share of the run's cost: 7 jobs on 2
  // workers split in two although 32 would fit in one, and on 7 workers one job each.
  const halves = replayUnits(many, () => 1, 32, 2).map((u) => u.map((j) => j.key));
  assert.deepEqual(halves, [["m0", "m1", "m2", "m3"], ["m4", "m5", "m6"]]);
  assert.equal(replayUnits(many, () => 1, 32, 7).length, 7);
  // A group far below the share stays whole, whatever the workers.
  assert.deepEqual(replayUnits(jobs, cost, 32, 2).map((u) => u.length), [5, 1, 2, 1, 1]);
});

Deno.test("walk-caching designs of one trace share a unit: their baselines read no nested option", () => {
  const pwc = (mode: string, ntlb?: number): RunConfig => ({
    cpu: "hw",
    mmu: "nested",
    platform: "opteron-barcelona",
    options: { "mmu.pwc": mode, ...(ntlb === undefined ? {} : { "mmu.ntlb-entries": ntlb }) },
  });
  const jobs: Job[] = [
    job("n1", A, { cpu: "bt", platform: "modern" }),
    job("p1", A, pwc("2d")),
    job("n2", A, { cpu: "hw", platform: "modern" }),
    job("p2", A, pwc("1d", 0)),
    job("p3", A, pwc("2d", 0)),
    job("n3", A, { cpu: "pv", platform: "modern" }),
    job("x1", A, pwc("none", 0)),
  ];
  const keys = replayUnits(jobs, () => 1, 3).map((u) => u.map((j) => j.key));
  // 1-D and 2-D page-walk caches and nested TLB sizes look alike to the 1-D baseline walker;
  // no page-walk cache at all does not.
  assert.deepEqual(keys, [["n1", "n2", "n3"], ["p1", "p2", "p3"], ["x1"]]);
});
