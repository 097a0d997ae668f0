import assert from "node:assert/strict";
import {
  type CpuModel,
  createModel,
  type GuestState,
  type IoModel,
  type MemoryModel,
  type MmuModel,
  type ModelContext,
  modelInfo,
  type ModelOptions,
  Platform,
  type PlatformEntry,
  TRANSITION_NAMES,
} from "../../engine/model.ts";
import type { CodeTable } from "../../trace/code_table.ts";
import { Pcg32 } from "../../util/pcg32.ts";
import { ConfigError } from "../../util/errors.ts";
import "./mod.ts";
import { mmioRecord, netRecord, pioRecord } from "./test_support.ts";

const FIG5_US: Record<string, number> = {
  "io.hosted.vmm-out": 0.57,
  "io.hosted.world-switch-to-host": 4.45,
  "io.hosted.vmapp": 1.23,
  "io.hosted.host-driver": 17.55,
  "io.hosted.vmapp-return": 2.97,
  "io.hosted.world-switch-to-vmm": 4.45,
  "io.hosted.return-to-vm": 0.41,
  "io.hosted.vmm-access.default": 0.91,
  "io.hosted.host-driver-rx": 17.55,
  "io.hosted.host-block": 20,
  "io.hosted.host-irq": 5,
  "io.hosted.select": 5,
};

function platform(extra: Record<string, PlatformEntry> = {}): Platform {
  const entries: Record<string, PlatformEntry> = {};
  for (const [k, v] of Object.entries(FIG5_US)) {
    entries[k] = { value: v, unit: "us", source: "test" };
  }
  return new Platform({
    name: "test-733",
    description: "733 MHz test machine",
    clockHz: 733e6,
    entries: { ...entries, ...extra },
  });
}

/** A context with a CPU whose transitions cost 0 and are recorded by name. */
function context(p: Platform, options: ModelOptions = {}, devices = ["lance"]) {
  const names: string[] = [];
  const cycles = new Float64Array(64);
  const events = new Float64Array(64);
  const transitions: string[] = [];
  const guest: GuestState = {
    cpl: 0,
    cr3: 0,
    interruptsEnabled: true,
    instructions: 0,
    iteration: 0,
    pc: 0xc0100000,
    block: 0,
  };
  const cpu = {
    vmmTransition: (r: number, pc: number) => transitions.push(`${TRANSITION_NAMES[r]}@${pc}`),
  } as unknown as CpuModel;
  const counters: string[] = [];
  const ctx: ModelContext = {
    platform: p,
    code: {} as CodeTable,
    header: { workload: "t", devices, pageSizes: [4096] },
    guest,
    options,
    rng: new Pcg32(1),
    baseline: false,
    category(n: string) {
      const i = names.indexOf(n);
      return i >= 0 ? i : names.push(n) - 1;
    },
    counter(n: string) {
      const i = counters.indexOf(n);
      return i >= 0 ? i : counters.push(n) - 1;
    },
    cycles,
    events,
    warn() {},
    cpu,
    mmu: {} as MmuModel,
    memory: {} as MemoryModel,
    io: {} as IoModel,
  };
  const total = () => names.reduce((s, _n, i) => s + cycles[i], 0);
  const event = (n: string) => events[counters.indexOf(n)];
  return { ctx, total, event, transitions };
}

Deno.test("register: hosted through the registry reproduces Figure 5 from a profile in microseconds", () => {
  const { ctx, total, event, transitions } = context(platform());
  const io = createModel("io", "hosted", ctx);
  io.pio(pioRecord(0, 0x1010, true, 2));
  io.netRequest(netRecord(0, 1514));
  io.finish();
  assert.ok(Math.abs(total() - 31.63 * 733) < 1e-6, String(total()));
  assert.equal(event("world-switches"), 2);
  assert.deepEqual(transitions, [`io@${0xc0100000}`]);
  const d = modelInfo("io", "hosted");
  assert.ok(d.costs!.includes("io.hosted.host-driver"));
  assert.ok(d.costs!.includes("io.hosted.select"));
  assert.ok(d.options!["io.hosted.sendCombining"]);
});

Deno.test("register: every I/O model name is registered and reports missing costs by key", () => {
  for (const name of ["native", "emulated", "hosted", "pv", "passthrough", "channel"]) {
    const { ctx } = context(
      new Platform({ name: "empty", description: "", clockHz: 1e9, entries: {} }),
    );
    assert.throws(() => createModel("io", name, ctx), ConfigError, name);
  }
  assert.throws(() => createModel("io", "teleport", context(platform()).ctx), /unknown io model/);
});

Deno.test("register: cycle and nanosecond units convert; other units are refused", () => {
  const p = platform({
    "io.native.pio": { value: 3209, unit: "cycles", source: "t" },
    "io.native.mmio": { value: 100, unit: "ns", source: "t" },
  });
  const { ctx, total } = context(p, {}, ["port80", "lapic"]);
  const io = createModel("io", "native", ctx);
  io.pio(pioRecord(0, 0x80, false));
  io.mmio(mmioRecord(1, 0xfee000b0, true));
  assert.ok(Math.abs(total() - (3209 + 73.3)) < 1e-9, String(total()));
  const bad = platform({
    "io.native.pio": { value: 1, unit: "entries", source: "t" },
    "io.native.mmio": { value: 1, unit: "cycles", source: "t" },
  });
  assert.throws(() => createModel("io", "native", context(bad).ctx), /not a time/);
});
