/**
 * A seeded, Linux-like instruction mix for throughput benchmarks and determinism tests:
 * user and kernel basic blocks (with calls, returns and indirect jumps), loads and
 * stores over a working set, system calls, page faults, page-table writes, address-space
 * switches, timer interrupts and port I/O, in proportions loosely like the forkwait
 * iteration of docs/recording notes. It exercises every model family; it is not a
 * calibration input and claims nothing about any published figure.
 *
 * @module
 */

import type { CodeInstruction } from "../trace/code_table.ts";
import type { TraceHeaderInit } from "../trace/header.ts";
import {
  ControlFlow,
  FLAG_VALUE_KNOWN,
  MarkerOp,
  MEM_WRITE,
  SensitiveOp,
} from "../trace/record.ts";
import { TraceWriter } from "../trace/writer.ts";
import { Pcg32 } from "../util/pcg32.ts";
import { PAGE_SIZE } from "../trace/page.ts";

/** Options of {@link writeMix}. */
export interface MixOptions {
  /** Approximate guest instructions to generate. */
  instructions: number;
  /** Seed. */
  seed?: number;
  /** Records per chunk. */
  chunkRecords?: number;
  /** Instructions per iteration marker (default 100 000). */
  iterationInstructions?: number;
}

/** Header of a mix trace. */
export function mixHeader(options: MixOptions): TraceHeaderInit {
  return {
    workload: "mix",
    description: "Seeded Linux-like instruction mix for benchmarks (synthetic).",
    source: {
      kind: "synthetic",
      method: "vmmlab mix generator (src/synth/mix.ts)",
      recorder: "vmmlab synth 1",
      seed: options.seed ?? 1,
    },
    guest: { arch: "x86_64", pagingLevels: 4 },
    pageSizes: [PAGE_SIZE],
    devices: ["i8254-pit", "serial0"],
    inferred: ["every record is synthetic"],
  };
}

