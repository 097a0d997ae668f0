/**
 * The consolidation ratio: how many VMs of one workload fit on a host under each
 * virtualization technique with every VM within a slowdown bound of running alone there.
 * None of the classic papers gives this number; it is a prediction. The workload is the
 * recorded idle guest at a 2.6-era 250 Hz tick (idle-hz250): the archetypal candidate for
 * consolidation, and one whose cost is all virtualization overhead — each tick's timer
 * interrupt, the kernel's bookkeeping and the HLT that ends it, priced per technique (the
 * binary translator runs the interrupt path in translated code; hardware assist exits on
 * HLT; the paravirtual guest blocks by hypercall). N identical VMs run on a two-CPU host
 * for a grid of N; a VM keeps up while it executes, over the same simulated time, at least
 * 1/BOUND of the instructions it executes alone. The ratio is the largest N of the grid at
 * which every VM keeps up (so a lower bound, to the grid's resolution), or "at least" the
 * grid's top.
 *
 * Memory: VMs fit only while host memory backs every VM's memory (an idle VM whose pages
 * the host swaps faults them back at disk cost on its next tick and falls behind). Each
 * idle VM's memory is measured on the host from recorded guests (the multivm-snapshot set:
 * real 256 MB Linux guests, every page's content): a host that partitions memory
 * statically (Xen 2003: a domain's memory is reserved when it is created) backs the whole
 * 256 MB; a host that shares pages by content (ESX, Waldspurger 2002, section 4, and the
 * hardware-assisted hypervisors that followed it) backs the first guest's distinct
 * contents and each further guest's contents that the others do not hold. The memory
 * limit is host memory (less the 6% ESX keeps free) over that, computed from those
 * measured figures, not simulated at every N (the statically partitioned P4 host is
 * simulated at its limit and one VM past it); the consolidation ratio is the smaller of
 * the CPU's and memory's.
 *
 * @module
 */

import { lineSweep } from "../src/charts/line_sweep.ts";
import type { SweepDatum } from "../src/charts/line_sweep.ts";
import type { HostResult } from "../src/host/result.ts";
import { compareRow } from "./_lib/compare.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  HostResults,
  HostRunSpec,
} from "./_lib/experiment.ts";
import { hostJson, type Technique } from "./_lib/host.ts";
import { needHost } from "./_lib/results.ts";
import { FREE_THRESHOLDS } from "../src/host/memory_manager.ts";

const TRACE = "traces/idle-hz250.vmt";
/**
 * VM counts tried. Warm idle guests cost well under 1% of a CPU under every technique, so
 * two CPUs carry 128 of them within the bound whatever the technique: a finer grid below
 * 128 would cost replay time and show nothing more.
 */
const GRID: readonly number[] = [1, 16, 128];
/** A VM may run at most this much slower than alone. */
const BOUND = 1.1;
const PCPUS = 2;
const DURATION_MS = 100;
/**
 * Iterations replayed before time 0: one 100 ms stretch of the idle guest, so translation
 * caches and TLBs are warm, as in a guest that has been idling for a while.
 */
const WARMUP = 1;
/**
 * Host memory generous enough that memory never binds in the CPU runs (each VM 32 MB):
 * their ratio is the CPU's; memory's limit comes from the memory runs below.
 */
const HOST_MB = 8192;
const VM_MB = 32;

const TECHNIQUES: readonly Technique[] = [
  { label: "bt", cpu: "bt", mmu: "shadow", io: "emulated" },
  { label: "pv", cpu: "pv", mmu: "pv-direct", io: "pv" },
  { label: "hw+shadow", cpu: "hw", mmu: "shadow", io: "emulated" },
  { label: "hw+nested", cpu: "hw", mmu: "nested", io: "emulated" },
];
/** The era's host (hardware assist there is a what-if: the P4 had no EPT) and today's. */
const PLATFORMS: readonly string[] = ["p4-prescott", "modern"];

