/**
 * What a group replay saves: the configurations an experiment replays one trace under
 * (overview_techniques' four techniques on two platforms), replayed one by one with
 * `replay` and then together with `replayGroup` (one decode, one native baseline per
 * platform), in one process, alternately over `--rounds` rounds; the fastest round of
 * each counts, as other load on a shared machine only ever adds time. Also checks that
 * both give the same results outside `host`.
 *
 * Usage:
 *   deno run -A bench/group_replay.ts [--trace traces/kernel-compile.vmt] [--rounds 2]
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { replay } from "../src/engine/replay.ts";
import { replayGroup } from "../src/engine/group.ts";
import type { ReplayConfig } from "../src/engine/config.ts";
import type { Result } from "../src/engine/result.ts";

const { values } = parseArgs({
  options: {
    trace: { type: "string", default: "traces/kernel-compile.vmt" },
    rounds: { type: "string", default: "2" },
  },
});
const trace = values.trace;
const rounds = Number(values.rounds);

const TECHNIQUES: ReplayConfig[] = [
  { cpu: "bt", mmu: "shadow", io: "emulated" },
  { cpu: "pv", mmu: "pv-direct", io: "pv" },
  { cpu: "hw", mmu: "shadow", io: "emulated" },
  { cpu: "hw", mmu: "nested", io: "emulated" },
];
const CONFIGS: ReplayConfig[] = ["p4-prescott", "modern"].flatMap((platform) =>
  TECHNIQUES.map((t) => ({ ...t, platform }))
);

function withoutHost(r: Result): string {
  const { host: _host, ...rest } = r;
  return JSON.stringify(rest);
}

/** Wall and CPU seconds of `f`. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1e6 };
}

let alone = { wall: Infinity, cpu: Infinity };
let group = { wall: Infinity, cpu: Infinity };
for (let round = 0; round < rounds; round++) {
  const a = await timed(async () => {
    const out: Result[] = [];
    for (const config of CONFIGS) out.push(await replay(trace, config));
    return out;
  });
  const g = await timed(() => replayGroup(trace, CONFIGS));
  for (let i = 0; i < CONFIGS.length; i++) {
    if (withoutHost(a.value[i]) !== withoutHost(g.value[i])) {
      throw new Error(`configuration ${i}: group result differs from its own replay`);
    }
  }
  if (a.wall < alone.wall) alone = a;
  if (g.wall < group.wall) group = g;
}
console.log(`${trace}, ${CONFIGS.length} configurations, fastest of ${rounds} rounds:`);
console.log(`| replay        |    wall |     CPU |`);
console.log(`| ------------- | ------: | ------: |`);
console.log(`| one by one    | ${alone.wall.toFixed(2)} s | ${alone.cpu.toFixed(2)} s |`);
console.log(`| group         | ${group.wall.toFixed(2)} s | ${group.cpu.toFixed(2)} s |`);
