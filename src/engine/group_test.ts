import assert from "node:assert/strict";
import { baselineKey, replayGroup } from "./group.ts";
import { replay } from "./replay.ts";
import { type ReplayConfig, resolveConfig } from "./config.ts";
import type { Result } from "./result.ts";
import { ConfigError } from "../util/errors.ts";

const TRACES = new URL("../../traces/", import.meta.url).pathname;

/** Techniques, platforms, shared and unshared baselines, warm-up and iteration limits. */
const CONFIGS: readonly ReplayConfig[] = [
  { cpu: "bt", mmu: "shadow", platform: "p4-prescott" },
  { cpu: "hw", mmu: "nested", platform: "p4-prescott" },
  { cpu: "pv", mmu: "pv-direct", io: "pv", platform: "p4-prescott" },
  // Same baseline as the first three: memory.* options only memory models read.
  { cpu: "trap", memory: "share", platform: "p4-prescott", options: { "memory.vm-mb": 64 } },
  { cpu: "hw", mmu: "nested", platform: "modern" },
  { cpu: "bt", mmu: "shadow", platform: "modern", options: { "cpu.era": "2006" } },
  { cpu: "hw", mmu: "nested", platform: "modern", options: { "mmu.pwc": "none" } },
  { cpu: "native", platform: "modern", platformSet: { "mmu.walk.ref": 40 } },
  { cpu: "bt", mmu: "shadow", platform: "p4-prescott", warmup: 2 },
  { cpu: "hw", mmu: "nested", platform: "p4-prescott", maxIterations: 3 },
  { cpu: "hw", mmu: "shadow", platform: "p4-prescott", maxIterations: 3, seed: 7 },
  // Same baseline as config 4: a 1-D walker reads no nested TLB and caches 2-D as 1-D.
  {
    cpu: "hw",
    mmu: "nested",
    platform: "modern",
    options: { "mmu.pwc": "2d", "mmu.ntlb-entries": 0 },
  },
  { cpu: "native", platform: "modern", options: { "mmu.pwc": "1d", "mmu.nested-levels": 5 } },
];

function withoutHost(r: Result): Omit<Result, "host"> {
  const { host: _host, ...rest } = r;
  return rest;
}

for (const trace of ["lmbench-null-io.vmt", "lmbench-page-fault.vmt"]) {
  Deno.test(`group replay of ${trace} equals each configuration's own replay`, async () => {
    const path = TRACES + trace;
    const group = await replayGroup(path, CONFIGS);
    assert.equal(group.length, CONFIGS.length);
    for (let i = 0; i < CONFIGS.length; i++) {
      const alone = await replay(path, CONFIGS[i]);
      assert.deepStrictEqual(withoutHost(group[i]), withoutHost(alone), `config ${i}`);
      // Key order is part of the result's format.
      assert.equal(JSON.stringify(withoutHost(group[i])), JSON.stringify(withoutHost(alone)));
    }
    // The window limit really cut the replay short, and the warm-up left iterations out.
    assert((group[9].records as number) < (group[1].records as number));
    assert.equal(group[9].trace.iterations, 3);
    assert(group[8].trace.iterations < group[0].trace.iterations);
  });
}

Deno.test("baseline key separates what the baseline reads and ignores what it cannot", () => {
  const key = (c: ReplayConfig) => baselineKey(resolveConfig(c));
  const base = key({ cpu: "bt", mmu: "shadow" });
  assert.equal(key({ cpu: "hw", mmu: "nested", io: "pv" }), base);
  assert.equal(key({ memory: "share", options: { "memory.vm-mb": 64 } }), base);
  assert.equal(key({ io: "hosted", options: { "io.hosted.vmmPorts": "x" } }), base);
  assert.equal(key({ cpu: "hw", mmu: "nested", options: { "mmu.ntlb-entries": 8 } }), base);
  assert.equal(key({ options: { "mmu.pwc": "2d", "mmu.nested-page-size": 2097152 } }), base);
  assert.equal(key({ options: { "mmu.pwc": "1d" } }), base);
  const others: ReplayConfig[] = [
    { platform: "modern" },
    { seed: 2 },
    { warmup: 1 },
    { maxIterations: 5 },
    { platformSet: { "mmu.walk.ref": 40 } },
    { options: { "cpu.era": "2006" } },
    { options: { "mmu.pwc": "none" } },
    { options: { "cache.hierarchy": false } },
  ];
  for (const other of others) {
    assert.notEqual(key(other), base, JSON.stringify(other));
  }
});

Deno.test("group replay rejects a warm-up the trace cannot hold, as replay does", async () => {
  const path = TRACES + "lmbench-null-io.vmt";
  const configs = [{ cpu: "bt" }, { cpu: "hw", warmup: 100000 }];
  await assert.rejects(() => replay(path, configs[1]), ConfigError);
  await assert.rejects(() => replayGroup(path, configs), ConfigError);
});
