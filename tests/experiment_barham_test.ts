import { replayRuns } from "../experiments/_lib/results.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Result, RESULT_SCHEMA } from "../src/engine/result.ts";
import type { Published, RunResults } from "../experiments/_lib/experiment.ts";
import lmbench, { LMBENCH_ROWS, LMBENCH_ROWS_32 } from "../experiments/barham_lmbench.ts";
import fig3, { FIG3_ROWS, publishedRelative } from "../experiments/barham_fig3.ts";
import { keepsPublishedOrder, orderingSummary } from "../experiments/_lib/ordering.ts";

/** A result on the 2.4 GHz Xeon profile with hand-chosen cycles. */
function fake(
  workload: string,
  cpu: string,
  native: number,
  virtualized: number,
  iterations: number,
  breakdown: Record<string, number> = {},
): Result {
  return {
    schema: RESULT_SCHEMA,
    trace: { path: `traces/${workload}.vmt`, hash: "h", workload, iterations },
    config: { cpu, mmu: "x", memory: "none", io: "x", platform: "xeon-2400", seed: 1 },
    cycles: {
      native,
      virtualized,
      perIteration: { native: native / iterations, virtualized: virtualized / iterations },
    },
    slowdown: virtualized / native,
    breakdown,
    events: {},
    host: {},
  };
}

const COLS3 = [
  "null_call",
  "null_io",
  "stat",
  "open_close",
  "select_tcp",
  "sig_inst",
  "sig_hndl",
  "fork_proc",
  "exec_proc",
  "sh_proc",
];
const COLS4 = ["2p_0K", "2p_16K", "2p_64K", "8p_16K", "8p_64K", "16p_16K", "16p_64K"];
const COLS5 = [
  "create_0K",
  "delete_0K",
  "create_10K",
  "delete_10K",
  "mmap_lat",
  "prot_fault",
  "page_fault",
];
function table(columns: string[], linux: number, xen: number, vmware: number) {
  const fill = (v: number) => columns.map(() => v);
  return { columns, linux_up: fill(linux), xen: fill(xen), vmware: fill(vmware) };
}
const PUBLISHED: Published = {
  barham2003_xen: {
    table3_lmbench_processes_us: table(COLS3, 1, 2, 4),
    table4_lmbench_ctxsw_us: table(COLS4, 1, 2, 4),
    table5_lmbench_file_vm_us: table(COLS5, 1, 2, 4),
    fig3_absolute: {
      columns: ["linux", "xen", "vmware_workstation", "uml"],
      specint2000_score: [500, 400, 250, 1],
      linux_build_seconds_lower_is_better: [100, 125, 200, 1],
      osdb_ir_tuples_per_s: [1, 1, 1, 1],
      osdb_oltp_tuples_per_s: [1, 1, 1, 1],
      dbench_score: [1, 1, 1, 1],
      specweb99_score: [1, 1, 1, 1],
    },
  },
};

async function rootWith(workloads: string[]): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(join(root, "traces"));
  const traces = workloads.map((w) => ({ file: `${w}.vmt`, workload: w }));
  await Deno.writeTextFile(join(root, "traces", "MANIFEST.json"), JSON.stringify({ traces }));
  return root;
}

Deno.test("lmbench: runs only the rows whose trace is in the manifest, Xen and VMware each", async () => {
  const root = await rootWith(["lmbench-ctx-2p-0k", "forkwait", "unrelated"]);
  const runs = replayRuns(await lmbench.runs({ root, published: PUBLISHED }));
  assert.deepEqual(runs.map((r) => `${r.id} ${"path" in r.trace ? r.trace.path : ""}`), [
    "fork_proc/xen traces/forkwait.vmt",
    "fork_proc/vmware traces/forkwait.vmt",
    "2p_0K/xen traces/lmbench-ctx-2p-0k.vmt",
    "2p_0K/vmware traces/lmbench-ctx-2p-0k.vmt",
  ]);
  assert.deepEqual(runs[0].config, {
    cpu: "pv",
    mmu: "pv-direct",
    io: "pv",
    memory: "none",
    platform: "xeon-2400",
    seed: 1,
    // The paper's IA-32 Linux 2.4 executed no SWAPGS and no VERW (src/models/cpu/era.ts).
    options: { "cpu.era": "2003" },
  });
  assert.equal(runs[1].config.cpu, "bt");
  assert.equal(runs[1].config.io, "hosted");
  await Deno.remove(root, { recursive: true });
});

