/**
 * Waldspurger (OSDI 2002), Figure 7: the idle memory tax. Two 256 MB VMs with equal shares
 * compete for 360 MB; one is idle, the other runs a memory-hungry workload. At tax 0 each
 * gets about half; at the default tax 0.75 memory moves from the idle VM to the active
 * one.
 *
 * Two ways: a real two-VM host run (src/host: the idle guest and the active one side by
 * side, the host's memory manager sampling each VM's working set, the active VM's from its
 * trace's page-access summary, and dividing memory with the tax every 30 s), which gives
 * the allocations over time; and the single-VM replays of before, where the active VM's
 * trace is replayed with the `balloon` model re-planned by min-funding revocation
 * (`memory.host-mb`, `memory.peers` = the idle VM), which give its window's throughput at
 * each allocation.
 *
 * @module
 */

import { compareRow } from "./_lib/compare.ts";
import type { Check, ComparisonRow, Experiment, RunResults, RunSpec } from "./_lib/experiment.ts";
import { publishedNumber } from "./_lib/published.ts";
import { need, needHost } from "./_lib/results.ts";
import { activeTrace, MEMORY_BOUND } from "./_lib/waldspurger_vm.ts";
import { PAGE_SIZE } from "../src/trace/page.ts";
import { hostJson, hostVm, type Technique } from "./_lib/host.ts";
import type { AnyRunSpec, HostResults, HostRunSpec } from "./_lib/experiment.ts";
import type { HostResult } from "../src/host/result.ts";
import { lineSweep } from "../src/charts/line_sweep.ts";
import type { SweepDatum } from "../src/charts/line_sweep.ts";
import { FREE_THRESHOLDS } from "../src/host/memory_manager.ts";

const PAPER = "waldspurger2002";
const FIGURE = ["waldspurger2002", "fig7_idle_memory_tax"] as const;
/** Host memory both VMs share, MB (the paper: "about 360 MB"). */
const HOST_MB = 360;
/** Each VM's configured size, MB. */
const VM_MB = 256;
/** The idle VM as a peer: equal shares (1000), 256 MB, active fraction 0. */
const IDLE_PEER = `1000/${VM_MB}/0`;
const PAGES_PER_MB = 2 ** 20 / PAGE_SIZE;
/** The two tax rates the figure contrasts. */
const TAXES: readonly number[] = [0, 0.75];

function runId(tax: number): string {
  return `active/tax-${tax}`;
}

/**
 * The two-VM host run. The manager divides host memory less the 6% ESX keeps free (the
 * high threshold, section 6.2), so the host has the memory that leaves the paper's "about
 * 360 MB" to the VMs.
 */
const HOST_RUN_MB = Math.ceil(HOST_MB / (1 - FREE_THRESHOLDS.high));
/** Simulated time: five of the paper's 30 s sampling periods. */
const HOST_DURATION_MS = 150_000;
/** Time-series interval. */
const HOST_SAMPLE_MS = 5_000;
/**
 * ESX 2002 ran guests by binary translation with shadow page tables; both guests run the
 * balloon driver, as in the paper.
 */
const ESX: Technique = { label: "bt", cpu: "bt", mmu: "shadow", io: "emulated", memory: "balloon" };
/**
 * The idle VM: the paper's was Windows idling after boot; the corpus's idle guest with a
 * periodic tick (as Windows 2000 had) plays it. Windows zeroes its free memory at boot
 * (the zero page thread, section 5.4), so all 256 MB is backed from the start
 * (`touchedMB`); the recorded Linux guest would not have touched it, so this is the
 * paper's scenario, stated, not a measurement.
 */
const IDLE_TRACE = "traces/idle-hz250.vmt";

function hostRunId(tax: number): string {
  return `host/tax-${tax}`;
}

