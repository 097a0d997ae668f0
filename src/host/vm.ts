/**
 * One VM on the host: the engine's replay machine (native baseline and configured model
 * set, exactly as `vmmlab replay` builds them) driven slice by slice over a
 * {@link LoopedSource}. `runFor` replays until the VM has charged a cycle budget, or
 * halts, or issues a disk request, and says which; the engine's loop is reused as is
 * (`ReplayMachine.step`), in steps sized from the VM's recent cycles per record so that
 * a slice overshoots its budget by at most a few dozen records.
 *
 * @module
 */

import { resolveConfig } from "../engine/config.ts";
import { ReplayMachine } from "../engine/replay.ts";
import type { Platform } from "../engine/model.ts";
import type { TraceReader } from "../trace/reader.ts";
import type { CodeTable } from "../trace/code_table.ts";
import { ConfigError } from "../util/errors.ts";
import type { VmDescription } from "./description.ts";
import { LoopedSource, Stop } from "./looped_source.ts";
import { ReclaimMemory } from "../models/memory/reclaim_models.ts";
import { hardwareTlbOf } from "../models/mmu/hardware_flush.ts";
import { type PageSummary, SummaryClock } from "./page_summary.ts";

/** Fewest records per engine step (bounds the overshoot of a slice). */
const MIN_STEP = 64;
/** Most records per engine step. */
const MAX_STEP = 4096;

/** What ended a {@link HostVm.runFor}. */
export const RunEnd = {
  /** The budget was used up. */
  Budget: 0,
  /** The guest halted. */
  Halt: 1,
  /** The guest waits on a disk request ({@link HostVm.requestBytes}). */
  Disk: 2,
} as const;

/** A VM: its replay machine, its record stream and its counters. */
export class HostVm {
  /** Index in the host description. */
  readonly index: number;
  /** Description. */
  readonly desc: VmDescription;
  /** The engine's two model sets over this VM's trace. */
  readonly machine: ReplayMachine;
  /** The VM's record stream. */
  readonly source: LoopedSource;
  /** Whether the TLB survives another VM running on the pCPU (VPID/ASID tagging). */
  readonly tagged: boolean;
  /** Bytes of the disk request that ended the last run. */
  requestBytes = 0;
  /** Called for each network request during a run, with the cycles into the run. */
  onNet: ((offset: number, bytes: number) => void) | null = null;
  /** Halts executed. */
  halts = 0;
  /** TLB flushes forced by world switches. */
  tlbFlushes = 0;
  readonly #code: CodeTable;
  /** Cycles per record, estimated high (a fresh VM translates): steps start small. */
  #cyclesPerRecord = 1000;
  #passStart = 0;
  #warmInstructions = 0;

  /** Builds the VM's model sets on `platform` over `reader`'s trace. */
  constructor(
    index: number,
    desc: VmDescription,
    reader: TraceReader,
    platform: Platform,
    seed: number,
  ) {
    this.index = index;
    this.desc = desc;
    // A balloon or swap model sizes itself from the VM and starts with nothing reclaimed:
    // on a host, the memory manager sets its targets (setReclaim), not a fixed option.
    // Only those models read these keys (another model would warn of an unread option).
    const reclaims = desc.vmm.memory === "balloon" || desc.vmm.memory === "swap";
    const options: Record<string, number | string | boolean> = reclaims
      ? {
        "memory.vm-mb": desc.memory.sizeMB,
        [desc.vmm.memory === "balloon" ? "memory.balloon-mb" : "memory.swap-mb"]: 0,
        ...desc.vmm.options,
      }
      : desc.vmm.options;
    const config = resolveConfig({
      cpu: desc.vmm.cpu,
      mmu: desc.vmm.mmu,
      io: desc.vmm.io,
      memory: desc.vmm.memory,
      options,
      seed,
      warmup: desc.warmupIterations,
    });
    this.#code = reader.code;
    this.machine = new ReplayMachine(
      { header: reader.header, code: reader.code, cursor: () => reader.cursor() },
      config,
      platform,
    );
    this.source = new LoopedSource(reader, desc.memory.sizeMB * 256);
    if (this.source.bounds.end <= this.source.bounds.start) {
      throw new ConfigError(
        desc.traceAsWritten,
        "trace has no records between its iteration markers",
      );
    }
    const mm = this.machine.conf.memory;
    if (mm instanceof ReclaimMemory) {
      // The host swaps out host pages, which exist only for pages the guest touched.
      const src = this.source;
      mm.pressure.backed = src.touchedMap;
      mm.pressure.backedCount = () => src.touchedPages;
    }
    this.tagged = desc.vmm.cpu === "hw" && platform.has("hw.vpid") &&
      platform.param("hw.vpid") >= 1;
    // Memory the guest touched before time 0 (e.g. a guest that zeroes its memory at
    // boot): backed by host pages from the start, but not part of any sampled period.
    const before = Math.min(this.source.vmPages, Math.floor((desc.memory.touchedMB ?? 0) * 256));
    for (let p = 0; p < before; p++) this.source.touchPage(p, false);
  }

