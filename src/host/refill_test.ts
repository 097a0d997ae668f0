import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type HostDescription, parseHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";
import { HostVm } from "./vm.ts";
import { measureRefill } from "./refill.ts";
import { usefulMs, usefulThroughput } from "./overhead.ts";
import { loadPlatform } from "../platforms/load.ts";
import { TraceReader } from "../trace/reader.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function host(vms: unknown[], over: Record<string, unknown> = {}): HostDescription {
  return parseHost(
    { schema: "vmmlab.host/1", platform: "p4-prescott", durationMs: 3, sampleMs: 1, vms, ...over },
    "test-host",
    ROOT,
  );
}

const gzip = (name: string, vmm = { cpu: "bt", mmu: "shadow" }) => ({
  name,
  trace: "traces/compute-gzip.vmt",
  vmm,
});

/** Two identical VMs on the P4 over the same reader. */
function twins(vmm = { cpu: "bt", mmu: "shadow" }) {
  const d = host([gzip("a", vmm)]);
  const platform = loadPlatform(d.platform);
  const reader = TraceReader.open(d.vms[0].trace);
  const a = new HostVm(0, d.vms[0], reader, platform, 1);
  const b = new HostVm(0, d.vms[0], reader, platform, 1);
  return { d, platform, reader, a, b };
}

const events = (vm: HostVm, name: string) => vm.machine.conf.eventCounts()[name] ?? 0;

Deno.test("world switch: an untagged flush keeps the shadow tables, so only walks are added", () => {
  const { reader, a, b } = twins();
  try {
    a.replayRecords(100_000);
    b.replayRecords(100_000);
    assertEquals(a.cycles, b.cycles);
    b.flushTlb();
    const hidden = [events(a, "mmu.hidden-faults"), events(b, "mmu.hidden-faults")];
    a.replayRecords(50_000);
    b.replayRecords(50_000);
    // The same records after the switch: no shadow entry had to be rebuilt (a guest's full
    // flush would re-sync the shadow root and fault every page in again)...
    assertEquals(
      events(b, "mmu.hidden-faults") - hidden[1],
      events(a, "mmu.hidden-faults") - hidden[0],
    );
    // ...but the emptied TLB walked again, and that cost cycles.
    ok(b.cycles > a.cycles, `flushed ${b.cycles} against ${a.cycles}`);
    assertEquals(b.tlbFlushes, 1);
  } finally {
    reader.close();
  }
});

Deno.test("refill measurement: deterministic, positive on an untagged flush, reported per VM", () => {
  const { d, platform, reader } = twins();
  try {
    const m1 = measureRefill(d.vms[0], reader, platform, 1, 3, 20_000);
    const m2 = measureRefill(d.vms[0], reader, platform, 1, 3, 20_000);
    assertEquals(m1, m2);
    assertEquals(m1.samples, 3);
    ok(m1.cyclesPerFlush > 0, `refill ${m1.cyclesPerFlush} cycles`);
    // The P4 profile's clock is 3.8 GHz.
    ok(Math.abs(m1.usPerFlush - m1.cyclesPerFlush / 3800) < 1e-9);
  } finally {
    reader.close();
  }
  // In a host run, identical VMs share one measurement; a run without it reports none.
  const r = simulateHost(
    host([gzip("a"), gzip("b")], {
      refillSamples: 2,
      pcpus: 1,
      scheduler: { name: "round-robin", sliceMs: 1 },
    }),
    { skipAlone: true },
  );
  assertEquals(r.host.refillSamples, 2);
  assertEquals(r.vms[0].refill, r.vms[1].refill);
  ok(r.vms[0].refill!.cyclesPerFlush > 0);
  const plain = simulateHost(host([gzip("a")]), { skipAlone: true });
  assertEquals(plain.vms[0].refill, undefined);
  assertEquals("refillSamples" in plain.host, false);
});

Deno.test("overhead: useful time is received less flushes times refill, over time spent", () => {
  const r = simulateHost(
    host([gzip("a"), gzip("b")], {
      refillSamples: 2,
      pcpus: 1,
      scheduler: { name: "round-robin", sliceMs: 1 },
    }),
    { skipAlone: true },
  );
  const vm = structuredClone(r.vms[0]);
  vm.cpu.receivedMs = 10;
  vm.tlbFlushes = 4;
  vm.refill!.usPerFlush = 0.5;
  // 10 ms less 4 × 0.5 µs.
  assertEquals(usefulMs(vm), 9.998);
  const flat = structuredClone(r);
  flat.vms = [vm, { ...vm, tlbFlushes: 0 }];
  flat.totals.worldSwitchMs = 0.004;
  flat.totals.idleMs = 0;
  // (9.998 + 10) / (10 + 10 + 0.004).
  ok(Math.abs(usefulThroughput(flat) - 19.998 / 20.004) < 1e-12);
  throws(() => usefulMs({ ...vm, refill: undefined }), /no refill figure/);
});
