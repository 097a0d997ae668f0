// Throughput of the memory models' per-reference path: 200 000 references over 4096
// pages (40% to one page, 40% to eight hot pages, 20% sweeping), 1024-page VM squeezed
// by a balloon, host swapping, and page sharing with stores.
import { Pcg32 } from "../../util/pcg32.ts";
import { RecordingHost } from "../mmu/host.ts";
import { SamplingDriver } from "./options.ts";
import { MemoryPressure } from "./reclaim.ts";
import { ReclaimMemory } from "./reclaim_models.ts";
import { ShareMemory } from "./share.ts";
import { PageSharing } from "./sharing.ts";
import { WorkingSetSampler } from "./working_set.ts";

const N = 200_000;
const VM = 4096;
const paddrs = new Float64Array(N);
{
  const rng = new Pcg32(5);
  let sweep = 0;
  for (let i = 0; i < N; i++) {
    const r = rng.nextFloat();
    let page: number;
    if (r < 0.4) page = 10;
    else if (r < 0.8) page = 20 + rng.nextBelow(8);
    else {
      sweep += 64;
      page = 100 + Math.floor(sweep / 4096) % (VM - 100);
    }
    paddrs[i] = page * 4096 + (i & 63) * 8;
  }
}
const COSTS = {
  balloonPage: 1,
  guestSwapIn: 1,
  guestSwapOut: 1,
  vmmFault: 1,
  vmmSwapIn: 1,
  vmmSwapOut: 1,
};

function reclaim(kind: "balloon" | "swap"): ReclaimMemory {
  const h = new RecordingHost({ "mem.sample.fault": 1 });
  let now = 0;
  const pressure = new MemoryPressure(
    h,
    {
      vmPages: VM,
      balloonPages: kind === "balloon" ? 3072 : 0,
      balloonBatch: 1,
      swapPages: kind === "swap" ? 1024 : 0,
    },
    COSTS,
    new Pcg32(1),
  );
  const sampler = new WorkingSetSampler(VM, 100, new Pcg32(2), { slow: 0.25, fast: 0.5 });
  const m = new ReclaimMemory(
    h,
    kind,
    pressure,
    new SamplingDriver(h, sampler, 50_000, () => now++),
    null,
  );
  m.start();
  return m;
}

for (const kind of ["balloon", "swap"] as const) {
  const m = reclaim(kind);
  Deno.bench(`memory ${kind} (${N} refs)`, { group: "memory" }, () => {
    for (let i = 0; i < N; i++) m.access(0, paddrs[i], 8, i & 1);
  });
}

{
  const h = new RecordingHost();
  const sharing = new PageSharing();
  for (let p = 0; p < VM; p++) {
    sharing.hash(0, p, 0, p % 512);
    sharing.hash(1, p, 0, p % 512);
  }
  const m = new ShareMemory(h, sharing, 0, { scan: 1, cowBreak: 1 }, null, VM);
  Deno.bench(`memory share (${N} refs)`, { group: "memory" }, () => {
    for (let i = 0; i < N; i++) m.access(0, paddrs[i], 8, i & 1);
  });
}
