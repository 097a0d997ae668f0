/**
 * A scheduler harness for hand-computed schedules: always-runnable VMs that each use
 * exactly the slice they are given, on `pcpus` pCPUs taken in clock order (ties: lowest
 * index), as the host loop takes them, with no switch cost.
 *
 * @module
 */

import type { CpuControls } from "../description.ts";
import type { Scheduler, SchedulerContext } from "../scheduler.ts";

/** CPU controls with defaults for tests. */
export function controls(c: Partial<CpuControls> = {}): CpuControls {
  return { shares: 1000, reservationMHz: 0, limitMHz: 0, weight: 256, cap: 0, ...c };
}

/** One run of the schedule: which VM, on which pCPU, from and to (ms). */
export interface Run {
  vm: number;
  pcpu: number;
  from: number;
  to: number;
}

/** A context at 1 MHz (one cycle per µs), so slices and results read in ms × 1000. */
export function context(vms: CpuControls[], pcpus = 1, sliceMs = 0): SchedulerContext {
  return { pcpus, clockHz: 1e6, vms, sliceCycles: sliceMs * 1000 };
}

/** Runs `sched` for `endMs`; returns ms received per VM and the runs in order. */
export function schedule(
  sched: Scheduler,
  ctx: SchedulerContext,
  endMs: number,
): { received: number[]; runs: Run[] } {
  const end = endMs * 1000;
  const n = ctx.vms.length;
  const time = new Float64Array(ctx.pcpus);
  const runnable = new Uint8Array(n).fill(1);
  const running = new Float64Array(n).fill(-1);
  const received = new Array<number>(n).fill(0);
  const runs: Run[] = [];
  for (let i = 0; i < n; i++) sched.wake(i, 0);
  for (let guard = 0; guard < 1_000_000; guard++) {
    let p = 0;
    for (let q = 1; q < ctx.pcpus; q++) if (time[q] < time[p]) p = q;
    const now = time[p];
    if (now >= end) break;
    for (let i = 0; i < n; i++) {
      if (running[i] >= 0 && running[i] <= now) {
        running[i] = -1;
        runnable[i] = 1;
      }
    }
    const vm = sched.pick(p, now, runnable);
    if (vm < 0) {
      let next = end;
      for (let q = 0; q < ctx.pcpus; q++) if (time[q] > now && time[q] < next) next = time[q];
      for (let i = 0; i < n; i++) if (running[i] > now && running[i] < next) next = running[i];
      const ev = sched.nextEvent(now);
      if (ev < next) next = ev;
      time[p] = next > now ? next : now + 1;
      continue;
    }
    const len = Math.min(sched.slice(vm, now), end - now);
    runnable[vm] = 0;
    running[vm] = now + len;
    time[p] = now + len;
    received[vm] += len / 1000;
    runs.push({ vm, pcpu: p, from: now / 1000, to: (now + len) / 1000 });
    sched.charge(vm, len, now + len);
  }
  return { received, runs };
}
