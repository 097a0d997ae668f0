/**
 * The result of a host simulation: one object, everything outside `wall` a pure
 * function of the host description and the traces (goldens compare it byte for byte).
 *
 * @module
 */

import type { CpuControls, MemoryControls, VmmChoice } from "./description.ts";

/** Schema tag of a host result. */
export const HOST_RESULT_SCHEMA = "vmmlab.host-result/1";

/** One shared device's figures for one VM. */
export interface DeviceFigures {
  /** Requests issued. */
  requests: number;
  /** Bytes moved. */
  bytes: number;
  /** Mean latency (queueing and service), µs. */
  meanLatencyUs: number;
  /** Longest latency, µs. */
  maxLatencyUs: number;
}

/** Figures of one VM. */
export interface VmResult {
  /** VM name. */
  name: string;
  /** Trace identity. */
  trace: { path: string; hash: string; workload: string; loopsAtMarkers: boolean };
  /** Model set. */
  vmm: VmmChoice;
  /** Resource controls. */
  controls: {
    cpu: CpuControls;
    memory: Omit<MemoryControls, "contents"> & { contents?: { trace: string; vm: number } };
  };
  /** Guest instructions replayed. */
  instructions: number;
  /** Iteration markers replayed. */
  iterations: number;
  /** Times the trace looped. */
  passes: number;
  /** Guest instructions per simulated second. */
  instructionsPerSecond: number;
  /** Instructions per second alone on the same host over this run's (null: not run). */
  slowdownVsAlone: number | null;
  /** CPU received against entitlement. */
  cpu: { receivedMs: number; share: number; entitlement: number; fairnessError: number };
  /** Cycles of the VM's replay: native baseline, configured set, their ratio. */
  cycles: { native: number; virtualized: number; virtualizationSlowdown: number };
  /** Share of its CPU time credited by fast-forward instead of replayed (sampled runs). */
  fastForwardShare: number;
  /** World switches into the VM. */
  switchesIn: number;
  /** TLB flushes forced by other VMs on its pCPU. */
  tlbFlushes: number;
  /** HLTs executed (each sleeps until the next timer tick). */
  halts: number;
  /** Shared devices. */
  io: { disk: DeviceFigures; nic: DeviceFigures };
  /** Memory at the end of the run. */
  memory: {
    touchedMB: number;
    heldMB: number;
    targetMB: number;
    balloonedMB: number;
    swappedMB: number;
    activeFraction: number;
    /**
     * Page-access summary intervals applied (present only when the VM followed its
     * trace's summary, src/host/page_summary.ts).
     */
    summaryIntervals?: number;
    /**
     * Pages whose content another page also holds, MB (present only when the host shares
     * pages by content and the VM has recorded contents, src/host/contents.ts).
     */
    sharedMB?: number;
  };
  /** The configured set's cycles by category. */
  breakdown: Record<string, number>;
  /** The configured set's warnings. */
  warnings: string[];
}

/** The whole result. */
export interface HostResult {
  /** Schema tag. */
  schema: string;
  /** The host as run. */
  host: {
    name: string;
    platform: string;
    pcpus: number;
    memoryMB: number;
    durationMs: number;
    scheduler: { name: string; sliceMs: number; summary: string; source: string };
    memoryManager: { taxRate: number; samplePeriodMs: number; sampleSize: number };
    seed: number;
    detailUs: number;
    /** Sampling period within a slice, µs (absent: one window per slice). */
    detailPeriodUs?: number;
    stagger: boolean;
    worldSwitchCycles: number;
  };
  /** Per VM, in description order. */
  vms: VmResult[];
  /** Host totals. */
  totals: {
    instructions: number;
    instructionsPerSecond: number;
    cpuUtilization: number;
    idleMs: number;
    worldSwitches: number;
    worldSwitchMs: number;
    memoryState: string;
    /**
     * Content-based sharing (present only when on): host pages backing the VMs' recorded
     * contents, and the guest pages saved within each VM and, beyond that, across VMs.
     */
    sharing?: { framesMB: number; savedWithinMB: number; savedAcrossMB: number };
    disk: { requests: number; bytes: number; utilization: number };
    nic: { requests: number; bytes: number; utilization: number };
  };
  /** Time series, one point per sample interval. */
  series: {
    timeMs: number[];
    cpuShare: number[][];
    heldMB: number[][];
    balloonedMB: number[][];
    swappedMB: number[][];
    /**
     * Per VM, the memory manager's target at each sample's end (present only when some VM
     * follows a page-access summary, so results without one keep their shape).
     */
    targetMB?: number[][];
    /** Per VM, the estimated active memory (active fraction × size) at each sample's end (as targetMB). */
    activeMB?: number[][];
  };
  /** Host measurements (not deterministic; goldens ignore them). */
  wall: { seconds: number; instructionsPerSecond: number };
}
