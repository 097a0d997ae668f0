/**
 * Barham et al. (SOSP 2003), section 4.4, performance isolation: an OSDB-IR-like guest
 * (PostgreSQL running a read-only query mix, db-query) and a SPEC WEB99-like guest
 * (lighttpd, web-lighttpd) beside two antisocial domains, a disk bandwidth hog (disk-dd:
 * synchronous 64 KiB O_DIRECT writes and reads, looped) and a fork bomb (forkwait), four
 * single-vCPU VMs with equal weights on the dual 2.4 GHz Xeon. Each good VM's throughput is
 * compared with a run of the two good VMs alone on the same host, under Xen's configuration
 * (pv CPU, pv-direct MMU, pv I/O) and under a hosted, VMware Workstation-style one (binary
 * translation, shadow paging, hosted I/O). The paper reports −4% (OSDB-IR) and −2% (SPEC
 * WEB99) under Xen, and that Workstation "achieves similar levels of isolation"; issue 15
 * expected hosted I/O to isolate much worse. Both expectations are checks.
 *
 * @module
 */

import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import type { HostResult } from "../src/host/result.ts";
import { compareRow } from "./_lib/compare.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  HostResults,
  HostRunSpec,
  Published,
} from "./_lib/experiment.ts";
import { HOSTED, hostJson, hostVm, type Technique, XEN } from "./_lib/host.ts";
import { publishedNumber } from "./_lib/published.ts";
import { needHost } from "./_lib/results.ts";

/** Barham's machine: a Dell 2650 with two 2.4 GHz Xeons (section 4). */
const PLATFORM = "xeon-2400";
const PCPUS = 2;
/**
 * Simulated time, replayed in full: sampled simulation undercounts these traces by 9-42%
 * at 5-10% detail since the cache hierarchy merged (docs/host.md), more than the effect.
 * 60 ms is two Xen accounting periods and twelve 5 ms slices per pCPU.
 */
const DURATION_MS = 60;
/** The 2003 Xen's default maximum scheduling slice (Barham et al. section 4.5). */
const SLICE_MS = 5;
/** One iteration before time 0: warm translation caches, TLBs and shadow page tables. */
const WARMUP = 1;

const TECHNIQUES: readonly Technique[] = [XEN, HOSTED];
const LEGEND: { readonly [label: string]: string } = {
  pv: "Xen (pv)",
  hosted: "hosted (bt, shadow)",
};

/** The two guests whose throughput is measured, with the published key of each. */
const GOOD = [
  { name: "osdb-ir", trace: "traces/db-query.vmt", label: "OSDB-IR (db-query)", key: "osdb_ir" },
  {
    name: "specweb",
    trace: "traces/web-lighttpd.vmt",
    label: "SPEC WEB99 (web-lighttpd)",
    key: "specweb99",
  },
] as const;
/** The antisocial domains. */
const HOSTILE = [
  { name: "disk-hog", trace: "traces/disk-dd.vmt" },
  { name: "fork-bomb", trace: "traces/forkwait.vmt" },
] as const;

const SCENARIOS = ["good", "hostile"] as const;
type Scenario = typeof SCENARIOS[number];

function runId(t: Technique, s: Scenario): string {
  return `${t.label}/${s}`;
}

function runSpec(t: Technique, s: Scenario): HostRunSpec {
  const vms = s === "good" ? [...GOOD] : [...GOOD, ...HOSTILE];
  return {
    id: runId(t, s),
    host: hostJson(
      {
        name: `isolation-${t.label}-${s}`,
        platform: PLATFORM,
        pcpus: PCPUS,
        memoryMB: 2048,
        durationMs: DURATION_MS,
        sampleMs: DURATION_MS / 12,
        scheduler: { name: "credit", sliceMs: SLICE_MS },
      },
      vms.map((v) => ({
        name: v.name,
        trace: v.trace,
        technique: t,
        memory: { sizeMB: 256 },
        warmupIterations: WARMUP,
      })),
    ),
  };
}