function hostRun(tax: number, activePath: string): HostRunSpec {
  const memory = { sizeMB: VM_MB, shares: 1000 };
  return {
    id: hostRunId(tax),
    host: hostJson(
      {
        name: `fig7-tax-${tax}`,
        platform: "piii-733",
        // Each VM on its own CPU: the figure is about memory, not CPU.
        pcpus: 2,
        memoryMB: HOST_RUN_MB,
        durationMs: HOST_DURATION_MS,
        sampleMs: HOST_SAMPLE_MS,
        // Sampled simulation: 2 ms replayed per 2 s slice of each VM's running (the
        // allocation depends on the working set, not on the guest's exact rate; each VM
        // has its own CPU, so long slices change no one's share). 2 ms is longer than
        // the idle guest's burst after a tick, so it halts inside the replayed part and
        // is never credited as running.
        detailUs: 2_000,
        detailPeriodUs: 2_000_000,
        scheduler: { name: "proportional-share", sliceMs: 2_000 },
        memory: { taxRate: tax, samplePeriodMs: 30_000, sampleSize: 100 },
      },
      [
        {
          name: "idle",
          trace: IDLE_TRACE,
          technique: ESX,
          memory: { ...memory, touchedMB: VM_MB },
          warmupIterations: 1,
        },
        // The whole recorded window replayed before time 0, so the translation cache is
        // warm wherever a sampled slice lands (sampling has no functional warming).
        { name: "active", trace: activePath, technique: ESX, memory, warmupIterations: 20 },
      ],
    ),
  };
}

/** A VM's figures at the end of the host run at `tax`. */
function hostEnd(hosts: HostResults | undefined, tax: number, vm: "idle" | "active") {
  return hostVm(needHost(hosts, hostRunId(tax)), vm).memory;
}

/** Seconds at which each series point of a host run ends. */
function seconds(r: HostResult): number[] {
  return r.series.timeMs.map((t) => t / 1000);
}

/** MB allocated to the active VM at the end of the run. */
function activeMb(results: RunResults, tax: number): number {
  return (need(results, runId(tax)).events["mem.allocated-pages"] ?? 0) / PAGES_PER_MB;
}

/** Throughput gain (%) of the active VM at tax 0.75 over tax 0 (inverse cycle ratio). */
function gain(results: RunResults): number {
  const t0 = need(results, runId(0)).cycles.virtualized;
  const t75 = need(results, runId(0.75)).cycles.virtualized;
  return t75 > 0 ? 100 * (t0 / t75 - 1) : 0;
}

/** Whether the active VM replayed the paper's own workload. */
function isDbench(results: RunResults): boolean {
  return need(results, runId(0)).trace.workload === "dbench";
}

/** Whether the active VM's working set is large enough to test the throughput claim. */
function isMemoryBound(results: RunResults): boolean {
  return MEMORY_BOUND.has(need(results, runId(0)).trace.workload);
}

function workloadNote(results: RunResults): string {
  const w = need(results, runId(0)).trace.workload;
  return w === "dbench"
    ? "dbench trace"
    : MEMORY_BOUND.has(w)
    ? `trace ${w} stands in for dbench (a working set larger than the VM's share)`
    : `trace ${w} stands in for dbench (not in the corpus)`;
}

/** Rows of the two-VM host runs: allocations at the end of each, and what they cost. */
function hostRows(hosts: HostResults | undefined, each: number): ComparisonRow[] {
  const run = (tax: number) => [hostRunId(tax)];
  const active = (tax: number) =>
    needHost(hosts, hostRunId(tax)).vms.find((v) => v.name === "active")!;
  const gainPct = 100 * (active(0.75).instructions / Math.max(1, active(0).instructions) - 1);
  const est = hostEnd(hosts, 0.75, "active");
  const note = "held at the end of the two-VM host run (150 s, 30 s sampling)";
  return [
    ...(["idle", "active"] as const).map((vm) =>
      compareRow({
        figure: "Figure 7 (host run)",
        label: `tax 0: ${vm} VM`,
        reproduced: hostEnd(hosts, 0, vm).heldMB,
        published: each,
        unit: "MB",
        role: "prediction",
        runs: run(0),
        note,
      })
    ),
    ...(["idle", "active"] as const).map((vm) =>
      compareRow({
        figure: "Figure 7 (host run)",
        label: `tax 0.75: ${vm} VM`,
        reproduced: hostEnd(hosts, 0.75, vm).heldMB,
        published: null,
        unit: "MB",
        role: "prediction",
        runs: run(0.75),
        note: `${note}; the paper shows memory moving to the active VM, no value`,
      })
    ),
    compareRow({
      figure: "Figure 7 (host run)",
      label: "tax 0.75: active VM's estimated active memory",
      reproduced: est.activeFraction * VM_MB,
      published: null,
      unit: "MB",
      role: "prediction",
      runs: run(0.75),
      note: `sampled (100 pages per 30 s) from kv-memcached's page-access summary; ` +
        `it touched ${est.touchedMB} MB of the VM in all`,
    }),
    compareRow({
      figure: "Figure 7 (host run)",
      label: "tax 0.75: active VM throughput gain",
      reproduced: gainPct,
      published: null,
      unit: "%",
      role: "prediction",
      runs: [...run(0), ...run(0.75)],
      note: `published ">30%" for dbench; guest instructions in 150 s, tax 0.75 over tax 0. ` +
        "At tax 0 the active VM is held below its working set; the manager, whose demand " +
        "jumps at the first 30 s period, starts in its low state and swaps (not balloons), " +
        "and the replayed window's touches of host-swapped pages fault at disk cost",
    }),
  ];
}