  /** The VM's position in its trace's page-access summary (null: none followed). */
  summaryClock: SummaryClock | null = null;
  readonly #touchFromSummary = (page: number) => this.source.touchPage(page);

  /**
   * Makes the VM's demand and sampled working set follow `summary` (src/host/page_summary.ts)
   * instead of the pages its replayed records touch, starting `startFraction` of the way in.
   */
  followSummary(summary: PageSummary, startFraction: number): void {
    this.summaryClock = new SummaryClock(summary, this.source.vmPages, startFraction);
    this.source.watchRecords = false;
  }

  /** Applies the summary intervals the VM's instructions have passed (no-op without one). */
  syncSummary(): void {
    this.summaryClock?.advance(this.instructions, this.#touchFromSummary);
  }

  /**
   * Hands the memory manager's reclaim of this VM to its memory model: `ballooned` pages
   * in the balloon and `swapped` on host swap. It takes effect when the VM next runs, so
   * that inflating the balloon (guest work) is charged to the VM's own time. A VM whose
   * memory model is neither `balloon` nor `swap` has no model of reclaim and pays nothing.
   */
  setReclaim(ballooned: number, swapped: number): void {
    if (!(this.machine.conf.memory instanceof ReclaimMemory)) return;
    this.#reclaim[0] = ballooned;
    this.#reclaim[1] = swapped;
    this.#reclaimPending = true;
  }

  /** Whether the VM's memory model pays for the host's reclaim. */
  get paysReclaim(): boolean {
    return this.machine.conf.memory instanceof ReclaimMemory;
  }

  readonly #reclaim = new Float64Array(2);
  #reclaimPending = false;

  /** Virtualized cycles charged so far. */
  get cycles(): number {
    return this.machine.conf.totalCycles();
  }

  /** Native cycles of the same records (the baseline set). */
  get nativeCycles(): number {
    return this.machine.native.totalCycles();
  }

  /** Guest instructions replayed since time 0 (the warm-up left out). */
  get instructions(): number {
    return this.machine.guest.instructions - this.#warmInstructions + this.fastForwardInstructions;
  }

  /** Instructions credited by fast-forwarded time (sampled simulation). */
  fastForwardInstructions = 0;
  /** Cycles fast-forwarded (sampled simulation). */
  fastForwardCycles = 0;

  /**
   * Sampled simulation: runs a slice of `budget` cycles by replaying its first `detail`
   * cycles (where a world switch's after-effects fall) in two halves, then crediting the
   * rest at the instructions per cycle of the second half, without replaying it, and
   * moves the trace ahead by the credited instructions (to the nearest chunk start), as
   * systematic sampling does (Wunderlich et al., SMARTS, ISCA 2003, without functional
   * warming: the models see only the detailed parts). Only when the detailed part
   * neither halts nor waits. With a `period` longer than `detail`, the slice is sampled
   * that way once per period instead of once, so that one window at the slice's start
   * does not stand for a whole long slice of a workload whose rate changes by phase.
   * Returns the cycles charged.
   */
  runSampled(
    budget: number,
    detail: number,
    end: { reason: number },
    stopInstructions = Infinity,
    period = 0,
  ): number {
    if (!(period > detail)) return this.#sampleOnce(budget, detail, end, stopInstructions);
    let used = 0;
    while (used < budget) {
      used += this.#sampleOnce(Math.min(period, budget - used), detail, end, stopInstructions);
      if (end.reason !== RunEnd.Budget || this.instructions >= stopInstructions) break;
    }
    return used;
  }

  /** One sampling window of {@link runSampled}: `detail` replayed, the rest of `budget` credited. */
  #sampleOnce(
    budget: number,
    detail: number,
    end: { reason: number },
    stopInstructions: number,
  ): number {
    if (!(budget > detail) || detail <= 0) return this.runFor(budget, end, stopInstructions);
    const first = this.runFor(detail / 2, end, stopInstructions);
    if (end.reason !== RunEnd.Budget || this.instructions >= stopInstructions) return first;
    const i0 = this.instructions;
    const second = this.runFor(detail / 2, end, stopInstructions);
    const used = first + second;
    if (end.reason !== RunEnd.Budget || this.instructions >= stopInstructions || second <= 0) {
      return used;
    }
    const ipc = (this.instructions - i0) / second;
    let ff = budget - used;
    if (ff <= 0 || ipc <= 0) return used;
    if (stopInstructions !== Infinity) {
      ff = Math.min(ff, (stopInstructions - this.instructions) / ipc);
    }
    this.fastForwardCycles += ff;
    this.fastForwardInstructions += ff * ipc;
    // Jump the trace ahead by as much, so that samples spread over the whole workload
    // (SMARTS-style systematic sampling) instead of all falling on its start.
    this.source.skipInstructions(ff * ipc);
    return used + ff;
  }

