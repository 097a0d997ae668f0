import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type HostDescription, loadHost, parseHost } from "./description.ts";
import { simulateHost } from "./simulate.ts";
import type { HostResult } from "./result.ts";
import { ConfigError, InputError } from "../util/errors.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function host(vms: unknown[], over: Record<string, unknown> = {}): HostDescription {
  return parseHost(
    { schema: "vmmlab.host/1", platform: "p4-prescott", durationMs: 3, sampleMs: 1, vms, ...over },
    "test-host",
    ROOT,
  );
}

const gzip = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  trace: "traces/compute-gzip.vmt",
  vmm: { cpu: "hw", mmu: "nested" },
  ...extra,
});

/** The result without its wall-clock section. */
function pure(r: HostResult): string {
  return JSON.stringify({ ...r, wall: undefined });
}

Deno.test("host: deterministic, byte-identical across runs", () => {
  const d = host([gzip("a"), gzip("b", { cpu: { shares: 2000 } })]);
  const a = pure(simulateHost(d));
  const b = pure(simulateHost(d));
  assertEquals(a, b);
});

Deno.test("host: two compute-bound VMs with shares 1:2 on one pCPU receive 1:2 of it", () => {
  const d = host([gzip("a"), gzip("b", { cpu: { shares: 2000 } })], {
    durationMs: 6,
    scheduler: { name: "proportional-share", sliceMs: 1 },
  });
  const r = simulateHost(d, { skipAlone: true });
  const [a, b] = r.vms.map((v) => v.cpu.receivedMs);
  // Each slice overshoots by at most a few dozen records; the world switches take the rest.
  ok(Math.abs(a - 2) < 0.1 && Math.abs(b - 4) < 0.1, `received ${a} and ${b} ms`);
  assertEquals(
    r.vms.map((v) => v.cpu.entitlement),
    [1 / 3, 2 / 3].map((x) => Math.round(x * 1e6) / 1e6),
  );
  // Stride order A BB A BB: three switches (a VM that runs again on its pCPU costs none).
  assertEquals(r.totals.worldSwitches, 3);
  // The P4 has no VPID: every switch back flushes the VM's TLB.
  assertEquals(r.vms[0].tlbFlushes, r.vms[0].switchesIn);
});

Deno.test("host: a native VM's world-switch TLB flushes cost it cycles its native baseline never sees", () => {
  // The baseline set must stay apart from the configured one even when both run the native
  // models: the host flushes the configured set's TLBs on a switch, the baseline's never.
  const native = (name: string) => ({ name, trace: "traces/compute-gzip.vmt" });
  const d = host([native("a"), native("b")], {
    durationMs: 6,
    scheduler: { name: "round-robin", sliceMs: 1 },
  });
  const r = simulateHost(d, { skipAlone: true });
  for (const vm of r.vms) {
    ok(vm.tlbFlushes > 0, `${vm.name} flushed ${vm.tlbFlushes} times`);
    ok(vm.cycles.native < vm.cycles.virtualized, `${vm.name}: ${JSON.stringify(vm.cycles)}`);
  }
});

Deno.test("host: alone, a VM is its own reference (slowdown 1); beside a twin, about 2", () => {
  const alone = simulateHost(host([gzip("a")]));
  // The alone run stops within one engine step of the same work (with the cache hierarchy's
  // stalls a step is a larger share of the run: 0.2% here).
  ok(Math.abs(alone.vms[0].slowdownVsAlone! - 1) < 3e-3, `alone ${alone.vms[0].slowdownVsAlone}`);
  const twins = simulateHost(
    host([gzip("a"), gzip("b")], { scheduler: { name: "round-robin", sliceMs: 0.5 } }),
  );
  for (const v of twins.vms) {
    ok(v.slowdownVsAlone! > 1.6 && v.slowdownVsAlone! < 2.6, `slowdown ${v.slowdownVsAlone}`);
  }
});

