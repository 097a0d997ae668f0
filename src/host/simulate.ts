/**
 * The host simulation: VMs advance in simulated cycles on the physical CPUs as the
 * scheduler decides. Events are taken in simulated-time order, the pCPU with the
 * earliest clock first (ties: lowest index), so the result is a pure function of the
 * host description and the traces. Per decision on a pCPU: VMs whose halt or I/O wait
 * ended are woken (in wake-time, then index, order), the scheduler picks a VM, a world
 * switch is charged if the pCPU last ran another VM or idled (`host.world-switch`), the
 * VM's untagged TLB is flushed if another VM ran on the pCPU since (VPID/ASID tagging
 * keeps it), and the VM replays its slice. A halted VM sleeps until its next timer tick;
 * a VM with a disk request sleeps until the shared disk completes it; network requests
 * queue on the shared NIC without stopping the VM. A scheduler that preempts on wake
 * (credit) has the running slice cut short where such a VM wakes. Every sampling period
 * the memory manager reallocates host memory.
 *
 * @module
 */

import { loadPlatform } from "../platforms/load.ts";
import type { Platform } from "../engine/model.ts";
import { Pcg32 } from "../util/pcg32.ts";
import { TraceReader } from "../trace/reader.ts";
import { ConfigError } from "../util/errors.ts";
import { WorkingSetSampler } from "../models/memory/working_set.ts";
import { HOST_LIMITS, type HostDescription } from "./description.ts";
import { createScheduler } from "./scheduler.ts";
import { SharedDevice } from "./devices.ts";
import { MemoryManager } from "./memory_manager.ts";
import { HostVm, RunEnd } from "./vm.ts";
import { loadPageSummary, type PageSummary } from "./page_summary.ts";
import { loadContents, shareContents, type SharingFigures, type VmContents } from "./contents.ts";
import type { HostResult, VmResult } from "./result.ts";
import { HOST_RESULT_SCHEMA } from "./result.ts";
import { measureRefill, type RefillMeasurement } from "./refill.ts";
import "./schedulers/mod.ts";

/** Platform key of a world switch between two VMs (or the idle world and a VM). */
export const WORLD_SWITCH_KEY = "host.world-switch";

/**
 * Inflated chunks kept per trace (`TraceReader.cachePayloads`): the VMs of a host share a
 * trace's reader, and sampled runs jump between its chunks at every slice. 64 MB holds
 * every chunk of the committed traces (compute-gzip inflates to about 48 MB).
 */
const PAYLOAD_CACHE_BYTES = 64 << 20;

/**
 * Decoded records kept per trace (`TraceReader.cacheRecords`, about 17 bytes a record):
 * the VMs on one trace, and each VM at every pass of its loop, then copy a chunk's records
 * instead of decoding them again. 128 MB holds the seven chunks of web-lighttpd (7.0 M
 * records); a longer trace keeps its first chunks and decodes the rest per visit.
 */
const RECORD_CACHE_BYTES = 128 << 20;