  /**
   * Replays the warm-up iterations before time 0: the engine's own warm-up, which leaves
   * their charges out of every figure while the models keep their state.
   */
  prewarm(): void {
    const want = this.desc.warmupIterations;
    if (want === 0) return;
    if (this.source.bounds.start === 0 && !this.source.bounds.atMarkers) {
      const its = this.source.reader.summary.iterations;
      if (its === 0) {
        throw new ConfigError(
          this.desc.traceAsWritten,
          "warm-up iterations need a trace with iteration markers",
        );
      }
    }
    const m = this.machine;
    const src = this.source;
    while (m.guest.iteration < want) {
      src.stop = Stop.None;
      m.step(src, this.#code, MAX_STEP);
      if (src.stop === Stop.End) src.rewind();
    }
    this.#warmInstructions = m.guest.instructions;
  }

  /** Iteration markers replayed. */
  get iterations(): number {
    return this.machine.iterations;
  }

  /**
   * Another VM ran on this pCPU (or this VM moved to another pCPU): an untagged TLB keeps
   * nothing of this VM. Only the hardware TLB is lost: the VMM's own structures for this
   * VM (shadow page tables, a paravirtual guest's pending update batch) live in memory and
   * survive a world switch, so this is the hardware flush of a VM transition, not the
   * guest's own full flush (which under shadow paging also drops the shadow tables).
   */
  flushTlb(): void {
    const mmu = this.machine.conf.mmu;
    const hw = hardwareTlbOf(mmu);
    // pv-direct has no hook of its own (no VM exits flush it): its hardware TLB is its
    // translator's.
    const translator = (mmu as { translator?: { flush(): void } }).translator;
    if (hw !== null) hw.flushHardwareTlb();
    else if (translator !== undefined) translator.flush();
    else mmu.flush();
    this.tlbFlushes++;
  }

  /**
   * Replays exactly `records` records, looping at the trace's loop boundary; a HLT or an
   * I/O request does not stop it (no scheduler is looking). Two identical VMs driven by it
   * replay the same records, which is what the refill measurement
   * (`src/host/refill.ts`) compares them over.
   */
  replayRecords(records: number): void {
    const m = this.machine;
    const src = this.source;
    let left = records;
    while (left > 0) {
      src.stop = Stop.None;
      left -= m.step(src, this.#code, Math.min(left, MAX_STEP));
      if (src.stop === Stop.End) src.rewind();
    }
  }

  /**
   * Replays until `budget` cycles are charged (a little more: the last step completes),
   * the guest halts, or it issues a disk request, or (for a run that measures the time
   * to a given amount of work) it has executed `stopInstructions` since time 0. Returns
   * the cycles charged; `end` receives the reason ({@link RunEnd}).
   */
  runFor(budget: number, end: { reason: number }, stopInstructions = Infinity): number {
    const m = this.machine;
    const src = this.source;
    const start = m.conf.totalCycles();
    let used = 0;
    end.reason = RunEnd.Budget;
    if (this.#reclaimPending) {
      this.#reclaimPending = false;
      (m.conf.memory as ReclaimMemory).hostReclaim(this.#reclaim[0], this.#reclaim[1]);
      used = m.conf.totalCycles() - start;
    }
    while (used < budget) {
      let n = Math.floor((budget - used) / this.#cyclesPerRecord);
      if (n < MIN_STEP) n = MIN_STEP;
      else if (n > MAX_STEP) n = MAX_STEP;
      src.stop = Stop.None;
      const done = m.step(src, this.#code, n);
      const now = m.conf.totalCycles() - start;
      // Falls slowly, rises at once: a phase of costly records must not find a big step.
      if (done >= MIN_STEP && now > used) {
        this.#cyclesPerRecord = Math.max((now - used) / done, this.#cyclesPerRecord * 0.5);
      }
      used = now;
      if (this.instructions >= stopInstructions) break;
      const stop = src.stop;
      if (stop === Stop.None) continue;
      if (stop === Stop.End) {
        // A pass that charged nothing would loop forever.
        const total = m.conf.totalCycles();
        if (src.passes > 0 && total <= this.#passStart) {
          throw new ConfigError(
            this.desc.traceAsWritten,
            "a pass over the trace's loop charges no cycles",
          );
        }
        this.#passStart = total;
        src.rewind();
      } else if (stop === Stop.Halt) {
        this.halts++;
        end.reason = RunEnd.Halt;
        break;
      } else if (stop === Stop.Block) {
        this.requestBytes = src.requestBytes;
        end.reason = RunEnd.Disk;
        break;
      } else if (stop === Stop.Net) {
        this.onNet?.(used, src.requestBytes);
      }
    }
    return used;
  }
}
