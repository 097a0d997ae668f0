/**
 * Barham et al. (SOSP 2003), Table 6: ttcp TCP bandwidth, transmit and receive, at MTU
 * 1500 and MTU 500, natively, under Xen, under VMware Workstation and under User-Mode
 * Linux, on the Xeon 2.4 GHz profile. Each column is replayed from a real ttcp-like trace
 * of the corpus (traces/recipes/net-tcp-{tx,rx}-{1500,500}: one 8192-byte buffer written
 * or read per iteration, through the emulated NIC, with its interrupts, frames and DMA).
 *
 * Bandwidth is what the slower of two limits allows: the CPU (one buffer per
 * per-iteration cycles over the profile's clock) and the Gigabit link (TCP payload per
 * frame over the frame's bytes on the wire, from Ethernet's and TCP/IP's header sizes).
 * The peer host is taken never to be the bottleneck.
 *
 * @module
 */

import { configLabel } from "./_lib/config_label.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import type { Result } from "../src/engine/result.ts";
import { compareRow } from "./_lib/compare.ts";
import { keepsPublishedOrder, orderingSummary } from "./_lib/ordering.ts";
import { corpusTraces } from "./_lib/corpus.ts";
import type {
  Check,
  ComparisonRow,
  Experiment,
  Published,
  RunConfig,
  RunResults,
  RunSpec,
} from "./_lib/experiment.ts";
import { BARHAM_UML, BARHAM_VMWARE, BARHAM_XEN } from "./_lib/barham_systems.ts";
import { publishedCell } from "./_lib/published.ts";
import { clockHz } from "./_lib/units.ts";
import { nativePerIteration, steadyVirtualizedPerIteration } from "../src/engine/steady_state.ts";

/** One column of Table 6 and the corpus workload that reproduces it. */
export interface TtcpColumn {
  /** Column key in published.json. */
  readonly column: string;
  /** Label for the figure. */
  readonly label: string;
  /** Corpus workload. */
  readonly workload: string;
  /** The interface MTU the trace was recorded at, in bytes. */
  readonly mtu: number;
}

/** Table 6's columns in the paper's order. */
export const TTCP_COLUMNS: readonly TtcpColumn[] = [
  { column: "tx_1500", label: "TCP MTU 1500 Tx", workload: "net-tcp-tx-1500", mtu: 1500 },
  { column: "rx_1500", label: "TCP MTU 1500 Rx", workload: "net-tcp-rx-1500", mtu: 1500 },
  { column: "tx_500", label: "TCP MTU 500 Tx", workload: "net-tcp-tx-500", mtu: 500 },
  { column: "rx_500", label: "TCP MTU 500 Rx", workload: "net-tcp-rx-500", mtu: 500 },
];

/**
 * Bytes each iteration moves: the buffer length run.sh gives ttcp.c (ttcp's default
 * `-l 8192`), one write() or one buffer of read()s per iteration marker.
 */
export const BUFFER_BYTES = 8192;

/** Gigabit Ethernet's bit rate. */
const LINK_BITS_PER_SECOND = 1e9;

/**
 * TCP payload over wire bits of one full-size segment at `mtu`: the payload is the MTU
 * less the IPv4 (20) and TCP (20) headers and the timestamp option (12; on by default in
 * Linux 2.4 and 6.1 alike); on the wire each frame adds the Ethernet header (14), FCS (4),
 * preamble (8) and inter-frame gap (12). 1448/1538 at MTU 1500, 448/538 at MTU 500.
 */
export function linkGoodputMbps(mtu: number): number {
  const payload = mtu - 20 - 20 - 12;
  const wire = mtu + 14 + 4 + 8 + 12;
  return (LINK_BITS_PER_SECOND * payload / wire) / 1e6;
}