/**
 * Host memory of each profile's server (assumptions, not calibrations: a 2005 two-socket
 * Pentium 4 Xeon server with 4 GB, a current two-socket server with 256 GB).
 */
const HOST_MEMORY_MB: { readonly [platform: string]: number } = {
  "p4-prescott": 4096,
  modern: 262144,
};
/** Recorded guests' page contents: three identical 256 MB Linux guests. */
const SNAPSHOTS = "traces/multivm-snapshot.vmt";
const GUEST_MB = 256;
/** Memory-measuring host runs: one guest unshared, one and three guests shared. */
const MEMORY_RUNS: readonly { id: string; guests: number; sharing: boolean }[] = [
  { id: "memory/static-1", guests: 1, sharing: false },
  { id: "memory/shared-1", guests: 1, sharing: true },
  { id: "memory/shared-3", guests: 3, sharing: true },
];
/**
 * The memory policy of the VMM each technique stands for: Xen 2003 (pv) partitioned
 * memory statically; ESX (bt) shared pages by content, as do the hardware-assisted
 * hypervisors after it.
 */
function shares(t: Technique): boolean {
  return t.label !== "pv";
}

function memoryRun(run: (typeof MEMORY_RUNS)[number]): HostRunSpec {
  return {
    id: run.id,
    host: hostJson(
      {
        name: `idle-memory-${run.id.replace("memory/", "")}`,
        platform: "modern",
        pcpus: PCPUS,
        memoryMB: HOST_MB,
        durationMs: 10,
        sampleMs: 5,
        memory: { samplePeriodMs: 5, sharing: run.sharing },
      },
      Array.from({ length: run.guests }, (_, i) => ({
        name: `vm${i + 1}`,
        trace: TRACE,
        technique: TECHNIQUES[0],
        memory: { sizeMB: GUEST_MB, contents: { trace: SNAPSHOTS, vm: i } },
      })),
    ),
  };
}

/**
 * The statically partitioned P4 host simulated at the memory limit and one VM past it:
 * every VM's 256 MB backed (its recorded contents), the host paging what does not fit,
 * each VM's swap model paying for it.
 */
const PRESSURE_N: readonly number[] = [15, 16];

function pressureId(n: number): string {
  return `memory/p4-prescott-pv-${n}`;
}

function pressureRun(n: number): HostRunSpec {
  return {
    id: pressureId(n),
    host: hostJson(
      {
        name: `${n}x-idle-pv-p4-prescott-4gb`,
        platform: "p4-prescott",
        pcpus: PCPUS,
        memoryMB: HOST_MEMORY_MB["p4-prescott"],
        durationMs: DURATION_MS,
        sampleMs: DURATION_MS / 10,
        scheduler: { name: "proportional-share", sliceMs: 10 },
        memory: { samplePeriodMs: DURATION_MS / 10 },
      },
      Array.from({ length: n }, (_, i) => ({
        name: `vm${i + 1}`,
        trace: TRACE,
        technique: { ...TECHNIQUES[1], memory: "swap" },
        memory: { sizeMB: GUEST_MB, contents: { trace: SNAPSHOTS, vm: i % 3 } },
        warmupIterations: WARMUP,
      })),
    ),
  };
}

/** Host memory one idle VM takes: the first one, and each further one. */
function idleMemory(hosts: HostResults | undefined, sharing: boolean) {
  if (!sharing) {
    const mb = needHost(hosts, "memory/static-1").vms[0].memory.heldMB;
    return { first: mb, further: mb };
  }
  const one = needHost(hosts, "memory/shared-1").totals.sharing!.framesMB;
  const three = needHost(hosts, "memory/shared-3").totals.sharing!.framesMB;
  return { first: one, further: (three - one) / 2 };
}

/** Idle VMs whose memory the profile's host backs. */
function memoryFit(hosts: HostResults | undefined, platform: string, t: Technique): number {
  const avail = HOST_MEMORY_MB[platform] * (1 - FREE_THRESHOLDS.high);
  const { first, further } = idleMemory(hosts, shares(t));
  if (first > avail) return 0;
  return 1 + Math.floor((avail - first) / further);
}

