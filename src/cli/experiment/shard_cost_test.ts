import assert from "node:assert/strict";
import { assignShards, describeShards, SYNTH_COST, traceCost, windowShare } from "./shard_cost.ts";
import { dispatchOrder } from "./units.ts";
import { missingShards } from "./merge.ts";
import { writeSlurmScripts } from "./slurm.ts";
import { UsageError } from "../../util/errors.ts";

Deno.test("LPT: largest job first into the least-loaded shard, original order kept", () => {
  const costs = [5, 4, 3, 3, 3];
  const shards = assignShards(costs.map((_, k) => k), 2, (k) => costs[k]);
  // 5 -> A; 4 -> B; 3 -> B (7); 3 -> A (8); 3 -> B (10).
  assert.deepEqual(shards, [[0, 3], [1, 2, 4]]);
  assert.deepEqual(describeShards(shards, (k) => costs[k] * 1e6), [
    "shard 1/2: 2 jobs, 8.0 M instructions estimated (44.4%)",
    "shard 2/2: 3 jobs, 10.0 M instructions estimated (55.6%)",
  ]);
});

Deno.test("equal costs give round robin; one huge job gets a shard of its own", () => {
  const items = [0, 1, 2, 3, 4, 5, 6];
  assert.deepEqual(assignShards(items, 3, () => 1), [[0, 3, 6], [1, 4], [2, 5]]);
  const costs = [1, 100, 1, 1, 1];
  assert.deepEqual(assignShards(costs.map((_, k) => k), 2, (k) => costs[k]), [[1], [0, 2, 3, 4]]);
});

Deno.test("a trace's cost is the manifest's instruction count; a synthetic recipe's a constant", () => {
  const counts = new Map([["forkwait.vmt", 5_500_000]]);
  assert.equal(traceCost({ path: "traces/forkwait.vmt" }, ".", counts), 5_500_000);
  assert.equal(traceCost({ synth: "syscall" }, ".", counts), SYNTH_COST);
});

Deno.test("a windowed replay costs its share of the trace's iterations", () => {
  assert.equal(windowShare(6, 20), 0.3);
  assert.equal(windowShare(undefined, 20), 1);
  assert.equal(windowShare(6, undefined), 1);
  assert.equal(windowShare(20, 20), 1);
});

Deno.test("workers are handed the largest jobs first, ties in plan order", () => {
  const costs = [5, 100, 5, 1, 100];
  assert.deepEqual(dispatchOrder([0, 1, 2, 3, 4], (k) => costs[k]), [1, 4, 0, 2, 3]);
});

Deno.test("merge names the shards absent from a set of i/N folders", () => {
  assert.deepEqual(missingShards(["1/3", "3/3"]), ["2/3"]);
  assert.deepEqual(missingShards(["1/2", "2/2"]), []);
  assert.deepEqual(missingShards([null, "1/2"]), []);
});

Deno.test("slurm scripts: one array task per shard, a dependent merge, quoted paths", async () => {
  const out = await Deno.makeTempDir({ prefix: "vmmlab slurm '" });
  try {
    const jobs = [0, 1, 2, 3];
    const s = await writeSlurmScripts(jobs, () => 1, {
      command: ["experiment", "adams_fig4"],
      shards: 3,
      out,
      root: "/repo dir",
      cpus: 4,
      mem: "8G",
      time: "02:00:00",
    });
    const array = await Deno.readTextFile(s.shards);
    assert.match(array, /^#SBATCH --array=0-2$/m);
    assert.match(array, /^#SBATCH --cpus-per-task=4$/m);
    assert.match(array, /^REPO='\/repo dir'$/m);
    assert.ok(array.includes(`OUT='${out.replaceAll("'", `'\\''`)}'`));
    assert.match(array, /--shard "\$\(\(task \+ 1\)\)\/3"/);
    const merge = await Deno.readTextFile(s.merge);
    assert.match(
      merge,
      /merge "\$OUT\/shard-0" "\$OUT\/shard-1" "\$OUT\/shard-2" --out "\$OUT\/merged"/,
    );
    const submit = await Deno.readTextFile(s.submit);
    assert.match(submit, /--dependency=afterok:"\$array"/);
    assert.equal(s.estimate.length, 3);
    await assert.rejects(
      () =>
        writeSlurmScripts(jobs, () => 1, {
          command: ["experiment"],
          shards: 2,
          out,
          root: "/r",
          cpus: 1,
          mem: "4G; rm -rf /",
          time: "1:00:00",
        }),
      UsageError,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