// 10 iterations of 2400 native cycles (1 us at 2.4 GHz); Xen 2 us; VMware 3 us once the
// one-time translation (24,000 cycles) is left out.
const RESULTS: RunResults = {
  "2p_0K/xen": fake("lmbench-ctx-2p-0k", "pv", 24_000, 48_000, 10),
  "2p_0K/vmware": fake("lmbench-ctx-2p-0k", "bt", 24_000, 96_000, 10, {
    "bt.translate": 24_000,
  }),
  "fork_proc/xen": fake("forkwait", "pv", 24_000, 96_000, 10),
  "fork_proc/vmware": fake("forkwait", "bt", 24_000, 72_000, 10),
};

Deno.test("lmbench: microseconds per iteration, translation left out, roles by cell", () => {
  const rows = lmbench.compare(RESULTS, PUBLISHED);
  const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
  assert.deepEqual(rows.length, 7);
  assert.equal(byLabel["ctx 2p/0K, native"].reproduced, 1);
  assert.equal(byLabel["ctx 2p/0K, Xen"].reproduced, 2);
  assert.equal(byLabel["ctx 2p/0K, VMware"].reproduced, 3);
  assert.equal(byLabel["ctx 2p/0K, VMware"].relError, (3 - 4) / 4);
  // The calibrated quantity is Xen's extra time over native; the absolute time predicts.
  assert.equal(byLabel["ctx 2p/0K, Xen"].role, "prediction");
  assert.equal(byLabel["ctx 2p/0K, Xen - native"].role, "calibration");
  assert.equal(byLabel["ctx 2p/0K, Xen - native"].reproduced, 2 - 1);
  assert.equal(byLabel["ctx 2p/0K, VMware"].role, "prediction");
  assert.equal(byLabel["fork proc, Xen"].role, "prediction");
  assert.equal(byLabel["fork proc, native"].role, "prediction");
});

Deno.test("lmbench: ordering checks pass, fail, or say the row is not reproduced", () => {
  const checks = lmbench.checks!(RESULTS, PUBLISHED);
  assert.equal(checks.length, LMBENCH_ROWS.length + 1);
  const headline = checks[checks.length - 1];
  assert.equal(headline.passed, false, "fork proc breaks the order");
  assert.match(headline.detail, /^1 of 2 reproduced rows ordered; broken: fork proc;/);
  const by = Object.fromEntries(checks.map((c) => [c.label, c]));
  assert.equal(by["Table 4 ctx 2p/0K: native, Xen, VMware in the published order"].passed, true);
  // Xen 4 us > VMware 3 us: the ordering is broken.
  assert.equal(by["Table 3 fork proc: native, Xen, VMware in the published order"].passed, false);
  const select = by["Table 3 select TCP: native, Xen, VMware in the published order"];
  assert.equal(select.passed, null, "not reproduced is neither a pass nor a miss");
  assert.match(select.detail, /not reproduced: no trace/);
  assert.match(
    by["Table 5 mmap: native, Xen, VMware in the published order"].detail,
    /lmbench-mmap is not in/,
  );
});

Deno.test("published order: strict pairs must keep their order, published ties may swap", () => {
  // Barham Table 3 stat: Xen 1.22 below Linux 1.28 us, VMware 1.88.
  assert.equal(keepsPublishedOrder([1.28, 1.22, 1.88], [1.3, 1.25, 2]), true);
  assert.equal(keepsPublishedOrder([1.28, 1.22, 1.88], [1.2, 1.25, 2]), false);
  // Null I/O: Linux and Xen both 0.50 us, so either order passes; VMware must stay last.
  assert.equal(keepsPublishedOrder([0.5, 0.5, 0.83], [0.5, 0.48, 0.9]), true);
  assert.equal(keepsPublishedOrder([0.5, 0.5, 0.83], [0.5, 0.48, 0.45]), false);
});