/** Mb/s of one buffer per `cycles` at `hz`, capped by the link. */
export function bandwidthMbps(cycles: number, hz: number, mtu: number): number {
  const link = linkGoodputMbps(mtu);
  if (!(cycles > 0)) return link;
  return Math.min(link, (BUFFER_BYTES * 8 * hz / cycles) / 1e6);
}

/** The systems of Table 6 besides Linux: published row, label, configuration. */
const SYSTEMS: readonly { key: "xen" | "vmware" | "uml"; label: string; config: RunConfig }[] = [
  { key: "xen", label: "Xen", config: BARHAM_XEN },
  {
    key: "vmware",
    label: "VMware",
    config: BARHAM_VMWARE,
  },
  {
    key: "uml",
    label: "UML-like",
    config: BARHAM_UML,
  },
];

const PAPER = "barham2003_xen";
const TABLE = "table6_ttcp_mbps";
const PLATFORM = "xeon-2400";
const ERA = "2003";
const SEED = 1;

function runId(col: TtcpColumn, system: string): string {
  return `${col.column}/${system}`;
}

/** Reproduced Mb/s of one column by system, or null when its trace is absent. */
function columnValues(
  results: RunResults,
  col: TtcpColumn,
): { linux: number; xen: number; vmware: number; uml: number } | null {
  const runs = SYSTEMS.map((s) => results[runId(col, s.key)]);
  if (runs.some((r) => r === undefined)) return null;
  const [xen, vmware, uml] = runs as Result[];
  const bw = (r: Result, cycles: number) => bandwidthMbps(cycles, clockHz(r), col.mtu);
  return {
    linux: bw(xen, nativePerIteration(xen)),
    xen: bw(xen, steadyVirtualizedPerIteration(xen)),
    vmware: bw(vmware, steadyVirtualizedPerIteration(vmware)),
    uml: bw(uml, steadyVirtualizedPerIteration(uml)),
  };
}

