/**
 * The replays shared by the two Bhargava et al. (ASPLOS 2008) experiments: the corpus's
 * server and CPU-bound traces (see {@link isTlbStudyWorkload}) on the Opteron (Barcelona)
 * profile, whose TLB, page-walk-cache and nested-TLB parameters are their section 5
 * simulator's, under nested paging with four page-walk caching configurations, plus one
 * native run that counts the native TLB misses. Both experiments declare exactly these
 * runs, so the runner replays each once.
 *
 * @module
 */
import type { Result } from "../../src/engine/result.ts";
import { type CorpusTrace, executionTraces } from "./corpus.ts";
import type { ExperimentContext, JsonValue, Published, RunConfig, RunSpec } from "./experiment.ts";
import { lookup, publishedCell } from "./published.ts";
import { need } from "./results.ts";
import type { RunResults } from "./experiment.ts";
import { InputError } from "../../src/util/errors.ts";

/** Bhargava et al.'s simulated machine. */
export const PLATFORM = "opteron-barcelona";
/** The paper's guest kernel (x86-64 Linux, 2008): src/models/cpu/era.ts. */
export const ERA = "2008";

/** A page-walk caching configuration of their Figure 6. */
export interface Caching {
  /** Run id suffix. */
  readonly id: string;
  /** Legend label. */
  readonly label: string;
  /** MMU options selecting it (`mmu.pwc`, `mmu.ntlb-entries`; absent = platform default). */
  readonly options: { readonly [key: string]: string | number };
}

/** No caching, 1-D PWC, 2-D PWC, 2-D PWC + nested TLB (the platform's 16 entries). */
export const CACHINGS: readonly Caching[] = [
  { id: "none", label: "no caching", options: { "mmu.pwc": "none", "mmu.ntlb-entries": 0 } },
  { id: "pwc1d", label: "1-D PWC", options: { "mmu.pwc": "1d", "mmu.ntlb-entries": 0 } },
  { id: "pwc2d", label: "2-D PWC", options: { "mmu.pwc": "2d", "mmu.ntlb-entries": 0 } },
  { id: "pwc2d-ntlb", label: "2-D PWC + NTLB", options: { "mmu.pwc": "2d" } },
];

/** No page-walk caching at all: the configuration of their Table 1. */
export const NO_CACHING = CACHINGS[0];

/** The caching Bhargava et al.'s design ends with (their Table 1 machine, per docs/mmu.md). */
export const FULL_CACHING = CACHINGS[CACHINGS.length - 1];

/** Nested paging under hardware assist, with one caching configuration. */
export function nestedConfig(caching: Caching): RunConfig {
  return {
    cpu: "hw",
    mmu: "nested",
    io: "emulated",
    memory: "none",
    platform: PLATFORM,
    seed: 1,
    options: { ...caching.options, "cpu.era": ERA },
  };
}

/** The native configuration whose TLB miss count is the per-walk denominator. */
export const NATIVE_CONFIG: RunConfig = {
  cpu: "native",
  mmu: "native",
  io: "native",
  memory: "none",
  platform: PLATFORM,
  seed: 1,
  options: { "cpu.era": ERA },
};

/** Run id of a workload's nested run with `caching`. */
export function nestedId(workload: string, caching: Caching): string {
  return `${workload}/nested-${caching.id}`;
}

/** Run id of a workload's native run. */
export function nativeId(workload: string): string {
  return `${workload}/native`;
}

/**
 * Corpus workloads of the kinds Bhargava et al. measured: their Table 1 workloads are
 * servers (MiscServer, WebServer, JavaServer: commercial server software) and SPEC CPU
 * 2000 (IntCpu, FpCpu), applications whose time goes to user code over working sets that
 * miss in the TLB. Ours of those kinds are the database, key-value, web and file servers
 * (`db-*`, `kv-*`, `web-*`, `dbench`) and the CPU-bound runs (`compute-*`: gzip, itself a
 * SPEC CPU 2000 integer program; `kernel-compile*`: tcc and gcc builds, gcc being another).
 * Left out: the idle guests (a timer tick and HLT: a few walks per tick, nothing like their
 * workloads), the lmbench and forkwait microbenchmarks (one kernel path in a loop, whose
 * walks are that path's, e.g. fork's page-table copy), and the disk and network
 * microbenchmarks (`disk-dd`, `net-*`: device paths). A newly recorded trace joins when its
 * workload name is of one of the kinds above.
 */
export function isTlbStudyWorkload(workload: string): boolean {
  return /^(db|kv|web|compute)-/.test(workload) || workload === "dbench" ||
    /^kernel-compile(-|$)/.test(workload);
}

