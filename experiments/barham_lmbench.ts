/**
 * Barham et al. (SOSP 2003), Tables 3-5: lmbench process, context-switch, file and VM
 * latencies natively, under Xen (paravirtual CPU, direct page tables, split-driver I/O)
 * and under a VMware-Workstation-style VMM (binary translation, shadow page tables,
 * hosted I/O), on the Xeon 2.4 GHz profile. Each row is replayed from a real lmbench-style
 * trace of the corpus (one operation per iteration marker); the microseconds are the
 * per-iteration cycles over the profile's clock. Rows whose trace the corpus lacks are
 * listed as not reproduced (see {@link LMBENCH_ROWS}).
 *
 * @module
 */

import { configLabel } from "./_lib/config_label.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";
import type { BarDatum } from "../src/charts/grouped_bars.ts";
import type { Result } from "../src/engine/result.ts";
import { compareRow } from "./_lib/compare.ts";
import { keepsPublishedOrder, ORDER_LABEL, orderingSummary } from "./_lib/ordering.ts";
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
import { BARHAM_VMWARE, BARHAM_XEN } from "./_lib/barham_systems.ts";
import { publishedCell } from "./_lib/published.ts";
import { cyclesToMicroseconds } from "./_lib/units.ts";
import { nativePerIteration, steadyVirtualizedPerIteration } from "../src/engine/steady_state.ts";

/** One lmbench row: where it is published, and which corpus workload reproduces it. */
export interface LmbenchRow {
  /** Table label, e.g. `Table 3`. */
  readonly table: string;
  /** Key of the table in published.json. */
  readonly key: string;
  /** Column of that table. */
  readonly column: string;
  /** Short label for the figure. */
  readonly label: string;
  /** Workload name of the corpus trace that records it, or null when none is planned. */
  readonly workload: string | null;
  /** Which configuration's cell of this row set a profile cost (`xen`), if any. */
  readonly calibrated?: "xen";
  /** Prefix of the row's run ids when it is not `column` (a second trace of the same cell). */
  readonly id?: string;
}

const T3 = "table3_lmbench_processes_us";
const T4 = "table4_lmbench_ctxsw_us";
const T5 = "table5_lmbench_file_vm_us";

/**
 * Every row of Tables 3-5 in the paper's order. `fork proc` is lmbench's fork + exit +
 * wait, which is exactly Adams & Agesen's forkwait, so the forkwait trace reproduces it.
 * `select TCP` is the column lmbench 3's summary prints, `lat_select -n 100 tcp` (select
 * on 100 connected TCP sockets); the corpus's 10-socket companion has no published cell.
 * Table 4's 2p/0K Xen cell set `pv.hypercall` and `mmu.pv.switch`, and Table 5's page-fault
 * Xen cell set `mmu.pv.fault` and `pv.exception.pf` on `xeon-2400`: those two cells are
 * calibration, every other cell is a prediction.
 */
export const LMBENCH_ROWS: readonly LmbenchRow[] = [
  {
    table: "Table 3",
    key: T3,
    column: "null_call",
    label: "null call",
    workload: "lmbench-null-call",
  },
  { table: "Table 3", key: T3, column: "null_io", label: "null I/O", workload: "lmbench-null-io" },
  { table: "Table 3", key: T3, column: "stat", label: "stat", workload: "lmbench-stat" },
  {
    table: "Table 3",
    key: T3,
    column: "open_close",
    label: "open/close",
    workload: "lmbench-open-close",
  },
  {
    table: "Table 3",
    key: T3,
    column: "select_tcp",
    label: "select TCP",
    workload: "lmbench-select-100-tcp",
  },
  {
    table: "Table 3",
    key: T3,
    column: "sig_inst",
    label: "sig inst",
    workload: "lmbench-sig-inst",
  },
  {
    table: "Table 3",
    key: T3,
    column: "sig_hndl",
    label: "sig handle",
    workload: "lmbench-sig-hndl",
  },
  { table: "Table 3", key: T3, column: "fork_proc", label: "fork proc", workload: "forkwait" },
  { table: "Table 3", key: T3, column: "exec_proc", label: "exec proc", workload: "lmbench-exec" },
  { table: "Table 3", key: T3, column: "sh_proc", label: "sh proc", workload: "lmbench-sh" },
  {
    table: "Table 4",
    key: T4,
    column: "2p_0K",
    label: "ctx 2p/0K",
    workload: "lmbench-ctx-2p-0k",
    calibrated: "xen",
  },
  {
    table: "Table 4",
    key: T4,
    column: "2p_16K",
    label: "ctx 2p/16K",
    workload: "lmbench-ctx-2p-16k",
  },
  {
    table: "Table 4",
    key: T4,
    column: "2p_64K",
    label: "ctx 2p/64K",
    workload: "lmbench-ctx-2p-64k",
  },
  {
    table: "Table 4",
    key: T4,
    column: "8p_16K",
    label: "ctx 8p/16K",
    workload: "lmbench-ctx-8p-16k",
  },
  {
    table: "Table 4",
    key: T4,
    column: "8p_64K",
    label: "ctx 8p/64K",
    workload: "lmbench-ctx-8p-64k",
  },
  {
    table: "Table 4",
    key: T4,
    column: "16p_16K",
    label: "ctx 16p/16K",
    workload: "lmbench-ctx-16p-16k",
  },
  {
    table: "Table 4",
    key: T4,
    column: "16p_64K",
    label: "ctx 16p/64K",
    workload: "lmbench-ctx-16p-64k",
  },
  {
    table: "Table 5",
    key: T5,
    column: "create_0K",
    label: "create 0K",
    workload: "lmbench-create-0k",
  },
  {
    table: "Table 5",
    key: T5,
    column: "delete_0K",
    label: "delete 0K",
    workload: "lmbench-delete-0k",
  },
  {
    table: "Table 5",
    key: T5,
    column: "create_10K",
    label: "create 10K",
    workload: "lmbench-create-10k",
  },
  {
    table: "Table 5",
    key: T5,
    column: "delete_10K",
    label: "delete 10K",
    workload: "lmbench-delete-10k",
  },
  { table: "Table 5", key: T5, column: "mmap_lat", label: "mmap", workload: "lmbench-mmap" },
  {
    table: "Table 5",
    key: T5,
    column: "prot_fault",
    label: "prot fault",
    workload: "lmbench-prot-fault",
  },
  {
    table: "Table 5",
    key: T5,
    column: "page_fault",
    label: "page fault",
    workload: "lmbench-page-fault",
    calibrated: "xen",
  },
];