Deno.test("ordering summary: passes, names broken rows, or is not reproduced", () => {
  const rows = [{ label: "a" }, { label: "b" }, { label: "c" }];
  const check = (passed: boolean | null) => ({
    label: "x",
    passed,
    detail: "d",
    role: "prediction" as const,
  });
  const ok = orderingSummary(rows, [check(true), check(null), check(true)], "T");
  assert.deepEqual([ok.passed, ok.headline], [true, true]);
  assert.equal(ok.label, "T: native, Xen, VMware in the published order on every reproduced row");
  assert.equal(ok.detail, "2 of 2 reproduced rows ordered; 1 rows not reproduced (no trace)");
  const miss = orderingSummary(rows, [check(false), check(true), check(false)], "F");
  assert.equal(miss.passed, false);
  assert.equal(miss.detail, "1 of 3 reproduced rows ordered; broken: a, c");
  const none = orderingSummary(rows, [check(null), check(null), check(null)], "F");
  assert.equal(none.passed, null);
  assert.match(none.detail, /^not reproduced: no trace/);
});

Deno.test("lmbench: three dots per reproduced row, three published diamonds per row", () => {
  const spec = lmbench.chart(RESULTS, PUBLISHED, []) as unknown as {
    data: { values: { group: string }[] };
    layer: { mark: { type: string; shape?: string }; data?: { values: { group: string }[] } }[];
  };
  assert.equal(spec.data.values.length, 6);
  const ticks = spec.layer.find((l) => l.mark.shape === "diamond")!.data!.values;
  assert.equal(ticks.length, 3 * LMBENCH_ROWS.length);
  // Rows without a trace keep their published diamonds, labelled as such.
  assert.ok(ticks.some((t) => t.group === "3: select TCP (no trace)"));
  assert.ok(!ticks.some((t) => t.group === "4: ctx 2p/0K (no trace)"));
  assert.ok(spec.data.values.every((d) => !d.group.endsWith("(no trace)")));
});

Deno.test("Figure 3: published relative scores invert times, not scores", () => {
  const spec = FIG3_ROWS.find((r) => r.key === "specint2000_score")!;
  const build = FIG3_ROWS.find((r) => r.key === "linux_build_seconds_lower_is_better")!;
  assert.equal(publishedRelative(PUBLISHED, spec, "xen"), 400 / 500);
  assert.equal(publishedRelative(PUBLISHED, build, "vmware_workstation"), 100 / 200);
});

