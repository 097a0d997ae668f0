import assert from "node:assert/strict";
import { join } from "node:path";
import { corpusTraces, executionTraces } from "../experiments/_lib/corpus.ts";
import { clockHz, cyclesToMicroseconds, cyclesToSeconds } from "../experiments/_lib/units.ts";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import { InputError } from "../src/util/errors.ts";

Deno.test("the corpus comes from traces/MANIFEST.json, sorted by path", async () => {
  const root = await Deno.makeTempDir();
  try {
    assert.deepEqual(await corpusTraces(root), [], "no traces folder: no traces");
    await Deno.mkdir(join(root, "traces"));
    await Deno.writeTextFile(join(root, "traces", "zeta.vmt"), "");
    await Deno.writeTextFile(join(root, "traces", "alpha.vmt"), "");
    await Deno.writeTextFile(join(root, "traces", "notes.txt"), "");
    assert.deepEqual(await corpusTraces(root), [
      { path: "traces/alpha.vmt", workload: "alpha" },
      { path: "traces/zeta.vmt", workload: "zeta" },
    ]);
    await Deno.writeTextFile(
      join(root, "traces", "MANIFEST.json"),
      JSON.stringify({
        traces: [
          { file: "kernel-compile.vmt", workload: "kernel-compile", iterations: 1 },
          { file: "forkwait.vmt", workload: "forkwait", iterations: 40 },
        ],
      }),
    );
    assert.deepEqual(await corpusTraces(root), [
      { path: "traces/forkwait.vmt", workload: "forkwait", iterations: 40 },
      { path: "traces/kernel-compile.vmt", workload: "kernel-compile", iterations: 1 },
    ]);
    await Deno.writeTextFile(join(root, "traces", "MANIFEST.json"), '{"traces":[{"file":3}]}');
    await assert.rejects(() => corpusTraces(root), InputError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("execution traces leave out page-content snapshot sets", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "traces"));
    await Deno.writeTextFile(
      join(root, "traces", "MANIFEST.json"),
      JSON.stringify({
        traces: [
          { file: "multivm-snapshot.vmt", workload: "multivm-snapshot", instructions: 0 },
          { file: "hashes.vmt", workload: "hashes", instructions: 0 },
          { file: "forkwait.vmt", workload: "forkwait", instructions: 500 },
          { file: "old.vmt", workload: "old" },
        ],
      }),
    );
    assert.equal((await corpusTraces(root)).length, 4);
    assert.deepEqual((await executionTraces(root)).map((t) => t.workload), ["forkwait", "old"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cycles convert to time with the run's platform clock", () => {
  const result = {
    schema: RESULT_SCHEMA,
    trace: { path: "t", hash: "h", workload: "w", iterations: 1 },
    config: {
      cpu: "bt",
      mmu: "shadow",
      memory: "none",
      io: "native",
      platform: "p4-prescott",
      seed: 1,
    },
    cycles: { native: 1, virtualized: 1, perIteration: { native: 1, virtualized: 1 } },
    slowdown: 1,
    breakdown: {},
    events: {},
    host: {},
  } satisfies Result;
  // Adams & Agesen's host: a 3.8 GHz Pentium 4.
  assert.equal(clockHz(result), 3.8e9);
  assert.equal(cyclesToSeconds(result, 7.6e9), 2);
  assert.equal(cyclesToMicroseconds(result, 3800), 1);
});