/**
 * Every row also replayed on a 32-bit guest, as the paper's were (Linux 2.4 on 32-bit x86,
 * 2-level paging): the same programs built with gcc -m32, recorded on Debian 12's i386 686
 * kernel (traces/recipes/*-i386), in the paper's order. Every cell of them is a prediction:
 * the profile's pv costs were set from the 64-bit rows.
 */
export const LMBENCH_ROWS_32: readonly LmbenchRow[] = ([
  ["null_call", "lmbench-null-call-i386"],
  ["null_io", "lmbench-null-io-i386"],
  ["stat", "lmbench-stat-i386"],
  ["open_close", "lmbench-open-close-i386"],
  ["select_tcp", "lmbench-select-100-tcp-i386"],
  ["sig_inst", "lmbench-sig-inst-i386"],
  ["sig_hndl", "lmbench-sig-hndl-i386"],
  ["fork_proc", "forkwait-i386"],
  ["exec_proc", "lmbench-exec-i386"],
  ["sh_proc", "lmbench-sh-i386"],
  ["2p_0K", "lmbench-ctx-2p-0k-i386"],
  ["2p_16K", "lmbench-ctx-2p-16k-i386"],
  ["2p_64K", "lmbench-ctx-2p-64k-i386"],
  ["8p_16K", "lmbench-ctx-8p-16k-i386"],
  ["8p_64K", "lmbench-ctx-8p-64k-i386"],
  ["16p_16K", "lmbench-ctx-16p-16k-i386"],
  ["16p_64K", "lmbench-ctx-16p-64k-i386"],
  ["create_0K", "lmbench-create-0k-i386"],
  ["delete_0K", "lmbench-delete-0k-i386"],
  ["create_10K", "lmbench-create-10k-i386"],
  ["delete_10K", "lmbench-delete-10k-i386"],
  ["mmap_lat", "lmbench-mmap-i386"],
  ["prot_fault", "lmbench-prot-fault-i386"],
  ["page_fault", "lmbench-page-fault-i386"],
] as const).map(([column, workload]) => {
  const row = LMBENCH_ROWS.find((r) => r.column === column);
  if (row === undefined) throw new Error(`barham_lmbench: no 64-bit row ${column}`);
  return {
    table: row.table,
    key: row.key,
    column,
    label: `${row.label}, 32-bit`,
    workload,
    id: `${column}-i386`,
  };
});

/** Every row replayed: the 64-bit ones, then the 32-bit ones. */
const ALL_ROWS: readonly LmbenchRow[] = [...LMBENCH_ROWS, ...LMBENCH_ROWS_32];

/** The virtualized systems of the tables: published row name, label, configuration. */
const SYSTEMS: readonly { key: "xen" | "vmware"; row: string; label: string; config: RunConfig }[] =
  [
    {
      key: "xen",
      row: "xen",
      label: "Xen",
      config: BARHAM_XEN,
    },
    {
      key: "vmware",
      row: "vmware",
      label: "VMware",
      config: BARHAM_VMWARE,
    },
  ];