Deno.test("Figure 3: relative = native / steady virtualized; missing rows are not faked", async () => {
  const root = await rootWith(["kernel-compile", "forkwait"]);
  const runs = replayRuns(await fig3.runs({ root, published: PUBLISHED }));
  assert.deepEqual(runs.map((r) => r.id), [
    "linux_build_seconds_lower_is_better/xen",
    "linux_build_seconds_lower_is_better/vmware_workstation",
    "linux_build_seconds_lower_is_better/uml",
  ]);
  assert.equal(runs[2].config.cpu, "trap");
  await Deno.remove(root, { recursive: true });
  const results: RunResults = {
    "linux_build_seconds_lower_is_better/xen": fake("kernel-compile", "pv", 100, 125, 1),
    "linux_build_seconds_lower_is_better/vmware_workstation": fake(
      "kernel-compile",
      "bt",
      100,
      300,
      1,
      { "bt.translate": 100 },
    ),
  };
  const rows = fig3.compare(results, PUBLISHED);
  assert.deepEqual(rows.map((r) => [r.label, r.reproduced, r.published]), [
    ["Linux build, Xen", 0.8, 0.8],
    ["Linux build, VMware", 0.5, 0.5],
  ]);
  const checks = fig3.checks!(results, PUBLISHED);
  assert.equal(checks.length, FIG3_ROWS.length + 2);
  // Figure 3's native scores: named, and not reproduced (whole-run scores, windowed traces).
  assert.equal(checks[FIG3_ROWS.length + 1].passed, null);
  assert.match(checks[FIG3_ROWS.length + 1].detail, /^not reproduced: /);
  assert.equal(checks[FIG3_ROWS.length].passed, true);
  assert.equal(checks[FIG3_ROWS.length].headline, true);
  assert.equal(checks[1].passed, true);
  assert.equal(checks[2].passed, null);
  assert.match(checks[2].detail, /^not reproduced: no trace \(none of db-query is in/);
  assert.match(checks[0].detail, /none of specint, compute-gzip/);
});

Deno.test("Figure 3: rows without a trace show published diamonds only, labelled no trace", () => {
  const spec = fig3.chart({}, PUBLISHED, []) as unknown as {
    title: { subtitle: string[] };
    data: { values: unknown[] };
    layer: {
      mark: { type: string; opacity?: number; shape?: string };
      data?: { values: { group: string }[] };
    }[];
  };
  assert.equal(spec.data.values.length, 0, "no reproduced bar is invented");
  const ticks = spec.layer.find((l) => l.mark.shape === "diamond")!.data!.values;
  assert.equal(ticks.length, 4 * FIG3_ROWS.length);
  assert.ok(ticks.every((t) => t.group.endsWith("(no trace)")));
  // The published values are drawn as faded bars, distinct from reproduced ones.
  const faded = spec.layer.find((l) => l.mark.type === "bar" && l.mark.opacity === 0.3)!;
  assert.equal(faded.data!.values.length, 4 * FIG3_ROWS.length);
  assert.match(spec.title.subtitle[1], /6 of 6 rows have no corpus trace: faded bars/);
});

Deno.test("lmbench: 32-bit rows replay the i386 traces beside the 64-bit ones, with their own ordering check", async () => {
  const root = await rootWith(["forkwait", "forkwait-i386", "lmbench-null-call-i386"]);
  const runs = replayRuns(await lmbench.runs({ root, published: PUBLISHED }));
  assert.deepEqual(runs.map((r) => `${r.id} ${"path" in r.trace ? r.trace.path : ""}`), [
    "fork_proc/xen traces/forkwait.vmt",
    "fork_proc/vmware traces/forkwait.vmt",
    "null_call-i386/xen traces/lmbench-null-call-i386.vmt",
    "null_call-i386/vmware traces/lmbench-null-call-i386.vmt",
    "fork_proc-i386/xen traces/forkwait-i386.vmt",
    "fork_proc-i386/vmware traces/forkwait-i386.vmt",
  ]);
  await Deno.remove(root, { recursive: true });
  const results: RunResults = {
    ...RESULTS,
    "fork_proc-i386/xen": fake("forkwait-i386", "pv", 24_000, 48_000, 10),
    "fork_proc-i386/vmware": fake("forkwait-i386", "bt", 24_000, 72_000, 10),
  };
  const rows = lmbench.compare(results, PUBLISHED);
  const by = Object.fromEntries(rows.map((r) => [r.label, r]));
  assert.equal(by["fork proc, 32-bit, Xen"].reproduced, 2);
  assert.equal(by["fork proc, 32-bit, VMware"].reproduced, 3);
  assert.equal(by["fork proc, 32-bit, Xen"].role, "prediction");
  // Same published cell as the 64-bit row.
  assert.equal(by["fork proc, 32-bit, Xen"].published, by["fork proc, Xen"].published);
  const checks = lmbench.checks!(results, PUBLISHED);
  assert.equal(checks.length, LMBENCH_ROWS.length + 1 + 2);
  const last = checks[checks.length - 1];
  assert.match(last.label, /32-bit guest/);
  assert.equal(last.headline, false);
  assert.equal(last.passed, true);
});

Deno.test("lmbench: every row has a 32-bit trace, in the paper's order, its recipe the 64-bit one's on i386", async () => {
  assert.deepEqual(LMBENCH_ROWS_32.map((r) => r.column), LMBENCH_ROWS.map((r) => r.column));
  // fork proc's 32-bit trace is forkwait-i386, whose recipe is Adams & Agesen's.
  for (const row of LMBENCH_ROWS_32.filter((r) => r.column !== "fork_proc")) {
    const of64 = LMBENCH_ROWS.find((r) => r.column === row.column)!;
    assert.equal(row.workload, `${of64.workload}-i386`);
    assert.equal(row.id, `${row.column}-i386`);
    const recipe = (name: string) =>
      Deno.readTextFile(join("traces", "recipes", name, "recipe.json")).then((t) =>
        JSON.parse(t) as Record<string, unknown>
      );
    const [r32, r64] = await Promise.all([recipe(row.workload!), recipe(of64.workload!)]);
    assert.equal(r32.arch, "i386", row.workload!);
    for (const key of ["programs", "iterations", "memoryMiB", "icountShift", "timeoutSeconds"]) {
      assert.deepEqual(r32[key], r64[key], `${row.workload} ${key}`);
    }
    const run = (name: string) => Deno.readTextFile(join("traces", "recipes", name, "run.sh"));
    assert.equal(await run(row.workload!), await run(of64.workload!), `${row.workload} run.sh`);
  }
});
