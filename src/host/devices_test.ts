import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SharedDevice } from "./devices.ts";
import { parseHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("shared device: requests of two VMs are served one at a time in arrival order", () => {
  // At 1 MHz a cycle is a microsecond: 1000 bytes at 1 MB/s take 1000 us, plus 100 us each.
  const d = new SharedDevice({ bytesPerSecond: 1e6, latencyUs: 100 }, 1e6);
  assertEquals(d.submit(0, 1000), 1100); // VM a: idle device, its own service only
  assertEquals(d.submit(500, 1000), 2200); // VM b: waits 600 us for a's request
  assertEquals(d.submit(600, 0), 2300); // a flush: the fixed cost after b's
  assertEquals(d.submit(5000, 2000), 7100); // the device went idle: no wait
  assertEquals([d.requests, d.bytes, d.busyCycles], [4, 4000, 1100 + 1100 + 100 + 2100]);
});

/** One 64 KiB request of disk-dd takes exactly 2 ms on this disk: 1 ms fixed + 1 ms transfer. */
const DISK = { bytesPerSecond: 65536e3, latencyUs: 1000 };
const SERVICE_US = 2000;

const TECHNIQUES = [
  { io: "pv", cpu: "pv", mmu: "pv-direct" },
  { io: "emulated", cpu: "bt", mmu: "shadow" },
  { io: "hosted", cpu: "bt", mmu: "shadow" },
];

function ddHost(names: string[], vmm: Record<string, string>, scheduler = "round-robin") {
  return parseHost(
    {
      schema: "vmmlab.host/1",
      platform: "xeon-2400",
      pcpus: 2,
      durationMs: 40,
      sampleMs: 4,
      disk: DISK,
      scheduler: { name: scheduler, sliceMs: 30 },
      // Warm: a cold binary translator spends the first ~10 ms translating.
      vms: names.map((name) => ({ name, trace: "traces/disk-dd.vmt", vmm, warmupIterations: 2 })),
    },
    "test-host",
    ROOT,
  );
}

for (const vmm of TECHNIQUES) {
  Deno.test(`shared disk (${vmm.io} I/O): a second dd VM's requests delay the first's`, () => {
    // Alone, the disk is idle whenever a request arrives: every latency is the service.
    const one = simulateHost(ddHost(["a"], vmm), { skipAlone: true });
    const a = one.vms[0].io.disk;
    ok(a.requests >= 10, `${a.requests} requests in 40 ms`);
    assertEquals([a.meanLatencyUs, a.maxLatencyUs], [SERVICE_US, SERVICE_US]);
    // Two VMs, each on its own pCPU, in lockstep: the first request of b waits for a's (2S);
    // after that each request arrives c after its own previous one completed, while the
    // other's is in service, and waits for it: 2S - c, c being the guest's CPU time between
    // requests (a few hundred us here). So every latency is in (S, 2S] and the mean near 2S.
    const two = simulateHost(ddHost(["a", "b"], vmm), { skipAlone: true });
    for (const v of two.vms) {
      const d = v.io.disk;
      ok(d.maxLatencyUs <= 2 * SERVICE_US + 1e-6, `${v.name} max ${d.maxLatencyUs} us`);
      ok(
        d.meanLatencyUs > 1.6 * SERVICE_US && d.meanLatencyUs <= 2 * SERVICE_US,
        `${v.name} mean ${d.meanLatencyUs} us (alone ${SERVICE_US})`,
      );
    }
    assertEquals(two.vms[1].io.disk.maxLatencyUs, 2 * SERVICE_US);
    // The disk is the bottleneck: it serves back to back, one request per S.
    ok(two.totals.disk.utilization > 0.97, `utilization ${two.totals.disk.utilization}`);
    const served = two.totals.disk.requests;
    ok(Math.abs(served - 40_000 / SERVICE_US) <= 1, `${served} requests in 40 ms`);
  });
}

Deno.test("credit: a disk-bound VM woken BOOSTed preempts a compute-bound one", () => {
  // One pCPU, dd beside gzip. Without preemption dd would wait out gzip's 30 ms slices
  // (about one request per slice); Xen's credit scheduler preempts on a BOOSTed wake, so dd
  // keeps the disk nearly as busy as alone. (Both VMs start BOOSTed, so the first slice
  // runs out before dd's first completion is noticed.)
  const mk = (vms: string[]) =>
    parseHost(
      {
        schema: "vmmlab.host/1",
        platform: "xeon-2400",
        pcpus: 1,
        durationMs: 60,
        sampleMs: 6,
        disk: DISK,
        scheduler: { name: "credit" },
        vms: vms.map((t, i) => ({
          name: `vm${i}`,
          trace: `traces/${t}.vmt`,
          vmm: { cpu: "pv", mmu: "pv-direct", io: "pv" },
        })),
      },
      "test-host",
      ROOT,
    );
  const alone = simulateHost(mk(["disk-dd"]), { skipAlone: true }).vms[0].io.disk.requests;
  const mixed = simulateHost(mk(["disk-dd", "compute-gzip"]), { skipAlone: true });
  const beside = mixed.vms[0].io.disk.requests;
  // The first 30 ms slice of gzip (both BOOSTed at start) costs about 30 ms of requests.
  ok(beside >= alone / 2 - 2, `dd issued ${beside} requests beside gzip, ${alone} alone`);
  ok(beside > 60 / 30 + 2, `more than one request per 30 ms slice (${beside})`);
  // Every preemption is a world switch and, on an untagged TLB, a flush of gzip's TLB.
  ok(mixed.vms[1].switchesIn >= beside - 2, `gzip switched in ${mixed.vms[1].switchesIn} times`);
});
