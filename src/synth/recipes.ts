/**
 * Synthetic nanobenchmark traces: seeded generators of the seven nanobenchmarks of Adams
 * & Agesen (ASPLOS 2006, Figure 4), modelling what their minimal test OS, FrobOS, does in
 * one iteration. FrobOS subtracts its loop overhead from each figure, so an iteration here
 * holds only the measured operation; a full Linux would add its own work around each
 * operation, so these traces are synthetic by design and their header says so.
 *
 * Every trace starts with FrobOS's page tables already loaded (no CR3 write is recorded);
 * `ptemod` first records one earlier write to the page-table page, which is how a shadow
 * MMU learns that the page holds page tables. Then come a `Begin` marker, `iterations` iterations each closed by an
 * `Iteration` marker, and an `End` marker. The seed picks addresses and values; the event
 * list of an iteration is fixed. Stack accesses are not recorded: FrobOS's stack page stays
 * in the TLB, so they cost nothing beyond their instructions.
 *
 * Per-iteration event lists (kernel code at CPL 0 unless marked user):
 *
 * - `syscall`: user block [SYSCALL] + Sensitive(SYSCALL); kernel block [SYSRET] +
 *   Sensitive(SYSRET).
 * - `in`: block [IN AL,DX] + Sensitive(IN, port 0x80) + Pio(port 0x80, 1 byte, device
 *   `port80`).
 * - `cr8wr`: block [MOV CR8,RAX] + Sensitive(CR write, CR8, value = a random priority).
 * - `callret`: block [CALL rel32] then block [RET].
 * - `pgfault`: block [MOV RAX,[addr]] (the load faults: the page is not present) +
 *   Exception(#PF, error code 0, addr); handler block [ADD [RSP],n ; IRET] + Sensitive(IRET).
 * - `divzero`: block [DIV ECX] + Exception(#DE); handler block [ADD [RSP],n ; IRET] +
 *   Sensitive(IRET).
 * - `ptemod`: block [MOV [RDI],RAX] + Mem(store of 8 bytes to the PTE) + PtWrite(level 1,
 *   new PTE value with a random frame).
 *
 * @module
 */

import type { CodeInstruction } from "../trace/code_table.ts";
import type { TraceHeaderInit } from "../trace/header.ts";
import {
  ControlFlow,
  FLAG_VALUE_KNOWN,
  FLAG_WRITE,
  MarkerOp,
  MEM_WRITE,
  SensitiveOp,
} from "../trace/record.ts";
import type { TraceWriter } from "../trace/writer.ts";
import { Pcg32 } from "../util/pcg32.ts";
import { PAGE_SIZE } from "../trace/page.ts";

/** Kernel text base (canonical 0xffffffff80000000, as a signed number). */
export const KERNEL_TEXT: number = -0x80000000;
/** User text base. */
export const USER_TEXT = 0x400000;
/** Guest-physical address of the level-1 page-table page the recipes use. */
export const PT_LEAF = 0x4000;
/** Guest-virtual address at which the leaf table page is mapped (the kernel's direct map). */
export const PT_LEAF_VIRT: number = -0x780000000000 + PT_LEAF;

/** Options of a recipe run. */
export interface RecipeOptions {
  /** Iterations to generate. */
  iterations: number;
  /** Seed of the address and value choices. */
  seed: number;
}

/** A nanobenchmark recipe. */
export interface Recipe {
  /** Recipe name (`vmmlab synth NAME`). */
  name: string;
  /** What the nanobenchmark measures. */
  description: string;
  /** The records of one iteration, in order (also written into the header notes). */
  events: readonly string[];
  /** Device table of the trace. */
  devices: readonly string[];
  /** Writes prologue, iterations and markers. */
  generate(w: TraceWriter, rng: Pcg32, iterations: number): void;
}

function ins(length: number, sensitive = 0, flow: number = ControlFlow.None): CodeInstruction {
  return { length, sensitive, flow };
}

/**
 * Prologue shared by every recipe. FrobOS has loaded its page tables before a benchmark
 * starts, so nothing is recorded: the root is the one the guest state starts with.
 */
function prologue(_w: TraceWriter): void {}

