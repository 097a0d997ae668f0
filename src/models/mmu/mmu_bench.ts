// Throughput of the MMU models' per-access path on a synthetic reference stream: 40% to
// one stack page, 40% to eight hot pages, 20% sweeping an array (a new page every 512
// references), over a 64 MB address range. Reports time per 200 000 references (refs/s
// through bench/report.ts).
import { RecordingHost } from "./host.ts";
import { HardwareMmu } from "./native.ts";
import { ShadowMmu } from "./shadow.ts";
import { Translator, type TranslatorConfig } from "./translator.ts";
import { Pcg32 } from "../../util/pcg32.ts";

const N = 200_000;
const BASE = 0x7f0000000000;
const addrs = new Float64Array(N);
{
  const rng = new Pcg32(1);
  let sweep = 0;
  for (let i = 0; i < N; i++) {
    const r = rng.nextFloat();
    let page: number;
    if (r < 0.4) page = 100;
    else if (r < 0.8) page = 200 + rng.nextBelow(8);
    else {
      sweep += 8;
      page = 1000 + Math.floor(sweep / 4096) % 16384;
    }
    addrs[i] = BASE + page * 4096 + (i & 7) * 8;
  }
}

function config(twoD: boolean): TranslatorConfig {
  return {
    levels: 4,
    l1Entries: 64,
    l1Ways: 0,
    l2Entries: 512,
    l2Ways: 4,
    asid: false,
    asidCount: 1,
    globalKernel: true,
    largePages: "none",
    pwc: twoD ? "2d" : "1d",
    pwcEntries: 24,
    twoD,
    nestedLevels: 4,
    nestedPageSize: 4096,
    ntlbEntries: 16,
    guestPages: 1 << 20,
    cacheLines: 0,
    cacheWays: 0,
  };
}
const COSTS = { l2Hit: 7, ref: 11, pwcHit: 2, ntlbHit: 2, refMiss: 0 };
const SHADOW = { hiddenFault: 1, tracedWrite: 1, trueFault: 1, switchRoot: 1, build: 1, invlpg: 1 };

for (const name of ["native", "nested", "shadow"]) {
  const h = new RecordingHost();
  const t = new Translator(h, config(name === "nested"), COSTS);
  const mmu = name === "shadow"
    ? new ShadowMmu(h, t, SHADOW, { roots: 8, learn: "eager" })
    : new HardwareMmu(t);
  mmu.switchRoot(0x1000);
  Deno.bench(`mmu ${name} (${N} refs)`, { group: "mmu" }, () => {
    for (let i = 0; i < N; i++) mmu.access(addrs[i], addrs[i] - BASE, 8, 0);
  });
}
