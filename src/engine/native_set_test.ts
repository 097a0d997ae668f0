import assert from "node:assert/strict";
import { TraceReader } from "../trace/reader.ts";
import { type ReplayConfig, resolveConfig } from "./config.ts";
import {
  buildResult,
  isNativeBaseline,
  NATIVE_BASELINE,
  readerInput,
  replay,
  ReplayMachine,
} from "./replay.ts";
import { groupLeaders, replayGroup } from "./group.ts";
import { loadPlatform, withOverrides } from "../platforms/load.ts";
import type { Result } from "./result.ts";

const TRACES = new URL("../../traces/", import.meta.url).pathname;

function withoutHost(r: Result): Omit<Result, "host"> {
  const { host: _host, ...rest } = r;
  return rest;
}

/** The replay as it was before a native configuration became its own baseline: two sets. */
function twoSets(path: string, config: ReplayConfig): Result {
  const reader = TraceReader.open(path);
  try {
    const input = readerInput(reader);
    const resolved = resolveConfig(config);
    const platform = withOverrides(loadPlatform(resolved.platform), resolved.platformSet);
    // Without selfBaseline (the host simulation's way) the baseline is a set of its own.
    const machine = new ReplayMachine(input, resolved, platform, NATIVE_BASELINE);
    assert.notEqual(machine.native, machine.conf);
    machine.run(input.cursor(), input.code);
    machine.finish();
    return buildResult(
      machine,
      input,
      { path, hash: reader.summary.contentHash },
      resolved,
      platform,
      {
        wallSeconds: 0,
      },
    );
  } finally {
    reader.close();
  }
}

const NATIVE: readonly ReplayConfig[] = [
  { cpu: "native", mmu: "native", io: "native", platform: "p4-prescott" },
  { cpu: "native", platform: "modern", options: { "cpu.era": "2006" }, warmup: 1 },
  { cpu: "native", platform: "opteron-barcelona", maxIterations: 3, seed: 9 },
];

for (const trace of ["forkwait.vmt", "lmbench-null-io.vmt"]) {
  Deno.test(`a native configuration measured against itself equals the two-set replay (${trace})`, async () => {
    const path = TRACES + trace;
    for (const config of NATIVE) {
      assert(isNativeBaseline(resolveConfig(config)));
      const own = await replay(path, config);
      const two = twoSets(path, config);
      // replay() reads the trace by path; the identity is the same.
      assert.equal(JSON.stringify(withoutHost(own)), JSON.stringify(withoutHost(two)));
      assert.equal(own.slowdown, 1);
    }
  });
}

Deno.test("a group led by a native configuration equals two-set replays of each configuration", async () => {
  const path = TRACES + "lmbench-null-io.vmt";
  const configs: ReplayConfig[] = [
    { cpu: "bt", mmu: "shadow", platform: "p4-prescott" },
    { cpu: "native", platform: "p4-prescott" },
    { cpu: "hw", mmu: "nested", platform: "p4-prescott" },
  ];
  const group = await replayGroup(path, configs);
  for (let i = 0; i < configs.length; i++) {
    const alone = twoSets(path, configs[i]);
    assert.equal(
      JSON.stringify(withoutHost(group[i])),
      JSON.stringify(withoutHost(alone)),
      `config ${i}`,
    );
  }
  // Not a native configuration: any model off the baseline's.
  assert(!isNativeBaseline(resolveConfig({ cpu: "native", memory: "balloon" })));
  assert(!isNativeBaseline(resolveConfig({ cpu: "native", io: "pv" })));
});

Deno.test("a native configuration leads its baseline key; other keys keep their first", () => {
  const configs = [
    { cpu: "bt", mmu: "shadow", platform: "p4-prescott" },
    { cpu: "hw", mmu: "nested", platform: "modern" },
    { cpu: "native", platform: "p4-prescott" },
    { cpu: "hw", mmu: "nested", platform: "p4-prescott" },
    { cpu: "native", platform: "modern", options: { "cpu.era": "2006" } },
    { cpu: "pv", mmu: "pv-direct", io: "pv", platform: "modern" },
  ].map((c) => resolveConfig(c));
  // p4-prescott: the native configuration (2) leads 0, 2 and 3; modern: 1 leads 1 and 5, and
  // the native one (4) has a key of its own (cpu.era reaches the baseline).
  assert.deepEqual(groupLeaders(configs), [2, 1, 2, 2, 4, 1]);
});