function loop(w: TraceWriter, iterations: number, body: (i: number) => void): void {
  w.marker(MarkerOp.Begin, 0);
  for (let i = 0; i < iterations; i++) {
    body(i);
    w.marker(MarkerOp.Iteration, i + 1);
  }
  w.marker(MarkerOp.End, 0);
}

/** Exception-handler block at `addr`: fix the return address past the faulting instruction, IRET. */
function handler(w: TraceWriter, addr: number): number {
  return w.defineBlock(addr, 0, [ins(5), ins(2, SensitiveOp.Iret, ControlFlow.Far)]);
}

/** The seven recipes, by name. */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  syscall: {
    name: "syscall",
    description: "a system call from user mode and its return (SYSCALL, SYSRET)",
    events: [
      "exec user [SYSCALL]",
      "sensitive SYSCALL",
      "exec kernel [SYSRET]",
      "sensitive SYSRET",
    ],
    devices: [],
    generate(w, _rng, n) {
      prologue(w);
      const u = w.defineBlock(USER_TEXT, 3, [ins(2, SensitiveOp.Syscall, ControlFlow.Far)]);
      const k = w.defineBlock(KERNEL_TEXT + 0x1000, 0, [
        ins(3, SensitiveOp.Sysret, ControlFlow.Far),
      ]);
      loop(w, n, () => {
        w.exec(u);
        w.sensitive(SensitiveOp.Syscall, USER_TEXT, 0, 0, 0, 0);
        w.exec(k);
        w.sensitive(SensitiveOp.Sysret, KERNEL_TEXT + 0x1000, 0, 0, 0, 0);
      });
    },
  },
  in: {
    name: "in",
    description: "an IN from an I/O port (FrobOS reads a diagnostic port)",
    events: ["exec kernel [IN AL,DX]", "sensitive IN port 0x80", "pio port 0x80 size 1"],
    devices: ["port80"],
    generate(w, rng, n) {
      prologue(w);
      const pc = KERNEL_TEXT + 0x2000;
      const b = w.defineBlock(pc, 0, [ins(1, SensitiveOp.In)]);
      loop(w, n, () => {
        const v = rng.nextBelow(256);
        w.exec(b);
        w.sensitive(SensitiveOp.In, pc, 0x80, v, 1, FLAG_VALUE_KNOWN);
        w.pio(0x80, 1, v, FLAG_VALUE_KNOWN, 0);
      });
    },
  },
  cr8wr: {
    name: "cr8wr",
    description: "a write to CR8, the task-priority register",
    events: ["exec kernel [MOV CR8,RAX]", "sensitive CR write CR8"],
    devices: [],
    generate(w, rng, n) {
      prologue(w);
      const pc = KERNEL_TEXT + 0x3000;
      const b = w.defineBlock(pc, 0, [ins(4, SensitiveOp.CrWrite)]);
      loop(w, n, () => {
        w.exec(b);
        w.sensitive(SensitiveOp.CrWrite, pc, 8, rng.nextBelow(16), 8, FLAG_VALUE_KNOWN);
      });
    },
  },
  callret: {
    name: "callret",
    description: "a near CALL and the RET that returns from it",
    events: ["exec kernel [CALL rel32]", "exec kernel [RET]"],
    devices: [],
    generate(w, _rng, n) {
      prologue(w);
      const c = w.defineBlock(KERNEL_TEXT + 0x4000, 0, [ins(5, 0, ControlFlow.Call)]);
      const r = w.defineBlock(KERNEL_TEXT + 0x4100, 0, [ins(1, 0, ControlFlow.Ret)]);
      loop(w, n, () => {
        w.exec(c);
        w.exec(r);
      });
    },
  },
  pgfault: {
    name: "pgfault",
    description: "a load from a not-present page, the guest's #PF handler, IRET",
    events: [
      "exec kernel [MOV RAX,[addr]]",
      "exception #PF (not present) at addr",
      "exec kernel handler [ADD [RSP],n ; IRET]",
      "sensitive IRET",
    ],
    devices: [],
    generate(w, rng, n) {
      prologue(w);
      const pc = KERNEL_TEXT + 0x5000;
      const b = w.defineBlock(pc, 0, [ins(3)]);
      const h = handler(w, KERNEL_TEXT + 0x5800);
      const addr = -0x700000000000 + rng.nextBelow(1 << 20) * PAGE_SIZE;
      loop(w, n, () => {
        w.exec(b);
        w.exception(14, 0, addr, pc, 0);
        w.exec(h);
        w.sensitive(SensitiveOp.Iret, KERNEL_TEXT + 0x5805, 0, 0, 0, 0);
      });
    },
  },
  divzero: {
    name: "divzero",
    description: "a division by zero, the guest's #DE handler, IRET",
    events: [
      "exec kernel [DIV ECX]",
      "exception #DE",
      "exec kernel handler [ADD [RSP],n ; IRET]",
      "sensitive IRET",
    ],
    devices: [],
    generate(w, _rng, n) {
      prologue(w);
      const pc = KERNEL_TEXT + 0x6000;
      const b = w.defineBlock(pc, 0, [ins(2)]);
      const h = handler(w, KERNEL_TEXT + 0x6800);
      loop(w, n, () => {
        w.exec(b);
        w.exception(0, 0, 0, pc, 0);
        w.exec(h);
        w.sensitive(SensitiveOp.Iret, KERNEL_TEXT + 0x6805, 0, 0, 0, 0);
      });
    },
  },
  ptemod: {
    name: "ptemod",
    description: "a store that modifies a page-table entry",
    events: [
      "exec kernel [MOV [RDI],RAX]",
      "mem store 8 bytes at the PTE",
      "pt-write level 1 (new frame)",
    ],
    devices: [],
    generate(w, rng, n) {
      prologue(w);
      const pc = KERNEL_TEXT + 0x7000;
      const b = w.defineBlock(pc, 0, [ins(3)]);
      const slot = rng.nextBelow(512) * 8;
      const pa = PT_LEAF + slot;
      const va = PT_LEAF_VIRT + slot;
      const pte = () => rng.nextBelow(1 << 20) * PAGE_SIZE + 0x63;
      // Earlier write to the same table page: the page-table page is known before the window.
      const warm = w.defineBlock(KERNEL_TEXT + 0x7800, 0, [ins(3)]);
      w.exec(warm);
      w.mem(va, pa, 8, MEM_WRITE);
      w.ptWrite(pa, 1, pte(), FLAG_VALUE_KNOWN, KERNEL_TEXT + 0x7800);
      loop(w, n, () => {
        const v = pte();
        w.exec(b);
        w.mem(va, pa, 8, MEM_WRITE);
        w.ptWrite(pa, 1, v, FLAG_VALUE_KNOWN | FLAG_WRITE, pc);
      });
    },
  },
};