/**
 * Idle VMs the CPUs could carry by CPU time alone (pCPUs over one VM's share): beyond the
 * grid, an upper bound (it ignores the tick-alignment delays that the grid's runs show).
 */
function cpuCapacity(hosts: HostResults | undefined, platform: string, t: Technique): number {
  return Math.floor(PCPUS / idleShare(hosts, platform, t));
}

function runId(platform: string, t: Technique, n: number): string {
  return `${platform}/${t.label}/${n}`;
}

function runSpec(platform: string, t: Technique, n: number): HostRunSpec {
  return {
    id: runId(platform, t, n),
    host: hostJson(
      {
        name: `${n}x-idle-${t.label}-${platform}`,
        platform,
        pcpus: PCPUS,
        memoryMB: HOST_MB,
        durationMs: DURATION_MS,
        sampleMs: DURATION_MS / 10,
        scheduler: { name: "proportional-share", sliceMs: 10 },
      },
      Array.from({ length: n }, (_, i) => ({
        name: `vm${i + 1}`,
        trace: TRACE,
        technique: t,
        memory: { sizeMB: VM_MB },
        warmupIterations: WARMUP,
      })),
    ),
  };
}

/** The worst VM's slowdown: alone instructions over its instructions beside N-1 others. */
function worstSlowdown(alone: HostResult, many: HostResult): number {
  const base = alone.vms[0].instructions;
  let worst = 1;
  for (const vm of many.vms) {
    worst = Math.max(worst, vm.instructions > 0 ? base / vm.instructions : Infinity);
  }
  return worst;
}

/** The largest N of the grid at which every VM keeps up, and whether the grid's top did. */
function ratio(hosts: HostResults | undefined, platform: string, t: Technique) {
  const alone = needHost(hosts, runId(platform, t, 1));
  let fits = 1;
  for (const n of GRID) {
    if (worstSlowdown(alone, needHost(hosts, runId(platform, t, n))) <= BOUND) fits = n;
    else break;
  }
  return { fits, atTop: fits === GRID[GRID.length - 1] };
}

/** Host CPU busy with one idle VM: what each idle guest costs under the technique. */
function idleShare(hosts: HostResults | undefined, platform: string, t: Technique): number {
  return needHost(hosts, runId(platform, t, 1)).totals.cpuUtilization * PCPUS;
}

/** Rows of memory's limit and the ratio with both limits, for one platform and technique. */
function memoryRows(
  hosts: HostResults | undefined,
  p: string,
  t: Technique,
  cpuFits: number,
  atTop: boolean,
): ComparisonRow[] {
  const mem = memoryFit(hosts, p, t);
  const cap = cpuCapacity(hosts, p, t);
  const { first, further } = idleMemory(hosts, shares(t));
  const policy = shares(t) ? "pages shared by content" : "memory partitioned statically";
  const memRuns = shares(t) ? ["memory/shared-1", "memory/shared-3"] : ["memory/static-1"];
  // The CPU's own limit: the grid's answer, or beyond its top the CPU-time bound.
  const cpuLimit = atTop ? Math.max(cpuFits, cap) : cpuFits;
  const ratio = Math.min(mem, cpuLimit);
  return [
    compareRow({
      figure: "Consolidation ratio",
      label: `${p}, ${t.label}: idle VMs host memory holds`,
      reproduced: mem,
      published: null,
      unit: "VMs",
      role: "prediction",
      runs: memRuns,
      note: `${HOST_MEMORY_MB[p] / 1024} GB host (assumed), ${policy}: the first VM takes ` +
        `${first.toFixed(1)} MB, each further one ${further.toFixed(1)} MB`,
    }),
    compareRow({
      figure: "Consolidation ratio",
      label: `${p}, ${t.label}: idle VMs within ${BOUND}x of alone (CPU and memory)`,
      reproduced: ratio,
      published: null,
      unit: "VMs",
      role: "prediction",
      runs: [...GRID.map((n) => runId(p, t, n)), ...memRuns],
      note: mem < cpuLimit
        ? `memory binds: the CPUs carry ${
          atTop ? `at least ${cpuFits} (by CPU time ${cap})` : cpuFits
        }`
        : `CPU binds${atTop ? ` (grid top ${cpuFits}; by CPU time at most ${cap})` : ""}; ` +
          `memory holds ${mem}`,
    }),
  ];
}