/** A good VM's figures beside the antisocial domains against the good VMs alone. */
function effect(hosts: HostResults | undefined, t: Technique, vm: string) {
  const alone = hostVm(needHost(hosts, runId(t, "good")), vm);
  const among = hostVm(needHost(hosts, runId(t, "hostile")), vm);
  const pct = (a: number, b: number) => b > 0 ? 100 * (a / b - 1) : 0;
  const rate = (v: HostResult["vms"][number]) =>
    v.cpu.receivedMs > 0 ? v.instructions / v.cpu.receivedMs : 0;
  return {
    throughput: pct(among.instructions, alone.instructions),
    cpu: pct(among.cpu.receivedMs, alone.cpu.receivedMs),
    perCpu: pct(rate(among), rate(alone)),
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The antisocial VMs' own figures: what they took from the host. */
function hogDetail(r: HostResult): string {
  const dd = hostVm(r, "disk-hog"), fb = hostVm(r, "fork-bomb");
  const ms = r.host.durationMs * r.host.pcpus;
  return `disk hog ${dd.io.disk.requests} requests, ${
    (100 * dd.cpu.receivedMs / ms).toFixed(1)
  }% of the host's CPU, disk ${(100 * r.totals.disk.utilization).toFixed(0)}% busy; ` +
    `fork bomb ${(100 * fb.cpu.receivedMs / ms).toFixed(1)}% of the CPU`;
}

/** The two good VMs' throughput beside two antisocial domains, Xen against a hosted VMM. */
const experiment: Experiment = {
  name: "barham_isolation",
  title: "Performance isolation: two servers beside a disk hog and a fork bomb",
  citation: "Barham et al., SOSP 2003, section 4.4",
  papers: ["barham2003_xen"],
  description: "Four single-vCPU VMs with equal credit weights on a two-CPU 2.4 GHz Xeon " +
    "host (Barham's Dell 2650): an OSDB-IR-like guest (db-query: PostgreSQL on tmpfs " +
    "running a read-only query mix), a SPEC WEB99-like guest (web-lighttpd: lighttpd " +
    "serving a loopback client), a disk bandwidth hog (disk-dd looped: its recorded " +
    "synchronous 64 KiB O_DIRECT write and read per iteration, each waiting on the shared " +
    "disk, 50 MB/s and 5 ms per request) and a fork bomb (forkwait looped). The paper's " +
    "antisocial domains each ran a second process (small-file creation; a program touching " +
    "3 GB and restarting); no trace records those, so they are left out. Xen's credit " +
    `scheduler with ${SLICE_MS} ms slices (the 2003 Xen's default, section 4.5) preempts ` +
    "on a BOOSTed wake, so the disk hog keeps the disk busy. Each good VM's guest " +
    "instructions are compared with a run of the two good VMs alone on the same host (one " +
    "pCPU each), under Xen's configuration and a hosted one (bt, shadow, hosted I/O, same " +
    `scheduler). ${DURATION_MS} ms of simulated time replayed in full, after one warm-up ` +
    "iteration per VM. Neither good trace issues disk or network requests (the database " +
    "is on tmpfs, the web client is local), so the neighbours reach them only through the " +
    "CPU: the CPU they take, world switches, and TLB and cache refills after them. Two " +
    "accounting periods are not credit's steady state: it divides the CPU unevenly between " +
    "the three compute-bound VMs here, where in the long run each would get two thirds of " +
    "a pCPU (a third less than alone); the CPU-received rows show what each got. The " +
    "figure shows each good VM's throughput change; diamonds are the published values.",

  runs(): HostRunSpec[] {
    return TECHNIQUES.flatMap((t) => SCENARIOS.map((s) => runSpec(t, s)));
  },

  compare(_results, published: Published, hosts): ComparisonRow[] {
    const rows: ComparisonRow[] = [];
    for (const t of TECHNIQUES) {
      for (const g of GOOD) {
        const e = effect(hosts, t, g.name);
        const runs = SCENARIOS.map((s) => runId(t, s));
        const pub = t === XEN
          ? publishedNumber(published, [
            "barham2003_xen",
            "sec4_4_isolation",
            `${g.key}_percent_vs_earlier`,
          ])
          : null;
        rows.push(
          compareRow({
            figure: "Section 4.4",
            label: `${t.label}: ${g.label} throughput beside the antisocial VMs`,
            reproduced: round1(e.throughput),
            published: pub,
            unit: "% vs good VMs alone",
            role: "prediction",
            runs,
            note: t === XEN
              ? "the paper compares with its section 4.1 runs (one CPU, one guest)"
              : "the paper says only that Workstation isolates similarly",
          }),
          compareRow({
            figure: "Section 4.4",
            label: `${t.label}: ${g.label} CPU received beside the antisocial VMs`,
            reproduced: round1(e.cpu),
            published: null,
            unit: "% vs good VMs alone",
            role: "prediction",
            runs,
          }),
          compareRow({
            figure: "Section 4.4",
            label: `${t.label}: ${g.label} instructions per ms of CPU received`,
            reproduced: round1(e.perCpu),
            published: null,
            unit: "% vs good VMs alone",
            role: "prediction",
            runs,
            note: "switches and refills, and the different stretch of the trace each run reaches",
          }),
        );
      }
    }
    return rows;
  },

  checks(_results, published, hosts): Check[] {
    const loss = (t: Technique) =>
      GOOD.map((g) => -effect(hosts, t, g.name).throughput).reduce((a, b) => a + b) /
      GOOD.length;
    const [xen, hosted] = [loss(XEN), loss(HOSTED)];
    const pub = GOOD.map((g) =>
      publishedNumber(published, [
        "barham2003_xen",
        "sec4_4_isolation",
        `${g.key}_percent_vs_earlier`,
      ])
    );
    const xenHost = needHost(hosts, runId(XEN, "hostile"));
    const both = `mean loss ${xen.toFixed(1)}% under Xen, ${hosted.toFixed(1)}% hosted`;
    return [
      {
        label: "The disk hog keeps the shared disk busy beside the other VMs (Xen)",
        passed: xenHost.totals.disk.utilization > 0.8,
        detail: hogDetail(xenHost),
        role: "prediction",
      },
      {
        label: `Xen isolates the good VMs to within 5% (published ${pub[0]}% and ${pub[1]}%)`,
        passed: xen <= 5,
        detail: GOOD.map((g) => `${g.label} ${round1(effect(hosts, XEN, g.name).throughput)}%`)
          .join(", ") + `; ${hogDetail(xenHost)}`,
        role: "prediction",
      },
      {
        label: "Issue 15's expectation: hosted I/O isolates much worse than Xen (twice the loss)",
        passed: hosted >= 2 * xen,
        detail: both,
        role: "prediction",
      },
      {
        label: "Barham: VMware Workstation isolates about as well as Xen (losses within 5 points)",
        passed: Math.abs(hosted - xen) <= 5,
        detail: `${both}; ${hogDetail(needHost(hosts, runId(HOSTED, "hostile")))}`,
        role: "prediction",
      },
    ];
  },

  chart(_results, published, _rows, hosts) {
    const data: BarDatum[] = TECHNIQUES.flatMap((t) =>
      GOOD.map((g) => ({
        group: g.label,
        series: LEGEND[t.label],
        value: round1(effect(hosts, t, g.name).throughput),
      }))
    );
    const references: BarDatum[] = GOOD.map((g) => ({
      group: g.label,
      series: LEGEND[XEN.label],
      value: publishedNumber(published, [
        "barham2003_xen",
        "sec4_4_isolation",
        `${g.key}_percent_vs_earlier`,
      ]),
    }));
    return groupedBars({
      title: "Throughput beside a disk hog and a fork bomb",
      subtitle: [
        "Barham et al. 2003, section 4.4; % change against the two good VMs alone",
        `${PCPUS} x ${PLATFORM}, Xen credit with ${SLICE_MS} ms slices, ${DURATION_MS} ms replayed`,
      ],
      data,
      references,
      valueTitle: "throughput change (%)",
      labelFormat: ".1f",
      rules: [0],
    });
  },
};

export default experiment;