/** Checks of the two-VM host runs. */
function hostChecks(hosts: HostResults | undefined): Check[] {
  const idle0 = hostEnd(hosts, 0, "idle"), active0 = hostEnd(hosts, 0, "active");
  const idle75 = hostEnd(hosts, 0.75, "idle"), active75 = hostEnd(hosts, 0.75, "active");
  const split = Math.abs(idle0.heldMB - active0.heldMB) / (HOST_MB / 2);
  return [
    {
      label: "Figure 7 (host run): at tax 0 the two VMs split memory evenly (within 5%)",
      passed: split < 0.05,
      detail: `idle ${idle0.heldMB} MB, active ${active0.heldMB} MB`,
      role: "prediction",
    },
    {
      label: "Figure 7 (host run): at tax 0.75 memory moves from the idle VM to the active one",
      passed: active75.heldMB > active0.heldMB && idle75.heldMB < idle0.heldMB,
      detail: `active ${active0.heldMB} -> ${active75.heldMB} MB, idle ${idle0.heldMB} -> ` +
        `${idle75.heldMB} MB`,
      role: "prediction",
    },
    {
      label: "Figure 7 (host run): sampling finds the idle VM idle and the active VM active",
      passed: idle75.activeFraction < 0.05 && active75.activeFraction > 0.5,
      detail: `active fractions: idle ${idle75.activeFraction}, active ` +
        `${active75.activeFraction}`,
      role: "prediction",
    },
  ];
}