const PAPER = "barham2003_xen";
const NATIVE_ROW = "linux_up";
const PLATFORM = "xeon-2400";
const SEED = 1;

function runId(row: LmbenchRow, system: string): string {
  return `${row.id ?? row.column}/${system}`;
}

/**
 * Microseconds per iteration on the run's platform. Virtualized cycles leave out the
 * translator's one-time translation of the window (src/engine/steady_state.ts): lmbench
 * reports warm, repeated operations, and the guest ran warm-up operations before the
 * recorded window, which a real VMM would already have translated.
 */
function perIterationUs(result: Result, which: "native" | "virtualized"): number {
  const cycles = which === "native"
    ? nativePerIteration(result)
    : steadyVirtualizedPerIteration(result);
  return cyclesToMicroseconds(result, cycles);
}

/** Reproduced µs of one row: native (from the Xen run's baseline), Xen, VMware. */
function rowValues(
  results: RunResults,
  row: LmbenchRow,
): { native: number; xen: number; vmware: number } | null {
  const xen = results[runId(row, "xen")];
  const vmware = results[runId(row, "vmware")];
  if (xen === undefined || vmware === undefined) return null;
  return {
    native: perIterationUs(xen, "native"),
    xen: perIterationUs(xen, "virtualized"),
    vmware: perIterationUs(vmware, "virtualized"),
  };
}