/** Idle VMs per host within 10% of running alone, per technique, on the P4 and modern profiles. */
const experiment: Experiment = {
  name: "host_consolidation",
  title: "Consolidation ratio: idle VMs per host within 10% of running alone",
  citation: "new prediction (no published value)",
  papers: [],
  description: "N identical idle guests (idle-hz250: a booted Linux whose only process " +
    "sleeps, ticking at 250 Hz) run on a two-CPU host under ESX-style proportional share " +
    `for ${DURATION_MS} ms of simulated time, N in ${GRID.join(", ")}, under binary ` +
    "translation with shadow paging, Xen-style paravirtualization, and hardware assist " +
    "with shadow or nested paging, on the Pentium 4 profile (where hardware assist is a " +
    "what-if: no such P4 had it with nested paging) and the modern one. Each VM first " +
    "replays one iteration (100 ms of idling) so that its caches are warm (without it, a " +
    "binary-translated VM spends 3.1% of a P4 CPU translating in its first 100 ms, and " +
    "only 8 such VMs keep up). A VM keeps up while it executes at least " +
    `1/${BOUND} of the instructions it executes alone in the same time; all VMs tick ` +
    "together, so a VM falls behind when the others' tick work delays its own past the " +
    "next tick. The consolidation ratio is the largest N of the grid at which every VM " +
    `keeps up ('at least ${GRID[GRID.length - 1]}' at the top); these runs give memory ` +
    `room (${VM_MB} MB VMs, ${HOST_MB} MB host). Memory is then a second limit: VMs fit ` +
    "only while the host backs all their memory (an idle VM whose pages are swapped faults " +
    "them back at disk cost on its next tick and falls behind). One idle VM's memory is " +
    "measured on the host from recorded guests (multivm-snapshot: real 256 MB Linux " +
    "guests, every page's content): statically partitioned, as Xen 2003 did (pv), each VM " +
    "takes its 256 MB; with content-based page sharing, as ESX (bt) and the " +
    "hardware-assisted hypervisors after it do, the first VM takes its distinct contents " +
    "and each further one what the others do not hold (measured over the three recorded " +
    "guests and assumed for more). Host memory is an assumption per profile (4 GB for the " +
    "P4 server, 256 GB today), less ESX's 6% free; the memory limit is computed from the " +
    "measured figures, not simulated at every N; the statically partitioned P4 host is " +
    "simulated at that limit (15 VMs) and one past it (16: the host pages 15 MB of each, " +
    "and each VM's swap model pays for writing them out, 5 ms a page on the P4's disk). " +
    "The consolidation ratio is the smaller " +
    "limit; beyond the grid's top the CPU's is bounded by CPU time (pCPUs over one VM's " +
    "share). The figure shows the worst VM's slowdown against N (a VM that never ran is " +
    "left out). Predictions; no paper gives this number.",

  runs(): HostRunSpec[] {
    return [
      ...PLATFORMS.flatMap((p) => TECHNIQUES.flatMap((t) => GRID.map((n) => runSpec(p, t, n)))),
      ...MEMORY_RUNS.map(memoryRun),
      ...PRESSURE_N.map(pressureRun),
    ];
  },

  compare(_results, _published, hosts): ComparisonRow[] {
    return PLATFORMS.flatMap((p) =>
      TECHNIQUES.flatMap((t) => {
        const { fits, atTop } = ratio(hosts, p, t);
        return [
          compareRow({
            figure: "Consolidation ratio",
            label: `${p}, ${t.label}: idle VMs within ${BOUND}x of alone`,
            reproduced: fits,
            published: null,
            unit: "VMs",
            role: "prediction",
            runs: GRID.map((n) => runId(p, t, n)),
            note: atTop ? `at least ${fits}: every N of the grid kept up` : undefined,
          }),
          compareRow({
            figure: "Consolidation ratio",
            label: `${p}, ${t.label}: CPU of one idle VM`,
            reproduced: Number((100 * idleShare(hosts, p, t)).toFixed(3)),
            published: null,
            unit: "% of a CPU",
            role: "prediction",
            runs: [runId(p, t, 1)],
          }),
          ...memoryRows(hosts, p, t, fits, atTop),
        ];
      })
    );
  },

  checks(_results, _published, hosts): Check[] {
    const memoryBinds: Check[] = PLATFORMS.map((p) => {
      const pv = TECHNIQUES[1];
      const { fits, atTop } = ratio(hosts, p, pv);
      const mem = memoryFit(hosts, p, pv);
      const cpu = atTop ? Math.max(fits, cpuCapacity(hosts, p, pv)) : fits;
      return {
        label:
          `${p}: for idle guests on a statically partitioned host, memory, not CPU, is the limit`,
        passed: mem < cpu,
        detail: `memory holds ${mem} idle 256 MB VMs, the CPUs carry ` +
          `${atTop ? `at least ${fits} (by CPU time ${cpu})` : fits}`,
        role: "prediction",
      };
    });
    const pv = TECHNIQUES[1];
    const alone = needHost(hosts, runId("p4-prescott", pv, 1));
    const [at, past] = PRESSURE_N.map((n) => worstSlowdown(alone, needHost(hosts, pressureId(n))));
    const boundary: Check = {
      label: "p4-prescott, pv: simulated, the idle VMs that memory holds keep up and one more " +
        "does not",
      passed: memoryFit(hosts, "p4-prescott", pv) === PRESSURE_N[0] && at <= BOUND &&
        past > BOUND,
      detail: `worst slowdown ${at.toFixed(3)}x with ${PRESSURE_N[0]} VMs, ${past.toFixed(1)}x ` +
        `with ${PRESSURE_N[1]} (${
          needHost(hosts, pressureId(PRESSURE_N[1])).vms[0].memory.swappedMB
        } MB of each paged by the host)`,
      role: "prediction",
    };
    return [
      boundary,
      ...memoryBinds,
      ...PLATFORMS.map((p): Check => {
        const [bt, pv] = [TECHNIQUES[0], TECHNIQUES[1]].map((t) => ratio(hosts, p, t).fits);
        return {
          label: `${p}: paravirtualized idle guests consolidate at least as densely as ` +
            "binary-translated ones",
          passed: pv >= bt,
          detail: `ratio ${pv} (pv) against ${bt} (bt); one idle VM costs ` +
            `${(100 * idleShare(hosts, p, TECHNIQUES[1])).toFixed(2)}% and ` +
            `${(100 * idleShare(hosts, p, TECHNIQUES[0])).toFixed(2)}% of a CPU`,
          role: "prediction",
        };
      }),
    ];
  },

  chart(_results, _published, _rows, hosts) {
    const data: SweepDatum[] = PLATFORMS.flatMap((p) =>
      TECHNIQUES.flatMap((t) => {
        const alone = needHost(hosts, runId(p, t, 1));
        return GRID.map((n) => ({
          series: `${t.label} (${p})`,
          x: n,
          y: worstSlowdown(alone, needHost(hosts, runId(p, t, n))),
        })).filter((d) => Number.isFinite(d.y));
      })
    );
    return lineSweep({
      title: "Idle VMs on a two-CPU host: worst VM's slowdown against running alone",
      subtitle: `idle-hz250 trace; a VM keeps up below ${BOUND}x`,
      data,
      xTitle: "idle VMs on the host",
      yTitle: "worst VM's slowdown (x alone)",
      logX: true,
      logY: true,
    });
  },
};

export default experiment;