/** Waldspurger Figure 7 as the end-state allocations under tax 0 and 0.75. */
const experiment: Experiment = {
  name: "waldspurger_fig7",
  title: "Idle memory tax: allocation of an idle and an active VM",
  citation: "Waldspurger, OSDI 2002, Figure 7",
  papers: [PAPER],
  description: "Two 256 MB VMs with equal shares (1000) share 360 MB. Host run (the chart " +
    "and the 'host run' rows): both VMs run side by side on a two-CPU Pentium III host " +
    "(383 MB, so that 360 MB is left after the 6% ESX keeps free) for 150 s under binary " +
    "translation with the balloon driver; the idle VM is idle-hz250 with all 256 MB " +
    "backed from boot (the paper's idle Windows guest zeroes its memory; the recorded Linux " +
    "guest is a stand-in), the active VM kv-memcached, whose demand and sampled working " +
    "set follow its page-access summary (memcached loading a 220 MB dataset and reading a " +
    "moving hot set; the recorded guest had 448 MB, pages above 256 MB are renumbered " +
    "below). The host's manager samples 100 pages per VM every 30 s and divides memory " +
    "with the idle memory tax at 0 and at 0.75; the rows give what each VM holds at the " +
    "end, and the active VM's guest instructions in the 150 s at each tax (sampled " +
    "simulation: 2 ms replayed per 2 s slice). Replay rows (as before the host existed): " +
    "the active VM's trace is replayed alone with the balloon model under the idle memory " +
    "tax (memory.host-mb=360, memory.peers=1000/256/0 for the idle VM, memory.tax=0 or " +
    "0.75) on the Pentium III profile; its allocation is the model's mem.allocated-pages " +
    "and the idle VM gets the rest of the 360 MB; the sampling period is longer than the " +
    "recorded window, so the active VM counts as fully active. The paper's active VM ran " +
    "dbench; kv-memcached plays it when recorded (every row names the trace). The " +
    "replayed throughput gain is the window replayed at its tax-0 allocation against its " +
    "tax-0.75 allocation. Predictions.",

  async runs(context): Promise<AnyRunSpec[]> {
    const { path } = await activeTrace(context.root);
    const hosts: AnyRunSpec[] = TAXES.map((tax) => hostRun(tax, path));
    return [
      ...hosts,
      ...TAXES.map((tax): RunSpec => ({
        id: runId(tax),
        trace: { path },
        config: {
          cpu: "native",
          mmu: "native",
          io: "native",
          memory: "balloon",
          platform: "piii-733",
          seed: 1,
          options: {
            "memory.vm-mb": VM_MB,
            "memory.host-mb": HOST_MB,
            "memory.peers": IDLE_PEER,
            "memory.tax": tax,
          },
        },
      })),
    ];
  },

  compare(results, p, hosts): ComparisonRow[] {
    const each = publishedNumber(p, [...FIGURE, "tax_0_each_MB"]);
    const note = workloadNote(results);
    return [
      ...hostRows(hosts, each),
      compareRow({
        figure: "Figure 7",
        label: "tax 0: active VM",
        reproduced: activeMb(results, 0),
        published: each,
        unit: "MB",
        role: "prediction",
        runs: [runId(0)],
        note,
      }),
      compareRow({
        figure: "Figure 7",
        label: "tax 0: idle VM",
        reproduced: HOST_MB - activeMb(results, 0),
        published: each,
        unit: "MB",
        role: "prediction",
        runs: [runId(0)],
        note: "360 MB minus the active VM's allocation",
      }),
      compareRow({
        figure: "Figure 7",
        label: `tax 0.75: active VM throughput gain${
          isDbench(results) ? "" : ` (${need(results, runId(0)).trace.workload} for dbench)`
        }`,
        reproduced: gain(results),
        published: null,
        unit: "%",
        role: "prediction",
        runs: [runId(0), runId(0.75)],
        note: `published ">30%"; ${note}`,
      }),
    ];
  },

  checks(results, _p, hosts): Check[] {
    const a0 = activeMb(results, 0), a75 = activeMb(results, 0.75);
    const g = gain(results);
    return [
      ...hostChecks(hosts),
      {
        label: "Figure 7: tax 0.75 moves memory from the idle VM to the active VM",
        passed: a75 > a0,
        detail: `active VM ${a0} MB at tax 0, ${a75} MB at tax 0.75 ` +
          `(idle VM ${HOST_MB - a0} -> ${HOST_MB - a75} MB)`,
        role: "prediction",
      },
      {
        label: "Figure 7: active VM throughput gain at tax 0.75 > 30%",
        // The gain comes from the memory the active VM no longer lacks: a trace whose
        // footprint fits either way cannot test it.
        passed: isMemoryBound(results) ? g > 30 : null,
        detail: isMemoryBound(results)
          ? `${g.toFixed(2)}% (${workloadNote(results)})`
          : `not reproduced: no trace (dbench is not in traces/MANIFEST.json); ` +
            `${g.toFixed(2)}% with ${workloadNote(results)}`,
        role: "prediction",
      },
    ];
  },

  chart(_results, p, _rows, hosts) {
    const each = publishedNumber(p, [...FIGURE, "tax_0_each_MB"]);
    const data: SweepDatum[] = [];
    // The manager allocates nothing before its first sampling period ends.
    const first = 30;
    for (const tax of TAXES) {
      const r = needHost(hosts, hostRunId(tax));
      const t = seconds(r);
      for (const name of ["active", "idle"] as const) {
        const i = r.vms.findIndex((v) => v.name === name);
        r.series.heldMB[i].forEach((mb, k) => {
          if (t[k] >= first) data.push({ series: `${name} VM, tax ${tax}`, x: t[k], y: mb });
        });
      }
      const a = r.vms.findIndex((v) => v.name === "active");
      r.series.activeMB?.[a].forEach((mb, k) => {
        if (t[k] >= first) data.push({ series: `active VM in use, tax ${tax}`, x: t[k], y: mb });
      });
    }
    const end = HOST_DURATION_MS / 1000;
    return lineSweep({
      title: "Idle memory tax: two VMs on one host (Waldspurger, Figure 7)",
      subtitle: `two ${VM_MB} MB VMs, equal shares, ${HOST_MB} MB; idle-hz250 and ` +
        "kv-memcached; in use: sampled; diamonds: published",
      data,
      references: [
        { series: "idle VM, tax 0", x: end, y: each },
        { series: "active VM, tax 0", x: end, y: each },
      ],
      xTitle: "simulated time (s)",
      yTitle: "memory allocated (MB)",
    });
  },
};

export default experiment;