/** Writes a mix trace into `w` (the caller finishes or closes it). */
export function generateMix(w: TraceWriter, options: MixOptions): void {
  const rng = new Pcg32(options.seed ?? 1, 0x313);
  const kBase = -0x80000000;
  const uBase = 0x400000;
  const kernelBlocks: number[] = [];
  const userBlocks: number[] = [];
  const mkInstrs = (n: number, kernel: boolean): CodeInstruction[] => {
    const out: CodeInstruction[] = [];
    for (let i = 0; i < n - 1; i++) {
      out.push({ length: 1 + rng.nextBelow(6), sensitive: 0, flow: 0 });
    }
    const r = rng.nextBelow(10);
    const flow = r < 3
      ? ControlFlow.CondJump
      : r < 5
      ? ControlFlow.Call
      : r < 7
      ? ControlFlow.Ret
      : r < 8
      ? ControlFlow.IndirectJump
      : ControlFlow.Jump;
    out.push({ length: 2 + rng.nextBelow(4), sensitive: 0, flow });
    if (kernel && rng.nextBelow(8) === 0) {
      out.splice(n >> 1, 0, {
        length: 1,
        sensitive: rng.nextBelow(2) ? SensitiveOp.Cli : SensitiveOp.Sti,
        flow: 0,
      });
    }
    return out;
  };
  for (let i = 0; i < 400; i++) {
    const a = kBase + i * 64;
    kernelBlocks.push(w.defineBlock(a, 0, mkInstrs(3 + rng.nextBelow(8), true)));
  }
  for (let i = 0; i < 200; i++) {
    userBlocks.push(w.defineBlock(uBase + i * 64, 3, mkInstrs(3 + rng.nextBelow(8), false)));
  }
  const sys = w.defineBlock(uBase + 0x10000, 3, [{
    length: 2,
    sensitive: SensitiveOp.Syscall,
    flow: ControlFlow.Far,
  }]);
  const ret = w.defineBlock(kBase + 0x20000, 0, [{
    length: 3,
    sensitive: SensitiveOp.Sysret,
    flow: ControlFlow.Far,
  }]);
  const cr3 = w.defineBlock(kBase + 0x21000, 0, [{
    length: 3,
    sensitive: SensitiveOp.CrWrite,
    flow: 0,
  }]);
  const iret = w.defineBlock(kBase + 0x22000, 0, [{
    length: 2,
    sensitive: SensitiveOp.Iret,
    flow: ControlFlow.Far,
  }]);
  const outb = w.defineBlock(kBase + 0x23000, 0, [{
    length: 1,
    sensitive: SensitiveOp.Out,
    flow: 0,
  }]);
  const pte = w.defineBlock(kBase + 0x24000, 0, [{ length: 3, sensitive: 0, flow: 0 }]);
  const roots = [0x100000, 0x200000, 0x300000, 0x400000];
  let root = 0;
  const perIter = options.iterationInstructions ?? 100_000;
  let nextIter = perIter;
  let iter = 0;
  w.exec(cr3);
  w.sensitive(SensitiveOp.CrWrite, kBase + 0x21000, 3, roots[0], 8, FLAG_VALUE_KNOWN);
  w.marker(MarkerOp.Begin, 0);
  const userPages = 512, kernelPages = 256;
  // Locality: nine references in ten go to a hot set of 16 pages (stack, current objects).
  const hot = () => rng.nextBelow(10) !== 0;
  // `count` random blocks of `blocks`, each making up to two 8-byte references (one in
  // `writeOneIn` a store) to `pages` pages mapped from `vBase` to `pBase`.
  const run = (
    blocks: readonly number[],
    count: number,
    pages: number,
    vBase: number,
    pBase: number,
    writeOneIn: number,
  ) => {
    for (let i = 0; i < count; i++) {
      w.exec(blocks[rng.nextBelow(blocks.length)]);
      const m = rng.nextBelow(3);
      for (let j = 0; j < m; j++) {
        const page = hot() ? rng.nextBelow(16) : rng.nextBelow(pages);
        const off = rng.nextBelow(512) * 8;
        w.mem(
          vBase + page * PAGE_SIZE + off,
          pBase + page * PAGE_SIZE + off,
          8,
          rng.nextBelow(writeOneIn) === 0 ? MEM_WRITE : 0,
        );
      }
    }
  };
  while (w.instructions < options.instructions) {
    // A user burst.
    run(userBlocks, 20 + rng.nextBelow(60), userPages, 0x10000000, 0x1000000 + root * 0x800000, 4);
    // A system call into the kernel.
    w.exec(sys);
    w.sensitive(SensitiveOp.Syscall, uBase + 0x10000, 0, 0, 0, 0);
    run(kernelBlocks, 10 + rng.nextBelow(40), kernelPages, -0x780000000000, 0x8000000, 3);
    const ev = rng.nextBelow(100);
    if (ev < 8) {
      // Page-table update.
      w.exec(pte);
      const pa = roots[root] + 0x1000 + rng.nextBelow(512) * 8;
      w.mem(-0x780000000000 + pa, pa, 8, MEM_WRITE);
      w.ptWrite(
        pa,
        1,
        rng.nextBelow(1 << 20) * PAGE_SIZE + 0x67,
        FLAG_VALUE_KNOWN,
        kBase + 0x24000,
      );
    } else if (ev < 11) {
      // Address-space switch.
      root = (root + 1) % roots.length;
      w.exec(cr3);
      w.sensitive(SensitiveOp.CrWrite, kBase + 0x21000, 3, roots[root], 8, FLAG_VALUE_KNOWN);
    } else if (ev < 14) {
      // A user page fault.
      w.exception(14, 6, 0x10000000 + rng.nextBelow(userPages) * PAGE_SIZE, uBase, 0);
      w.exec(kernelBlocks[rng.nextBelow(kernelBlocks.length)]);
      w.exec(iret);
      w.sensitive(SensitiveOp.Iret, kBase + 0x22000, 0, 0, 0, 0);
    } else if (ev < 16) {
      // Timer interrupt.
      w.interrupt(32, 0, kBase);
      w.exec(kernelBlocks[rng.nextBelow(kernelBlocks.length)]);
      w.exec(iret);
      w.sensitive(SensitiveOp.Iret, kBase + 0x22000, 0, 0, 0, 0);
    } else if (ev < 17) {
      // Serial output.
      w.exec(outb);
      const v = rng.nextBelow(256);
      w.sensitive(SensitiveOp.Out, kBase + 0x23000, 0x3f8, v, 1, FLAG_VALUE_KNOWN);
      w.pio(0x3f8, 1, v, FLAG_VALUE_KNOWN | 2, 1);
    }
    w.exec(ret);
    w.sensitive(SensitiveOp.Sysret, kBase + 0x20000, 0, 0, 0, 0);
    if (w.instructions >= nextIter) {
      iter++;
      w.marker(MarkerOp.Iteration, iter);
      nextIter += perIter;
    }
  }
  w.marker(MarkerOp.End, 0);
}

/** A mix trace in memory. */
export function mixBytes(options: MixOptions): Uint8Array {
  const w = TraceWriter.inMemory(
    mixHeader(options),
    options.chunkRecords ? { chunkRecords: options.chunkRecords } : {},
  );
  generateMix(w, options);
  return w.finish();
}
