/**
 * What a world switch's TLB flush costs the VM switched back in, measured directly with
 * common random numbers. Two identical copies of the VM (same trace, models and seed)
 * replay exactly the same records in lockstep. At each of `samples` points spread evenly
 * over the trace's loop, both replay a warming span (so that each TLB holds what it would
 * hold at that point of a continuous run), then one copy's TLB is flushed as a world switch
 * on an untagged TLB flushes it ({@link HostVm.flushTlb}), and both replay the same window.
 * The flushed copy's extra cycles over the window are the refill cost of a switch at that
 * point. Because both copies execute the same instructions, the guest's rate, which
 * changes by phase far more than a refill costs, cancels in the difference: the estimate's
 * error is the spread of the refill cost over the sampled points alone (its standard
 * error is reported), not the ±2–6% phase error of sampled simulation (docs/host.md).
 *
 * The window must outlast the refill: a TLB entry the flushed copy reloads only after the
 * window is not counted. {@link REFILL_WINDOW_RECORDS} records (a few hundred µs of guest
 * time) is many times the reach of any modelled TLB; docs/host.md reports the estimate at
 * half and twice the window.
 *
 * @module
 */

import type { Platform } from "../engine/model.ts";
import type { TraceReader } from "../trace/reader.ts";
import type { VmDescription } from "./description.ts";
import { HostVm } from "./vm.ts";

/** Records replayed by both copies before each flush (refills the TLBs after a jump). */
export const REFILL_WARM_RECORDS = 50_000;
/** Records over which the flushed copy's extra cycles are counted. */
export const REFILL_WINDOW_RECORDS = 100_000;

/** The measured refill cost of one VM's TLB flush. */
export interface RefillMeasurement {
  /** Points measured. */
  samples: number;
  /** Records of each measured window. */
  windowRecords: number;
  /** Mean extra cycles of the window after a flush. */
  cyclesPerFlush: number;
  /** Standard error of that mean over the points. */
  stderrCycles: number;
  /** The same mean in µs of the platform's clock. */
  usPerFlush: number;
}

/**
 * Measures the refill cost of `desc`'s TLB flush at `samples` points of its trace
 * (bounded by the caller), on `platform`, with both copies seeded `seed`.
 */
export function measureRefill(
  desc: VmDescription,
  reader: TraceReader,
  platform: Platform,
  seed: number,
  samples: number,
  windowRecords: number = REFILL_WINDOW_RECORDS,
): RefillMeasurement {
  const warm = new HostVm(0, desc, reader, platform, seed);
  const flushed = new HostVm(0, desc, reader, platform, seed);
  warm.prewarm();
  flushed.prewarm();
  const stride = warm.source.loopInstructions / samples;
  let sum = 0, sumSq = 0;
  for (let k = 0; k < samples; k++) {
    if (k > 0) {
      warm.source.skipInstructions(stride);
      flushed.source.skipInstructions(stride);
    }
    warm.replayRecords(REFILL_WARM_RECORDS);
    flushed.replayRecords(REFILL_WARM_RECORDS);
    flushed.flushTlb();
    const w0 = warm.cycles, f0 = flushed.cycles;
    warm.replayRecords(windowRecords);
    flushed.replayRecords(windowRecords);
    const extra = (flushed.cycles - f0) - (warm.cycles - w0);
    sum += extra;
    sumSq += extra * extra;
  }
  warm.machine.finish();
  flushed.machine.finish();
  const mean = sum / samples;
  const variance = samples > 1 ? Math.max(0, (sumSq - samples * mean * mean) / (samples - 1)) : 0;
  return {
    samples,
    windowRecords,
    cyclesPerFlush: mean,
    stderrCycles: Math.sqrt(variance / samples),
    usPerFlush: mean / platform.clockHz * 1e6,
  };
}