/** Options of {@link simulateHost}. */
export interface SimulateOptions {
  /** Called with the fraction of simulated time done (at most once per per cent). */
  onProgress?: (fraction: number) => void;
  /** Skip the runs of each VM alone (no `slowdownVsAlone`). */
  skipAlone?: boolean;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The per-VM figures one run produces, before the alone runs are known. */
interface RawRun {
  result: HostResult;
  /** Simulated cycles at which VM 0 reached `stopAt` instructions (Infinity: never). */
  reachedAt: number;
  /** Per VM, the simulated cycles at which its last run segment ended. */
  lastEnd: Float64Array;
}

function openReaders(desc: HostDescription): Map<string, TraceReader> {
  const readers = new Map<string, TraceReader>();
  try {
    for (const vm of desc.vms) {
      if (readers.has(vm.trace)) continue;
      const reader = TraceReader.open(vm.trace);
      reader.cachePayloads(PAYLOAD_CACHE_BYTES);
      reader.cacheRecords(RECORD_CACHE_BYTES);
      readers.set(vm.trace, reader);
    }
  } catch (e) {
    for (const r of readers.values()) r.close();
    throw e;
  }
  return readers;
}

/** Each trace's page-access summary (null: it has none), loaded once per simulation. */
function loadSummaries(readers: Map<string, TraceReader>): Map<string, PageSummary | null> {
  const out = new Map<string, PageSummary | null>();
  for (const [path, reader] of readers) out.set(path, loadPageSummary(reader));
  return out;
}

/** Each VM's recorded page contents (null: none given), loaded once per simulation. */
function loadAllContents(desc: HostDescription): (VmContents | null)[] {
  const cache = new Map<string, VmContents>();
  return desc.vms.map((v) => {
    const c = v.memory.contents;
    if (c === undefined) return null;
    const pages = v.memory.sizeMB * 256;
    const key = JSON.stringify([c.trace, c.vm, pages]);
    let got = cache.get(key);
    if (got === undefined) {
      const reader = TraceReader.open(c.trace);
      try {
        got = loadContents(reader, c.vm, pages);
      } finally {
        reader.close();
      }
      cache.set(key, got);
    }
    return got;
  });
}

function run(
  desc: HostDescription,
  platform: Platform,
  readers: Map<string, TraceReader>,
  summaries: Map<string, PageSummary | null>,
  contents: (VmContents | null)[],
  onProgress?: (fraction: number) => void,
  stopAt = Infinity,
): RawRun {
  const clockHz = platform.clockHz;
  const cyclesPerMs = clockHz / 1000;
  // An alone run may take up to ten times the duration to reach its target.
  const end = (stopAt === Infinity ? 1 : 10) * desc.durationMs * cyclesPerMs;
  const P = desc.pcpus;
  const n = desc.vms.length;
  if (!platform.has(WORLD_SWITCH_KEY)) {
    throw new ConfigError(
      platform.origin,
      `platform ${platform.name} has no entry`,
      `entries.${WORLD_SWITCH_KEY}`,
    );
  }
  const switchCost = platform.cost(WORLD_SWITCH_KEY);
  const samples = Math.ceil(desc.durationMs / desc.sampleMs - 1e-9);
  if (samples * n > 4 * HOST_LIMITS.samples * 64) {
    throw new ConfigError(
      desc.origin,
      `${samples} samples for ${n} VMs are too many points`,
      "sampleMs",
    );
  }
  const sampleCycles = desc.sampleMs * cyclesPerMs;
  const detailCycles = desc.detailUs * clockHz / 1e6;
  const periodCycles = desc.detailPeriodUs * clockHz / 1e6;
  const vms = desc.vms.map((d, i) =>
    new HostVm(i, d, readers.get(d.trace)!, platform, desc.seed + i)
  );
  const sched = createScheduler(desc.scheduler.name, {
    pcpus: P,
    clockHz,
    vms: desc.vms.map((v) => v.cpu),
    sliceCycles: desc.scheduler.sliceMs * cyclesPerMs,
  });
  const disk = new SharedDevice(desc.disk, clockHz);
  const nic = new SharedDevice(desc.nic, clockHz);
  const memory = new MemoryManager(
    desc.memoryMB * 256,
    desc.memory.taxRate,
    desc.vms.map((v) => ({
      shares: v.memory.shares,
      minPages: v.memory.minMB * 256,
      maxPages: v.memory.maxMB * 256,
      balloon: v.vmm.memory === "balloon",
    })),
  );
  // A VM whose trace has a page-access summary follows it (src/host/page_summary.ts),
  // from before its warm-up, whose replayed records then touch no pages of its demand.
  for (const vm of vms) {
    const summary = summaries.get(vm.desc.trace);
    if (summary) vm.followSummary(summary, desc.stagger ? vm.index / n : 0);
  }
  for (const vm of vms) vm.prewarm();
  if (desc.stagger) {
    for (const vm of vms) vm.source.skipInstructions(vm.source.loopInstructions * vm.index / n);
  }
  // Recorded contents back every page they list from time 0; with sharing on, pages of
  // equal content take one host page (src/host/contents.ts).
  for (const vm of vms) {
    const c = contents[vm.index];
    if (c === null) continue;
    for (let p = 0; p < c.keys.length; p++) {
      if (!Number.isNaN(c.keys[p])) vm.source.touchPage(p, false);
    }
  }
  const sharing: SharingFigures | null = desc.memory.sharing ? shareContents(contents) : null;
  if (sharing !== null) memory.sharedSaved = sharing.savedWithin + sharing.savedAcross;
  const rootRng = new Pcg32(desc.seed, 15);
  for (const vm of vms) {
    const pages = vm.source.vmPages;
    vm.source.sampler = new WorkingSetSampler(
      pages,
      Math.min(desc.memory.sampleSize, pages),
      new Pcg32(rootRng.nextU32(), vm.index + 1),
      { slow: 0.25, fast: 0.5 },
    );
  }
  const memPeriod = desc.memory.samplePeriodMs * cyclesPerMs;
  let nextMem = memPeriod;

  const pcpuTime = new Float64Array(P);
  const pcpuLastVm = new Int32Array(P).fill(-1);
  const pcpuIdled = new Uint8Array(P);
  const runnable = new Uint8Array(n).fill(1);
  const wakeAt = new Float64Array(n).fill(Infinity);
  /** 1 while `wakeAt` is the end of a slice (the VM is still on its pCPU until then). */
  const sliceEnd = new Uint8Array(n);
  const lastPcpu = new Int32Array(n).fill(-1);
  const received = new Float64Array(n);
  const lastEnd = new Float64Array(n);
  const switchesIn = new Float64Array(n);
  const diskReq = new Float64Array(n), diskBytes = new Float64Array(n);
  const diskLat = new Float64Array(n), diskMax = new Float64Array(n);
  const netReq = new Float64Array(n), netBytes = new Float64Array(n);
  const netLat = new Float64Array(n), netMax = new Float64Array(n);
  let idleCycles = 0, switchCycles = 0, worldSwitches = 0;
  // Time series: CPU cycles per VM per sample; memory state at each sample's end.
  const cpuBins = new Float64Array(n * samples);
  const heldMB: number[][] = vms.map(() => []);
  const balloonMB: number[][] = vms.map(() => []);
  const swapMB: number[][] = vms.map(() => []);
  const following = vms.some((v) => v.summaryClock !== null);
  const targetMB: number[][] = vms.map(() => []);
  const activeMB: number[][] = vms.map(() => []);
  let nextSample = sampleCycles;
  let lastProgress = -1;
  let reachedAt = Infinity;
  for (let i = 0; i < n; i++) sched.wake(i, 0);

  const addCpu = (vm: number, t0: number, t1: number) => {
    let t = t0;
    while (t < t1) {
      const bin = Math.min(samples - 1, Math.floor(t / sampleCycles));
      const binEnd = Math.min(t1, (bin + 1) * sampleCycles);
      const step = bin === samples - 1 ? t1 - t : binEnd - t;
      cpuBins[vm * samples + bin] += step;
      t += step;
    }
  };
  const memoryPeriod = () => {
    const touched = vms.map((v) => v.source.touchedPages);
    const active = vms.map((v) => {
      v.source.sampler!.endPeriod();
      return v.source.sampler!.estimate;
    });
    memory.period(touched, active);
    for (let i = 0; i < n; i++) {
      vms[i].setReclaim(memory.state[i].ballooned, memory.state[i].swapped);
    }
  };
  const recordMemory = () => {
    for (let i = 0; i < n; i++) {
      const s = memory.state[i];
      heldMB[i].push(round(s.held / 256, 3));
      balloonMB[i].push(round(s.ballooned / 256, 3));
      swapMB[i].push(round(s.swapped / 256, 3));
      if (following) {
        targetMB[i].push(round(s.target / 256, 3));
        activeMB[i].push(round(s.active * vms[i].desc.memory.sizeMB, 3));
      }
    }
  };
  /**
   * A slice ends early where a waiting VM wakes that the scheduler says takes the pCPU,
   * unless another pCPU idles (it takes the VM instead, as Xen tickles idle pCPUs first).
   * Wakes are known ahead: timer ticks and disk completions are set when a VM stops. One
   * wake cuts one slice: the first pCPU to claim it (in simulated-time order).
   */
  const preemptAt = (running: number, now: number, t: number, budget: number): number => {
    for (let q = 0; q < P; q++) if (pcpuIdled[q] === 1) return budget;
    const limit = t + budget;
    let first = Infinity, by = -1;
    for (let i = 0; i < n; i++) {
      const w = wakeAt[i];
      if (
        sliceEnd[i] === 0 && w > now && w < limit && w < first && claimed[i] !== w &&
        sched.preempts!(i, running, w)
      ) {
        first = w;
        by = i;
      }
    }
    if (by < 0) return budget;
    claimed[by] = first;
    return Math.max(1, first - t);
  };
  /** Per VM, the wake time that already cut a slice (-1: none). */
  const claimed = new Float64Array(n).fill(-1);
  /** Per VM, 1 when its last run ended in a halt or an I/O wait (not its budget). */
  const stoppedLast = new Uint8Array(n);
  const endRun = { reason: 0 };
  let netOffsetBase = 0;
  let netVm = 0;
  for (const vm of vms) {
    vm.onNet = (offset, bytes) => {
      const t = netOffsetBase + offset;
      const done = nic.submit(t, bytes);
      netReq[netVm]++;
      netBytes[netVm] += bytes;
      netLat[netVm] += done - t;
      if (done - t > netMax[netVm]) netMax[netVm] = done - t;
    };
  }

  for (;;) {
    let p = 0;
    for (let q = 1; q < P; q++) if (pcpuTime[q] < pcpuTime[p]) p = q;
    const now = pcpuTime[p];
    while (nextMem <= now && nextMem <= end) {
      memoryPeriod();
      nextMem += memPeriod;
    }
    while (nextSample <= now && heldMB[0].length < samples) {
      recordMemory();
      nextSample += sampleCycles;
    }
    if (onProgress) {
      const pct = Math.floor(Math.min(now, end) / end * 100);
      if (pct > lastProgress) {
        lastProgress = pct;
        onProgress(pct / 100);
      }
    }
    if (now >= end || reachedAt !== Infinity) break;
    // Wake, in (wake time, index) order.
    for (;;) {
      let w = -1;
      for (let i = 0; i < n; i++) {
        if (wakeAt[i] <= now && (w < 0 || wakeAt[i] < wakeAt[w])) w = i;
      }
      if (w < 0) break;
      const at = wakeAt[w];
      wakeAt[w] = Infinity;
      runnable[w] = 1;
      // A VM back from a slice on another pCPU was never asleep.
      if (sliceEnd[w] === 0) sched.wake(w, at);
      sliceEnd[w] = 0;
    }
    const vmIndex = sched.pick(p, now, runnable);
    if (vmIndex < 0) {
      let next = end;
      for (let i = 0; i < n; i++) if (wakeAt[i] < next) next = wakeAt[i];
      for (let q = 0; q < P; q++) {
        if (q !== p && pcpuTime[q] > now && pcpuTime[q] < next) next = pcpuTime[q];
      }
      const ev = sched.nextEvent(now);
      if (ev < next) next = ev;
      if (nextMem < next) next = nextMem;
      if (!(next > now)) next = now + 1;
      idleCycles += next - now;
      pcpuTime[p] = next;
      pcpuIdled[p] = 1;
      continue;
    }
    const vm = vms[vmIndex];
    runnable[vmIndex] = 0;
    let t = now;
    if (pcpuLastVm[p] !== vmIndex || pcpuIdled[p] === 1) {
      if (pcpuLastVm[p] !== -1 || pcpuIdled[p] === 1) {
        t += switchCost;
        switchCycles += switchCost;
        worldSwitches++;
        switchesIn[vmIndex]++;
      }
      const otherRan = pcpuLastVm[p] !== vmIndex && pcpuLastVm[p] !== -1;
      const moved = lastPcpu[vmIndex] !== -1 && lastPcpu[vmIndex] !== p;
      if ((!vm.tagged && otherRan) || moved) vm.flushTlb();
    }
    pcpuIdled[p] = 0;
    pcpuLastVm[p] = vmIndex;
    lastPcpu[vmIndex] = p;
    let budget = Math.min(sched.slice(vmIndex, t), Math.max(1, end - t));
    if (sched.preempts !== undefined) budget = preemptAt(vmIndex, now, t, budget);
    netOffsetBase = t;
    netVm = vmIndex;
    // Only a VM whose last run used its whole budget is sampled: fast-forwarding skips the
    // stops in the skipped records, so it would run an I/O-bound or halting VM as if it
    // never waited (a disk hog would replay as a CPU hog).
    const used = detailCycles > 0 && stoppedLast[vmIndex] === 0
      ? vm.runSampled(budget, detailCycles, endRun, stopAt, periodCycles)
      : vm.runFor(budget, endRun, stopAt);
    vm.syncSummary();
    // The alone run stops when the VM has done the work it did beside the others (to
    // within one engine step).
    if (vm.instructions >= stopAt && reachedAt === Infinity) reachedAt = t + used;
    stoppedLast[vmIndex] = endRun.reason === RunEnd.Budget ? 0 : 1;
    addCpu(vmIndex, t, t + used);
    received[vmIndex] += used;
    t += used;
    lastEnd[vmIndex] = t;
    pcpuTime[p] = t;
    sched.charge(vmIndex, used, t);
    if (endRun.reason === RunEnd.Halt) {
      const tick = clockHz / vm.desc.timerHz;
      wakeAt[vmIndex] = (Math.floor(t / tick) + 1) * tick;
      sched.block(vmIndex, t);
    } else if (endRun.reason === RunEnd.Disk) {
      const done = disk.submit(t, vm.requestBytes);
      diskReq[vmIndex]++;
      diskBytes[vmIndex] += vm.requestBytes;
      diskLat[vmIndex] += done - t;
      if (done - t > diskMax[vmIndex]) diskMax[vmIndex] = done - t;
      wakeAt[vmIndex] = done;
      sched.block(vmIndex, t);
    } else if (P === 1) {
      runnable[vmIndex] = 1;
    } else {
      // Other pCPUs are behind in simulated time: the VM is theirs to pick only from
      // the end of this slice.
      wakeAt[vmIndex] = t;
      sliceEnd[vmIndex] = 1;
    }
  }
  while (heldMB[0].length < samples) recordMemory();
  for (const vm of vms) vm.machine.finish();

  const simSeconds = desc.durationMs / 1000;
  const capacity = P * end;
  const us = (c: number) => round(c / clockHz * 1e6, 3);
  const vmResults: VmResult[] = vms.map((vm, i) => {
    const reader = readers.get(vm.desc.trace)!;
    const share = received[i] / capacity;
    const ent = sched.entitlement(i);
    const native = vm.nativeCycles, virt = vm.cycles;
    const s = memory.state[i];
    return {
      name: vm.desc.name,
      trace: {
        path: vm.desc.traceAsWritten,
        hash: reader.summary.contentHash,
        workload: reader.header.workload,
        loopsAtMarkers: vm.source.bounds.atMarkers,
      },
      vmm: { ...vm.desc.vmm, options: { ...vm.desc.vmm.options } },
      controls: { cpu: { ...vm.desc.cpu }, memory: memoryControls(vm.desc.memory) },
      instructions: Math.round(vm.instructions),
      iterations: vm.iterations,
      passes: vm.source.passes,
      instructionsPerSecond: Math.round(vm.instructions / simSeconds),
      slowdownVsAlone: null,
      cpu: {
        receivedMs: round(received[i] / cyclesPerMs, 4),
        share: round(share, 6),
        entitlement: round(ent, 6),
        fairnessError: round(share - ent, 6),
      },
      cycles: {
        native: round(native, 2),
        virtualized: round(virt, 2),
        virtualizationSlowdown: native > 0 ? round(virt / native, 6) : 0,
      },
      fastForwardShare: received[i] > 0 ? round(vm.fastForwardCycles / received[i], 6) : 0,
      switchesIn: switchesIn[i],
      tlbFlushes: vm.tlbFlushes,
      halts: vm.halts,
      io: {
        disk: {
          requests: diskReq[i],
          bytes: diskBytes[i],
          meanLatencyUs: diskReq[i] > 0 ? us(diskLat[i] / diskReq[i]) : 0,
          maxLatencyUs: us(diskMax[i]),
        },
        nic: {
          requests: netReq[i],
          bytes: netBytes[i],
          meanLatencyUs: netReq[i] > 0 ? us(netLat[i] / netReq[i]) : 0,
          maxLatencyUs: us(netMax[i]),
        },
      },
      memory: {
        touchedMB: round(vm.source.touchedPages / 256, 3),
        heldMB: round(s.held / 256, 3),
        targetMB: round(s.target / 256, 3),
        balloonedMB: round(s.ballooned / 256, 3),
        swappedMB: round(s.swapped / 256, 3),
        activeFraction: round(s.active, 6),
        ...(vm.summaryClock ? { summaryIntervals: vm.summaryClock.applied } : {}),
        ...(sharing !== null && contents[i] !== null
          ? { sharedMB: round(sharing.shared[i] / 256, 3) }
          : {}),
      },
      breakdown: vm.machine.conf.breakdown((x) => round(x, 2)),
      warnings: vm.machine.conf.warnings(),
    };
  });
  let instructions = 0, replayed = 0;
  for (const vm of vms) {
    instructions += Math.round(vm.instructions);
    replayed += vm.machine.guest.instructions;
  }
  const result: HostResult = {
    schema: HOST_RESULT_SCHEMA,
    host: {
      name: desc.name,
      platform: platform.origin === `platform ${platform.name}`
        ? platform.name
        : `${platform.name} (${platform.origin})`,
      pcpus: P,
      memoryMB: desc.memoryMB,
      durationMs: desc.durationMs,
      scheduler: { ...desc.scheduler, ...sched.describe() },
      memoryManager: { ...desc.memory },
      seed: desc.seed,
      detailUs: desc.detailUs,
      ...(desc.detailPeriodUs > 0 ? { detailPeriodUs: desc.detailPeriodUs } : {}),
      stagger: desc.stagger,
      ...(desc.refillSamples > 0 ? { refillSamples: desc.refillSamples } : {}),
      worldSwitchCycles: switchCost,
    },
    vms: vmResults,
    totals: {
      instructions,
      instructionsPerSecond: Math.round(instructions / simSeconds),
      cpuUtilization: round(1 - idleCycles / capacity, 6),
      idleMs: round(idleCycles / cyclesPerMs, 4),
      worldSwitches,
      worldSwitchMs: round(switchCycles / cyclesPerMs, 4),
      memoryState: ["high", "soft", "hard", "low"][memory.freeState],
      ...(sharing !== null
        ? {
          sharing: {
            framesMB: round(sharing.frames / 256, 3),
            savedWithinMB: round(sharing.savedWithin / 256, 3),
            savedAcrossMB: round(sharing.savedAcross / 256, 3),
          },
        }
        : {}),
      disk: {
        requests: disk.requests,
        bytes: disk.bytes,
        utilization: round(Math.min(1, disk.busyCycles / end), 6),
      },
      nic: {
        requests: nic.requests,
        bytes: nic.bytes,
        utilization: round(Math.min(1, nic.busyCycles / end), 6),
      },
    },
    series: {
      timeMs: Array.from(
        { length: samples },
        (_, k) => round(Math.min(desc.durationMs, (k + 1) * desc.sampleMs), 6),
      ),
      cpuShare: vms.map((_, i) =>
        Array.from({ length: samples }, (_, k) => {
          const width = Math.min(end, (k + 1) * sampleCycles) - k * sampleCycles;
          return round(cpuBins[i * samples + k] / Math.max(width, 1), 6);
        })
      ),
      heldMB,
      balloonedMB: balloonMB,
      swappedMB: swapMB,
      ...(following ? { targetMB, activeMB } : {}),
    },
    wall: { seconds: 0, instructionsPerSecond: 0, replayedInstructions: replayed },
  };
  return { result, reachedAt, lastEnd };
}

/** A VM's memory controls as a result shows them (paths as written, not resolved). */
function memoryControls(m: HostDescription["vms"][number]["memory"]) {
  const { contents, ...rest } = m;
  return contents === undefined ? { ...rest } : {
    ...rest,
    contents: { trace: contents.traceAsWritten, vm: contents.vm },
  };
}

/** Identity of a VM for its alone run (everything that shapes it, not its name). */
function aloneKey(desc: HostDescription, i: number): string {
  const v = desc.vms[i];
  return JSON.stringify([v.trace, v.vmm, v.cpu, v.memory, v.timerHz]);
}

/**
 * Simulates `desc` and, unless `skipAlone`, each VM alone on the same host until it has
 * executed the instructions it executed here: its slowdown is this run's duration over
 * that time (null when alone it never gets there, e.g. a VM that only halts). Bad input throws
 * `InputError` subclasses with one-line messages.
 */
export function simulateHost(desc: HostDescription, options: SimulateOptions = {}): HostResult {
  const platform = loadPlatform(desc.platform);
  const readers = openReaders(desc);
  try {
    const t0 = performance.now();
    const summaries = loadSummaries(readers);
    const contents = loadAllContents(desc);
    const main = run(desc, platform, readers, summaries, contents, options.onProgress);
    const wall = (performance.now() - t0) / 1000;
    if (!options.skipAlone) {
      // Slowdown: the time this VM took here for its instructions (to the end of its
      // last run) over the time it needs for them alone on the same host (the alone run
      // stops there).
      const alone = new Map<string, RawRun>();
      for (let i = 0; i < desc.vms.length; i++) {
        const target = main.result.vms[i].instructions;
        const key = `${aloneKey(desc, i)}|${target}`;
        let solo = alone.get(key);
        if (solo === undefined) {
          solo = run(
            { ...desc, vms: [desc.vms[i]] },
            platform,
            readers,
            summaries,
            [contents[i]],
            undefined,
            target,
          );
          alone.set(key, solo);
        }
        main.result.vms[i].slowdownVsAlone = target > 0 && solo.reachedAt > 0 &&
            solo.reachedAt !== Infinity
          ? round(main.lastEnd[i] / solo.reachedAt, 6)
          : null;
      }
    }
    if (desc.refillSamples > 0) {
      // Identical VMs (same trace, models, controls) share one measurement, seeded as the
      // first of them.
      const measured = new Map<string, RefillMeasurement>();
      for (let i = 0; i < desc.vms.length; i++) {
        const key = aloneKey(desc, i);
        let m = measured.get(key);
        if (m === undefined) {
          const v = desc.vms[i];
          m = measureRefill(v, readers.get(v.trace)!, platform, desc.seed + i, desc.refillSamples);
          measured.set(key, m);
        }
        main.result.vms[i].refill = {
          samples: m.samples,
          windowRecords: m.windowRecords,
          cyclesPerFlush: round(m.cyclesPerFlush, 2),
          stderrCycles: round(m.stderrCycles, 2),
          usPerFlush: round(m.usPerFlush, 6),
        };
      }
    }
    main.result.wall = {
      seconds: round(wall, 3),
      instructionsPerSecond: wall > 0 ? Math.round(main.result.totals.instructions / wall) : 0,
      replayedInstructions: main.result.wall.replayedInstructions,
    };
    return main.result;
  } finally {
    for (const r of readers.values()) r.close();
  }
}