Deno.test("host: a halting guest sleeps until its next timer tick and leaves the pCPU idle", () => {
  const d = host([{ name: "udp", trace: "traces/net-udp-tx.vmt" }], {
    durationMs: 20,
    sampleMs: 2,
  });
  const r = simulateHost(d, { skipAlone: true });
  const v = r.vms[0];
  ok(v.halts > 0, "the trace halts");
  ok(r.totals.idleMs > 0, "the pCPU idles while the guest is halted");
  ok(v.io.nic.requests > 0 && v.io.nic.meanLatencyUs > 0, "packets went through the NIC");
  // At 250 Hz a tick is 4 ms: at most one halt per tick over 20 ms (plus the first).
  ok(v.halts <= 6, `${v.halts} halts in 20 ms at 250 Hz`);
});

Deno.test("host: disk requests of two VMs queue on the shared disk", () => {
  const dd = (name: string) => ({ name, trace: "traces/disk-dd.vmt" });
  const one = simulateHost(host([dd("a")], { durationMs: 40, sampleMs: 4 }), { skipAlone: true });
  const two = simulateHost(host([dd("a"), dd("b")], { durationMs: 40, sampleMs: 4 }), {
    skipAlone: true,
  });
  const l1 = one.vms[0].io.disk.meanLatencyUs;
  const l2 = two.vms[0].io.disk.meanLatencyUs;
  ok(one.vms[0].io.disk.requests > 0, "dd issues disk requests");
  ok(l2 > l1, `a neighbour's requests delay ours (${l1} -> ${l2} us)`);
});

Deno.test("host file: mistakes are one ConfigError naming the field", () => {
  throws(() => host([]), (e: Error) => e instanceof ConfigError && /vms/.test(e.message));
  throws(() => host([gzip("a"), gzip("a")]), /duplicate VM name/);
  throws(() => host([gzip("a")], { pcpus: 0 }), /pcpus: must be a number from 1/);
  throws(() => host([gzip("a")], { pcpus: 1e6 }), /pcpus/);
  throws(() => host([gzip("a", { cpu: { limitMHz: 10, reservationMHz: 20 } })]), /limit is below/);
  throws(() => host([gzip("a", { memory: { sizeMB: 10, minMB: 20 } })]), /minMB/);
  throws(() => host([gzip("a")], { durationMs: 100, sampleMs: 0.001 }), /samples exceed/);
  throws(() => host([gzip("a")], { extra: 1 }), /extra: unknown field/);
  throws(() => host([{ name: "x" }]), /vms\[0\]\.trace: is required/);
  throws(() => parseHost({ schema: "x", vms: [] }, "f.json", ROOT), /schema/);
  throws(() => simulateHost(host([gzip("a", { vmm: { cpu: "nope" } })])), /unknown cpu model/);
  throws(() => simulateHost(host([{ name: "m", trace: "traces/missing.vmt" }])), InputError);
  throws(
    () => simulateHost(host([gzip("a")], { scheduler: { name: "nope" } })),
    /unknown scheduler/,
  );
});

Deno.test("host file: the committed example validates", () => {
  const d = loadHost(`${ROOT}examples/consolidation/four_servers.json`);
  assertEquals(d.vms.map((v) => v.name), ["web", "db", "batch", "build"]);
});

Deno.test("host: sampling once per detailPeriodUs replays that share of every slice", () => {
  const over = { durationMs: 5, scheduler: { name: "round-robin", sliceMs: 5 }, detailUs: 50 };
  const once = simulateHost(host([gzip("a")], over), { skipAlone: true });
  const periodic = simulateHost(host([gzip("a")], { ...over, detailPeriodUs: 500 }), {
    skipAlone: true,
  });
  // One 50 µs window per 5 ms slice credits 99% of it; one per 500 µs credits 90%, less
  // what each window's replay overruns its budget by (one engine step, a few hundred cycles
  // each, ten times as often).
  ok(Math.abs(once.vms[0].fastForwardShare - 0.99) < 0.002, `${once.vms[0].fastForwardShare}`);
  ok(
    periodic.vms[0].fastForwardShare < 0.9 && periodic.vms[0].fastForwardShare > 0.88,
    `${periodic.vms[0].fastForwardShare}`,
  );
  assertEquals(periodic.host.detailPeriodUs, 500);
  for (
    const bad of [{ detailPeriodUs: 50 }, { detailPeriodUs: 10 }, {
      detailUs: 0,
      detailPeriodUs: 500,
    }]
  ) {
    throws(() => host([gzip("a")], { ...over, ...bad }), ConfigError);
  }
});