function published(p: Published, row: LmbenchRow, system: string): number {
  return publishedCell(p, [PAPER, row.key], system, row.column);
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Barham et al. Tables 3-5 from the corpus's lmbench-style traces. */
const experiment: Experiment = {
  name: "barham_lmbench",
  title: "lmbench latencies: native Linux, Xen, VMware Workstation",
  citation: "Barham et al., SOSP 2003, Tables 3-5",
  papers: [PAPER],
  description: "Microseconds per operation of the lmbench rows of Tables 3 (processes), 4 " +
    "(context switches) and 5 (file and VM operations) on the Xeon 2.4 GHz profile, each " +
    "replayed from a real lmbench-style trace of the corpus (one operation per iteration " +
    "marker; per-iteration cycles over the 2.4 GHz clock, without the binary translator's " +
    "one-time translation of the window, as lmbench reports warm operations). Native is the baseline of each " +
    "replay; Xen is cpu pv + mmu pv-direct + io pv; VMware is cpu bt + mmu shadow + io hosted. " +
    "fork proc is replayed from the forkwait trace (lmbench's fork + exit + wait); select TCP " +
    "from select on 100 connected loopback TCP sockets (lmbench 3's summary column). Not " +
    "reproduced: every row whose trace is not in traces/MANIFEST.json when the experiment runs (its " +
    "comparison rows are then absent; the checks list it as not reproduced). The Xen - Linux " +
    "differences of ctx 2p/0K and page fault set the profile's pv costs (calibration rows); " +
    "every other number, the absolute Xen times of those two rows included, is a prediction. Table 4 differs in definition: lmbench's lat_ctx subtracts the cost of passing " +
    "the token (the pipe read and write) and of touching the array, while an iteration here " +
    "is the whole hop, so the absolute context-switch times are larger than published and " +
    "the ordering is the comparable part. The 8p/0K and 16p/0K traces have no published " +
    "column and are not replayed. The ordering check is that native, Xen and VMware come in the paper's order " +
    "on every row (the paper itself has Xen slightly below native in stat, open/close, select, " +
    "sig handle and delete 0K, and equal in null I/O, where either order passes). Beside the " +
    "64-bit rows, every row is also replayed from a 32-bit guest, as the paper's were (the same " +
    "programs on Debian 12's i386 686 kernel, 2-level paging; rows labelled 32-bit, all " +
    "predictions, with their own ordering check; a row whose 32-bit trace is not in the " +
    "manifest is left out).",

  async runs(context): Promise<RunSpec[]> {
    const corpus = await corpusTraces(context.root);
    const byWorkload = new Map(corpus.map((t) => [t.workload, t.path]));
    const runs: RunSpec[] = [];
    for (const row of ALL_ROWS) {
      const path = row.workload === null ? undefined : byWorkload.get(row.workload);
      if (path === undefined) continue;
      for (const system of SYSTEMS) {
        runs.push({
          id: runId(row, system.key),
          trace: { path },
          config: {
            ...system.config,
            platform: PLATFORM,
            seed: SEED,
            options: { "cpu.era": "2003" },
          },
        });
      }
    }
    return runs;
  },

  compare(results, p): ComparisonRow[] {
    const rows: ComparisonRow[] = [];
    for (const row of ALL_ROWS) {
      const v = rowValues(results, row);
      if (v === null) continue;
      const runs = [runId(row, "xen"), runId(row, "vmware")];
      rows.push(compareRow({
        figure: row.table,
        label: `${row.label}, native`,
        reproduced: v.native,
        published: published(p, row, NATIVE_ROW),
        unit: "us",
        role: "prediction",
        runs: [runs[0]],
        native: true,
        note: "L-UP column: the Xen run's native baseline, cycles per iteration / clock",
      }));
      for (const system of SYSTEMS) {
        rows.push(compareRow({
          figure: row.table,
          label: `${row.label}, ${system.label}`,
          reproduced: v[system.key],
          published: published(p, row, system.row),
          unit: "us",
          role: "prediction",
          runs: [runId(row, system.key)],
        }));
        if (row.calibrated === system.key) {
          // What the profile's pv costs were set from is the cell's extra time over Linux;
          // the absolute time also carries our trace's own native time, a prediction.
          rows.push(compareRow({
            figure: row.table,
            label: `${row.label}, ${system.label} - native`,
            reproduced: v[system.key] - v.native,
            published: published(p, row, system.row) - published(p, row, NATIVE_ROW),
            unit: "us",
            role: "calibration",
            runs: [runId(row, system.key)],
            note: "xeon-2400's pv costs were derived from this difference",
          }));
        }
      }
    }
    return rows;
  },

  checks(results, p): Check[] {
    const rowCheck = (row: LmbenchRow): Check => {
      const label = `${row.table} ${row.label}: ${ORDER_LABEL}`;
      const v = rowValues(results, row);
      if (v === null) {
        return {
          label,
          passed: null,
          detail: row.workload === null
            ? "not reproduced: no trace of this operation is recorded in the corpus"
            : `not reproduced: no trace (${row.workload} is not in traces/MANIFEST.json)`,
          role: "prediction",
        };
      }
      const pub = [NATIVE_ROW, "xen", "vmware"].map((s) => published(p, row, s));
      return {
        label,
        passed: keepsPublishedOrder(pub, [v.native, v.xen, v.vmware]),
        detail: `reproduced ${fmt(v.native)} / ${fmt(v.xen)} / ${fmt(v.vmware)} us; ` +
          `published ${pub.map(fmt).join(" / ")} us`,
        role: "prediction",
      };
    };
    const perRow = LMBENCH_ROWS.map(rowCheck);
    // The 32-bit rows join when their traces are in the corpus (their own summary).
    const rows32 = LMBENCH_ROWS_32.filter((row) => rowValues(results, row) !== null);
    const perRow32 = rows32.map(rowCheck);
    const systems = SYSTEMS.map((s) =>
      `${s.label} = ${
        configLabel({ ...s.config, platform: PLATFORM, options: { "cpu.era": "2003" } })
      }`
    ).join("; ");
    return [
      ...perRow,
      orderingSummary(LMBENCH_ROWS, perRow, `Tables 3-5 (${systems})`),
      ...perRow32,
      ...(rows32.length > 0
        ? [{
          ...orderingSummary(rows32, perRow32, `Tables 3-5 on a 32-bit guest (${systems})`),
          headline: false,
        }]
        : []),
    ];
  },

  chart(results, p) {
    const data: BarDatum[] = [];
    const references: BarDatum[] = [];
    const groups: string[] = [];
    // The 32-bit rows are drawn when reproduced (their published values are the 64-bit rows').
    const drawn = [
      ...LMBENCH_ROWS,
      ...LMBENCH_ROWS_32.filter((row) => rowValues(results, row) !== null),
    ];
    for (const row of drawn) {
      const v = rowValues(results, row);
      const group = v === null
        ? `${row.table.slice(-1)}: ${row.label} (no trace)`
        : `${row.table.slice(-1)}: ${row.label}`;
      groups.push(group);
      if (v !== null) {
        data.push({ group, series: "native", value: v.native });
        data.push({ group, series: "Xen", value: v.xen });
        data.push({ group, series: "VMware", value: v.vmware });
      }
      references.push({ group, series: "native", value: published(p, row, NATIVE_ROW) });
      references.push({ group, series: "Xen", value: published(p, row, "xen") });
      references.push({ group, series: "VMware", value: published(p, row, "vmware") });
    }
    return groupedBars({
      title: "lmbench latencies (Barham et al., Tables 3-5)",
      subtitle: [
        "Xeon 2.4 GHz profile, real lmbench-style traces; dots reproduced (predictions),",
        'hollow black diamonds published; rows prefixed by table number; "no trace": faded, published only',
      ],
      data,
      references,
      valueTitle: "microseconds per operation (log scale)",
      log: true,
      horizontal: true,
      groups,
    });
  },
};

export default experiment;