/** The corpus traces Bhargava's experiments replay ({@link isTlbStudyWorkload}), by path. */
export async function tlbStudyTraces(root: string): Promise<CorpusTrace[]> {
  return (await executionTraces(root)).filter((t) => isTlbStudyWorkload(t.workload));
}

/** Four nested runs and one native run of each trace of {@link tlbStudyTraces}, whole. */
export async function bhargavaRuns(context: ExperimentContext): Promise<RunSpec[]> {
  const runs: RunSpec[] = [];
  for (const trace of await tlbStudyTraces(context.root)) {
    runs.push({
      id: nativeId(trace.workload),
      trace: { path: trace.path },
      config: NATIVE_CONFIG,
    });
    for (const caching of CACHINGS) {
      runs.push({
        id: nestedId(trace.workload, caching),
        trace: { path: trace.path },
        config: nestedConfig(caching),
      });
    }
  }
  return runs;
}

/** Workloads present in `results`, in the order their runs were declared (sorted by path). */
export function workloads(results: RunResults): string[] {
  const out: string[] = [];
  for (const id of Object.keys(results)) {
    if (id.endsWith("/native")) out.push(id.slice(0, -"/native".length));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Walk cycles of the configured MMU or of its native baseline. */
function walkCycles(result: Result, native: boolean): number {
  const breakdown = native
    ? (result.nativeBreakdown ?? {}) as Record<string, number>
    : result.breakdown;
  return breakdown["mmu.walk"] ?? 0;
}

/** TLB misses (walks) of a native run. */
export function nativeMisses(results: RunResults, workload: string): number {
  return need(results, nativeId(workload)).events["tlb.misses"] ?? 0;
}

/**
 * 2-D over native walk latency with `caching`: nested walk cycles per nested walk, over
 * native walk cycles per native walk, the native side with the same caching options (its
 * baseline). Native walks are counted by the native run, because nested paging splinters
 * the guest's 2 MB kernel pages and so walks more often than native does. 0 when either
 * side never walked.
 */
export function walkRatio(results: RunResults, workload: string, caching: Caching): number {
  const nested = need(results, nestedId(workload, caching));
  const nestedWalks = nested.events["tlb.misses"] ?? 0;
  const walks = nativeMisses(results, workload);
  const native = walkCycles(nested, true);
  if (nestedWalks === 0 || walks === 0 || native === 0) return 0;
  return (walkCycles(nested, false) / nestedWalks) / (native / walks);
}

/** Speedup in percent of `caching` over no caching: cycles(none) / cycles(caching) - 1. */
export function speedupPercent(results: RunResults, workload: string, caching: Caching): number {
  const none = need(results, nestedId(workload, CACHINGS[0])).cycles.virtualized;
  const with_ = need(results, nestedId(workload, caching)).cycles.virtualized;
  return with_ > 0 ? (none / with_ - 1) * 100 : 0;
}

/** Native TLB misses per 100,000 instructions (their Table 1's first column). */
export function missesPer100k(results: RunResults, workload: string): number {
  const native = need(results, nativeId(workload));
  const instructions = typeof native.instructions === "number" ? native.instructions : 0;
  return instructions > 0 ? (nativeMisses(results, workload) * 1e5) / instructions : 0;
}

/** A published free-text entry (Figure 6 is given as ranges in words). */
export function textIn(published: Published, keys: readonly string[]): string {
  const value: JsonValue = lookup(published, keys);
  if (typeof value !== "string") {
    throw new InputError(`published.json: ${keys.join(" > ")} is not a text entry`);
  }
  return value;
}

/** Every number in a published free-text entry, in order (e.g. "18 (Web) to 38" -> 18, 38). */
export function numbersIn(published: Published, keys: readonly string[]): number[] {
  return [...textIn(published, keys).matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
}

const TABLE1 = ["bhargava2008", "table1"] as const;

/** Lowest and highest value of a Table 1 column over the paper's workloads. */
export function table1Range(published: Published, column: string): [number, number] {
  const table = lookup(published, TABLE1) as { readonly [row: string]: JsonValue };
  const values = Object.keys(table).filter((k) => k !== "columns").sort().map((row) =>
    publishedCell(published, TABLE1, row, column)
  );
  return [Math.min(...values), Math.max(...values)];
}

/** Range of the paper's TLB misses per 100k instructions (to contrast with ours). */
export function publishedMissRange(published: Published): [number, number] {
  return table1Range(published, "tlb_misses_per_100k_instr");
}