Deno.test("host: a VM squeezed by overcommit pays for the host's reclaim in its own replay", () => {
  // Two gzip VMs touch 0.785 MB each in 6 ms; on a 1 MB host (0.94 MB divided) the
  // manager pages each down to its 0.47 MB target. With the swap model, every touch of a
  // page the host swapped faults it back in (mem.swap.fault + mem.swap.in), and the VM's
  // own blind policy swaps out another backed page to keep the target: the VMs crawl. A
  // VM whose memory model is `none` has no model of reclaim and runs as on a roomy host.
  const run = (memoryMB: number, model: string) => {
    const vm = (name: string) => ({
      ...gzip(name, { memory: { sizeMB: 64 } }),
      vmm: { cpu: "hw", mmu: "nested", memory: model },
    });
    const d = host([vm("a"), vm("b")], {
      durationMs: 6,
      pcpus: 2,
      memoryMB,
      memory: { samplePeriodMs: 1 },
      scheduler: { name: "round-robin", sliceMs: 0.5 },
    });
    return simulateHost(d, { skipAlone: true }).vms;
  };
  const roomy = run(4096, "swap"), tight = run(1, "swap"), blind = run(1, "none");
  for (let i = 0; i < 2; i++) {
    assertEquals(roomy[i].memory.swappedMB, 0);
    ok(tight[i].memory.swappedMB > 0.1, `swapped ${tight[i].memory.swappedMB} MB`);
    ok(
      tight[i].instructions < roomy[i].instructions / 2,
      `squeezed ${tight[i].instructions} vs roomy ${roomy[i].instructions} instructions`,
    );
    ok(blind[i].instructions > roomy[i].instructions * 0.99);
    assertEquals(tight[i].warnings, []);
  }
});

Deno.test("host: content sharing lets recorded guests fit where unshared they are swapped", () => {
  // Two 256 MB guests of the multivm-snapshot set (every page listed, so all backed) on a
  // 300 MB host: unshared, 512 MB of demand must be paged down; shared, their pages need
  // only their distinct contents (most of each guest is zero pages) and nothing is paged.
  const run = (sharing: boolean) => {
    const vm = (i: number) => ({
      name: `g${i}`,
      trace: "traces/idle-hz250.vmt",
      memory: { sizeMB: 256, contents: { trace: "traces/multivm-snapshot.vmt", vm: i } },
    });
    return simulateHost(
      host([vm(0), vm(1)], {
        durationMs: 2,
        memoryMB: 300,
        memory: { samplePeriodMs: 1, sharing },
      }),
      { skipAlone: true },
    );
  };
  const unshared = run(false), shared = run(true);
  for (const v of unshared.vms) ok(v.memory.swappedMB > 100, `${v.memory.swappedMB} MB swapped`);
  for (const v of shared.vms) {
    assertEquals([v.memory.heldMB, v.memory.swappedMB], [256, 0]);
    ok(v.memory.sharedMB! > 200, `${v.memory.sharedMB} MB shared`);
  }
  const s = shared.totals.sharing!;
  ok(s.framesMB < 100 && s.savedAcrossMB > 0, JSON.stringify(s));
  assertEquals(s.framesMB + s.savedWithinMB + s.savedAcrossMB, 512);
  assertEquals(unshared.totals.sharing, undefined);
  assertEquals(shared.vms[0].controls.memory.contents, {
    trace: "traces/multivm-snapshot.vmt",
    vm: 0,
  });
  throws(
    () => host([{ ...gzip("a"), memory: { contents: { vm: 0 } } }]),
    /vms\[0\]\.memory\.contents\.trace: is required/,
  );
  throws(
    () =>
      simulateHost(
        host([{ ...gzip("a"), memory: { contents: { trace: "traces/compute-gzip.vmt" } } }]),
      ),
    /no PageHash records/,
  );
});