/** Recipe names, in Figure 4's order. */
export const RECIPE_NAMES: readonly string[] = [
  "syscall",
  "in",
  "cr8wr",
  "callret",
  "pgfault",
  "divzero",
  "ptemod",
];

/** The trace header of a recipe run: synthetic, with the recipe's event list and seed. */
export function recipeHeader(recipe: Recipe, options: RecipeOptions): TraceHeaderInit {
  return {
    workload: recipe.name,
    description:
      `Nanobenchmark ${recipe.name}: ${recipe.description} (Adams & Agesen 2006, Figure 4).`,
    source: {
      kind: "synthetic",
      method: "generated by a vmmlab recipe modelling one FrobOS nanobenchmark iteration " +
        "(loop overhead excluded, as FrobOS subtracts it)",
      recorder: "vmmlab synth 1",
      recipe: recipe.name,
      seed: options.seed,
      iterations: options.iterations,
    },
    guest: { kernel: "FrobOS (modelled, synthetic)", arch: "x86_64", pagingLevels: 4 },
    pageSizes: [PAGE_SIZE],
    devices: [...recipe.devices],
    inferred: ["every record is synthetic: generated from the recipe's per-iteration event list"],
    notes: `Per iteration: ${recipe.events.join("; ")}.`,
  };
}

/** Runs a recipe into an open writer (which the caller closes or finishes). */
export function runRecipe(recipe: Recipe, w: TraceWriter, options: RecipeOptions): void {
  recipe.generate(w, new Pcg32(options.seed, 0x5eed), options.iterations);
}
