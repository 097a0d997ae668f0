import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { entitlements } from "../scheduler.ts";
import { Credit } from "./credit.ts";
import { ProportionalShare } from "./proportional_share.ts";
import { RoundRobin } from "./round_robin.ts";
import { context, controls, schedule } from "./test_support.ts";

const order = (runs: { vm: number }[]) => runs.map((r) => "ABCDEF"[r.vm]).join("");

Deno.test("proportional share: shares 1:2 over 30 ms give 10 and 20 ms (stride order ABBABB)", () => {
  const ctx = context([controls({ shares: 1000 }), controls({ shares: 2000 })], 1, 5);
  const { received, runs } = schedule(new ProportionalShare(ctx), ctx, 30);
  assertEquals(received, [10, 20]);
  // Passes (ms / entitlement): A 0→15, B 0→7.5→15, A 15→30 (tie at 15: lower index), B →22.5→30.
  assertEquals(order(runs), "ABBABB");
});

Deno.test("proportional share: 1:2:3 over 60 ms with 1 ms quanta give 10, 20, 30 ms", () => {
  const ctx = context([1000, 2000, 3000].map((s) => controls({ shares: s })), 1, 1);
  assertEquals(schedule(new ProportionalShare(ctx), ctx, 60).received, [10, 20, 30]);
});

Deno.test("ESX entitlements: reservation first, rest by shares, limits give to the others", () => {
  // 1 pCPU of 1000 MHz. VM0 reserves 600 MHz; VM1 and VM2 split the other 400 by shares.
  const a = entitlements({
    pcpus: 1,
    clockHz: 1e9,
    sliceCycles: 0,
    vms: [controls({ reservationMHz: 600 }), controls(), controls()],
  });
  assertEquals(a.map((x) => Math.round(x * 1000)), [600, 200, 200]);
  // Limits: VM0 (shares 3000) is limited to 100 MHz; the other 900 go 1:2 to VM1, VM2.
  const b = entitlements({
    pcpus: 1,
    clockHz: 1e9,
    sliceCycles: 0,
    vms: [
      controls({ shares: 3000, limitMHz: 100 }),
      controls({ shares: 1000 }),
      controls({ shares: 2000 }),
    ],
  });
  assertEquals(b.map((x) => Math.round(x * 1000)), [100, 300, 600]);
  // Two pCPUs: a single vCPU never gets more than one.
  const c = entitlements({
    pcpus: 2,
    clockHz: 1e9,
    sliceCycles: 0,
    vms: [controls({ shares: 9000 }), controls({ shares: 1000 })],
  });
  assertEquals(c.map((x) => Math.round(x * 1000)), [500, 500]);
});

Deno.test("proportional share: a reservation is honoured against equal shares", () => {
  // 1 MHz host: the reservation is in MHz of a 1 MHz pCPU, so 0.6 MHz = 60%.
  const ctx = context([controls({ reservationMHz: 0.6 }), controls(), controls()], 1, 1);
  const { received } = schedule(new ProportionalShare(ctx), ctx, 100);
  assertEquals(received, [60, 20, 20]);
});

Deno.test("proportional share: a limit caps a VM even when the pCPU would idle", () => {
  // VM0 alone, limited to 25% of the pCPU; 10 ms quanta; it may run one quantum's worth
  // (2.5 ms) ahead of its rate. Over 100 ms it receives 25 ms + 2.5 ms of lead.
  const ctx = context([controls({ limitMHz: 0.25 })], 1, 10);
  const { received, runs } = schedule(new ProportionalShare(ctx), ctx, 100);
  assertEquals(runs[0].to - runs[0].from, 10 / 3); // room = 0.25 × 10 / 0.75
  const got = received[0];
  if (!(got >= 25 && got <= 27.5 + 1e-9)) throw new Error(`limited VM received ${got} ms`);
});

Deno.test("round robin: three VMs, 10 ms slices, 60 ms: ABCABC, 20 ms each", () => {
  const ctx = context([controls(), controls(), controls()], 1, 10);
  const { received, runs } = schedule(new RoundRobin(ctx), ctx, 60);
  assertEquals(order(runs), "ABCABC");
  assertEquals(received, [20, 20, 20]);
});

Deno.test("round robin on two pCPUs: three VMs share 120 ms of CPU equally", () => {
  const ctx = context([controls(), controls(), controls()], 2, 10);
  const { received, runs } = schedule(new RoundRobin(ctx), ctx, 60);
  assertEquals(received, [40, 40, 40]);
  assertEquals(runs.slice(0, 3).map((r) => [r.vm, r.pcpu, r.from]), [[0, 0, 0], [1, 1, 0], [
    2,
    0,
    10,
  ]]);
});

Deno.test("Xen credit: weights 1:2, 30 ms slices, the hand-computed schedule to 330 ms", () => {
  // Accounting every 30 ms hands out 300 credits: A 100, B 200 (credit_fair, rounded up).
  // t=0 A runs (A -200). t=30: A -100 OVER, B 400 > 300 -> halved to 200 UNDER: B runs
  // (B -100). t=60: A 0 UNDER, B 100 UNDER, A first in FIFO: A (-300). t=90: A -200 OVER,
  // B 300: B (0). t=120: A -100, B 200: B (-100). t=150: A 0, B 100: A (-300). From here
  // the period is 90 ms: A 30 ms, B 60 ms.
  const ctx = context([controls({ weight: 256 }), controls({ weight: 512 })], 1);
  const sched = new Credit(ctx);
  const { received, runs } = schedule(sched, ctx, 330);
  assertEquals(order(runs), "ABABBABBABB");
  assertEquals(received, [120, 210]);
});

Deno.test("Xen credit: a 50% cap parks the VM until its credit is positive again", () => {
  // Cap credit = 50 x 300 / 100 = 150 a period; 30 ms burns 300. Credit after each
  // accounting (then after running): t=0 150 (-150), t=30 0 (-300), t=60 -150 (-450),
  // t=90 -300 < -150: parked; t=120 -150 still parked (only a positive credit unparks);
  // t=150 0: runs (-300); t=180 -150 runs (-450); t=210 -300 parked; t=240 -150 parked;
  // t=270 0 runs. 180 of the first 300 ms, then 60 of every 120 ms (the 50% cap).
  const ctx = context([controls({ cap: 50 })], 1);
  const { received, runs } = schedule(new Credit(ctx), ctx, 300);
  assertEquals(runs.map((r) => [r.from, r.to]), [
    [0, 30],
    [30, 60],
    [60, 90],
    [150, 180],
    [180, 210],
    [270, 300],
  ]);
  assertEquals(received, [180]);
});