function published(p: Published, col: TtcpColumn, system: string): number {
  return publishedCell(p, [PAPER, TABLE], system, col.column);
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** Barham et al. Table 6 from the corpus's ttcp-like traces. */
const experiment: Experiment = {
  name: "barham_ttcp",
  title: "ttcp TCP bandwidth: native Linux, Xen, VMware Workstation, UML",
  citation: "Barham et al., SOSP 2003, Table 6",
  papers: [PAPER],
  description: "Mb/s of a ttcp bulk TCP transfer, transmit and receive, at MTU 1500 and " +
    "MTU 500, on the Xeon 2.4 GHz profile, each column replayed from a real ttcp-like trace " +
    "(one 8192-byte buffer per iteration through an emulated e1000e with its interrupts, " +
    "frames and DMA; TSO, GSO and GRO off, as in Linux 2.4). Bandwidth = the lower of the " +
    "CPU limit (8192 bytes per per-iteration cycles over the 2.4 GHz clock; virtualized " +
    "cycles without the translator's one-time translation of the window) and the Gigabit " +
    "link's TCP goodput from header sizes (941 Mb/s at MTU 1500, 833 at 500). Linux is the " +
    "Xen run's native baseline; Xen is cpu pv + mmu pv-direct + io pv; VMware is cpu bt + " +
    "mmu shadow + io hosted; UML-like is cpu trap + mmu shadow + io hosted (as in barham_fig3). " +
    "Nothing is calibrated on this table. Not modelled: the peer host (taken never to be " +
    "the bottleneck), TCP's own dynamics (window, losses), and the guest being a 2022 " +
    "kernel on an e1000e rather than Linux 2.4 on the paper's NIC. The ordering check is " +
    "that Linux, Xen and VMware come in the paper's order in every column (UML is reported, " +
    "not ordered).",

  async runs(context): Promise<RunSpec[]> {
    const corpus = await corpusTraces(context.root);
    const byWorkload = new Map(corpus.map((t) => [t.workload, t.path]));
    const runs: RunSpec[] = [];
    for (const col of TTCP_COLUMNS) {
      const path = byWorkload.get(col.workload);
      if (path === undefined) continue;
      for (const system of SYSTEMS) {
        runs.push({
          id: runId(col, system.key),
          trace: { path },
          config: {
            ...system.config,
            platform: PLATFORM,
            seed: SEED,
            options: { "cpu.era": ERA },
          },
        });
      }
    }
    return runs;
  },

  compare(results, p): ComparisonRow[] {
    const rows: ComparisonRow[] = [];
    for (const col of TTCP_COLUMNS) {
      const v = columnValues(results, col);
      if (v === null) continue;
      rows.push(compareRow({
        figure: "Table 6",
        label: `${col.label}, Linux`,
        reproduced: v.linux,
        published: published(p, col, "linux"),
        unit: "Mb/s",
        role: "prediction",
        runs: [runId(col, "xen")],
        native: true,
        note: `the Xen run's native baseline; link ceiling ${fmt(linkGoodputMbps(col.mtu))} Mb/s`,
      }));
      for (const system of SYSTEMS) {
        rows.push(compareRow({
          figure: "Table 6",
          label: `${col.label}, ${system.label}`,
          reproduced: v[system.key],
          published: published(p, col, system.key),
          unit: "Mb/s",
          role: "prediction",
          runs: [runId(col, system.key)],
        }));
      }
    }
    return rows;
  },

  checks(results, p): Check[] {
    const perColumn = TTCP_COLUMNS.map((col): Check => {
      const label = `Table 6 ${col.label}: Linux, Xen, VMware in the published order`;
      const v = columnValues(results, col);
      if (v === null) {
        return {
          label,
          passed: null,
          detail: `not reproduced: no trace (${col.workload} is not in traces/MANIFEST.json)`,
          role: "prediction",
        };
      }
      const pub = ["linux", "xen", "vmware"].map((s) => published(p, col, s));
      return {
        label,
        passed: keepsPublishedOrder(pub, [v.linux, v.xen, v.vmware]),
        detail: `reproduced ${fmt(v.linux)} / ${fmt(v.xen)} / ${fmt(v.vmware)} Mb/s ` +
          `(UML-like ${fmt(v.uml)}); published ${pub.map(fmt).join(" / ")} Mb/s (UML ${
            fmt(published(p, col, "uml"))
          })`,
        role: "prediction",
      };
    });
    const systems = SYSTEMS.slice(0, 2).map((s) =>
      `${s.label} = ${
        configLabel({ ...s.config, platform: PLATFORM, options: { "cpu.era": ERA } })
      }`
    ).join("; ");
    return [
      ...perColumn,
      orderingSummary(
        TTCP_COLUMNS.map((c) => ({ label: c.label })),
        perColumn,
        `Table 6 (${systems})`,
      ),
    ];
  },

  chart(results, p) {
    const data: BarDatum[] = [];
    const references: BarDatum[] = [];
    const groups: string[] = [];
    const series = [
      ["linux", "Linux"],
      ["xen", "Xen"],
      ["vmware", "VMware"],
      ["uml", "UML-like"],
    ] as const;
    for (const col of TTCP_COLUMNS) {
      const v = columnValues(results, col);
      const group = v === null ? `${col.label} (no trace)` : col.label;
      groups.push(group);
      for (const [key, name] of series) {
        if (v !== null) data.push({ group, series: name, value: v[key] });
        references.push({ group, series: name, value: published(p, col, key) });
      }
    }
    return groupedBars({
      title: "ttcp TCP bandwidth (Barham et al., Table 6)",
      subtitle: [
        "Xeon 2.4 GHz profile, real ttcp-like traces; bars reproduced (predictions),",
        "hollow black diamonds published; bandwidth = min(CPU limit, Gigabit link goodput)",
      ],
      data,
      references,
      valueTitle: "Mb/s",
      groups,
    });
  },
};

export default experiment;
