/**
 * Proportional-share CPU scheduling on a consolidated host: three always-runnable VMs with
 * shares 1:2:3 on one physical CPU, under ESX-style proportional share (stride scheduling
 * with reservations; Waldspurger & Weihl 1995) and Xen's credit scheduler (weights), and
 * again with the smallest VM holding a reservation of half the CPU. The figure is each
 * VM's CPU received over simulated time; the checks compare what each VM received with its
 * entitlement, which for these schedulers is the definition of correct behaviour, not a
 * published measurement (so no comparison rows: nothing here is scored against a paper).
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { figureConfig } from "../src/charts/theme.ts";
import type { HostResult } from "../src/host/result.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  HostResults,
  HostRunSpec,
} from "./_lib/experiment.ts";
import { hostJson, hostVm, XEN } from "./_lib/host.ts";
import { needHost } from "./_lib/results.ts";

const TRACE = "traces/compute-gzip.vmt";
const PLATFORM = "xeon-2400";
/** The Xeon's clock in MHz: a reservation of half the CPU is half of it. */
const CLOCK_MHZ = 2400;
/** ESX's stride scheduler is exact after a few quanta; Xen's credit needs many 30 ms periods. */
const ESX_MS = 600;
const XEN_MS = 3000;
const SAMPLE_MS = 50;
/** ESX's scheduling quantum is tens of ms; Xen's credit scheduler slices at 30 ms. */
const SLICE_MS = 10;
/** Replayed at the start of each slice; CPU received does not depend on the rate. */
const DETAIL_US = 50;
/** Largest tolerated gap between CPU received and entitlement, as a share of the CPU. */
const TOLERANCE = 0.02;

/** One scheduling scenario: scheduler, per-VM controls, and the entitlements they imply. */
interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly scheduler: string;
  readonly sliceMs: number;
  readonly durationMs: number;
  readonly cpu: readonly { readonly [key: string]: number }[];
  /** Share of the one pCPU each VM is entitled to. */
  readonly entitled: readonly number[];
}

const SCENARIOS: readonly Scenario[] = [
  {
    id: "esx-shares",
    label: "ESX shares 1:2:3",
    scheduler: "proportional-share",
    sliceMs: SLICE_MS,
    durationMs: ESX_MS,
    cpu: [{ shares: 1000 }, { shares: 2000 }, { shares: 3000 }],
    entitled: [1 / 6, 2 / 6, 3 / 6],
  },
  {
    id: "esx-reservation",
    label: "ESX shares 1:2:3, vm1 reserves 50%",
    scheduler: "proportional-share",
    sliceMs: SLICE_MS,
    durationMs: ESX_MS,
    cpu: [
      { shares: 1000, reservationMHz: CLOCK_MHZ / 2 },
      { shares: 2000 },
      { shares: 3000 },
    ],
    // The reservation is served first; the rest is divided 2:3 between the other two.
    entitled: [0.5, 0.5 * 2 / 5, 0.5 * 3 / 5],
  },
  {
    id: "xen-credit",
    label: "Xen credit weights 1:2:3",
    scheduler: "credit",
    sliceMs: 30,
    durationMs: XEN_MS,
    cpu: [{ weight: 256 }, { weight: 512 }, { weight: 768 }],
    entitled: [1 / 6, 2 / 6, 3 / 6],
  },
];

function runSpec(s: Scenario): HostRunSpec {
  return {
    id: s.id,
    host: hostJson(
      {
        name: s.id,
        platform: PLATFORM,
        pcpus: 1,
        memoryMB: 1024,
        durationMs: s.durationMs,
        sampleMs: SAMPLE_MS,
        detailUs: DETAIL_US,
        scheduler: { name: s.scheduler, sliceMs: s.sliceMs },
      },
      s.cpu.map((cpu, i) => ({
        name: `vm${i + 1}`,
        trace: TRACE,
        technique: XEN,
        cpu,
        memory: { sizeMB: 64 },
      })),
    ),
  };
}

/** Share of the pCPU each VM received over the whole run. */
function received(result: HostResult): number[] {
  const total = result.host.durationMs * result.host.pcpus;
  return result.vms.map((v) => v.cpu.receivedMs / total);
}

/** Each VM's CPU received under each scheduler, over time and against its entitlement. */
const experiment: Experiment = {
  name: "host_proportional_share",
  title: "Proportional share: three VMs with shares 1:2:3 on one CPU",
  citation: "ESX proportional share and Xen credit (entitlement, not a published value)",
  papers: [],
  description: "Three VMs replay the gzip trace (always runnable) on one 2.4 GHz Xeon. " +
    `ESX-style proportional share (stride scheduling, ${SLICE_MS} ms quanta, ${ESX_MS} ms ` +
    "simulated) with shares 1000:2000:3000, then the same with vm1 reserving " +
    `${CLOCK_MHZ / 2} MHz (half the CPU), and Xen's credit scheduler with weights ` +
    "256:512:768 (30 ms slices, 30 ms accounting; over 600 ms its shares are still " +
    `20/35/45%, so it runs ${XEN_MS} ms, 100 accounting periods). The figure is each VM's ` +
    `CPU share per ${SAMPLE_MS} ms interval; the checks hold each VM's share over the run ` +
    `to within ${TOLERANCE * 100} percentage points of its entitlement. The schedulers' ` +
    "sources are in docs/host.md. Only the first 50 µs of each slice is replayed (sampled " +
    "simulation): CPU received does not depend on the guest's instruction rate.",

  runs(): HostRunSpec[] {
    return SCENARIOS.map(runSpec);
  },

  compare(): ComparisonRow[] {
    return [];
  },

  checks(_results, _published, hosts): Check[] {
    return SCENARIOS.map((s) => {
      const got = received(needHost(hosts, s.id));
      const worst = Math.max(...got.map((g, i) => Math.abs(g - s.entitled[i])));
      return {
        label: `${s.label}: CPU received within ${TOLERANCE * 100} points of entitlement`,
        passed: worst <= TOLERANCE,
        detail: got.map((g, i) =>
          `vm${i + 1} ${(100 * g).toFixed(1)}% (entitled ${(100 * s.entitled[i]).toFixed(1)}%)`
        ).join(", "),
        role: "prediction",
      };
    });
  },

  chart(_results, _published, _rows, hosts?: HostResults): TopLevelSpec {
    const values: { scenario: string; vm: string; t: number; share: number }[] = [];
    for (const s of SCENARIOS) {
      const r = needHost(hosts, s.id);
      for (const vm of r.vms) {
        const i = r.vms.indexOf(hostVm(r, vm.name));
        r.series.timeMs.forEach((t, k) =>
          values.push({ scenario: s.label, vm: vm.name, t, share: r.series.cpuShare[i][k] })
        );
      }
    }
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: {
        text: "CPU received by three VMs with shares 1:2:3",
        subtitle: `gzip trace, pv on ${PLATFORM}, one pCPU; share per ${SAMPLE_MS} ms`,
      },
      data: { values },
      facet: { column: { field: "scenario", type: "nominal", title: null, sort: null } },
      spec: {
        width: 220,
        height: 200,
        mark: { type: "line", interpolate: "step-before" },
        encoding: {
          x: { field: "t", type: "quantitative", title: "simulated time (ms)" },
          y: {
            field: "share",
            type: "quantitative",
            title: "CPU share of the pCPU",
            scale: { domain: [0, 1] },
          },
          color: { field: "vm", type: "nominal", legend: { title: null, orient: "top" } },
        },
      },
      config: figureConfig(),
    } as TopLevelSpec;
  },
};

export default experiment;
