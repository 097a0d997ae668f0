/**
 * `vmmlab host HOST.json [--json] [--out FILE|-] [--chart FILE.svg] [--model FILE ..]
 * [--no-alone]`: simulates a host of several VMs (docs/host.md) and prints a per-VM
 * table, the JSON result, or both.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import Table from "npm:cli-table3@0.6.5";
import { loadHost } from "../host/description.ts";
import { simulateHost } from "../host/simulate.ts";
import type { HostResult } from "../host/result.ts";
import { hostSeriesSpec } from "../charts/host_series.ts";
import { renderSvg } from "../charts/svg.ts";
import { simulateHostWithModels } from "./model_sandbox.ts";
import { UsageError } from "../util/errors.ts";
import { printable } from "../util/printable.ts";
import { checkOutput, writeOutput, writeStdout } from "./output.ts";
import { progress } from "./progress.ts";
import { collect } from "./settings.ts";

function fmt(x: number | null, digits = 2): string {
  return x === null ? "—" : x.toFixed(digits);
}

/** The per-VM table and the host's totals, as printed. */
export function formatHost(r: HostResult): string {
  const t = new Table({
    head: [
      "VM",
      "workload",
      "cpu/mmu/io",
      "CPU ms",
      "share",
      "entitled",
      "M instr",
      "slowdown vs alone",
      "virt. slowdown",
      "mem MB held/target",
      "disk lat µs",
    ],
    style: { head: [], border: [] },
  });
  for (const v of r.vms) {
    t.push([
      v.name,
      v.trace.workload,
      `${v.vmm.cpu}/${v.vmm.mmu}/${v.vmm.io}`,
      fmt(v.cpu.receivedMs),
      fmt(v.cpu.share, 3),
      fmt(v.cpu.entitlement, 3),
      fmt(v.instructions / 1e6),
      fmt(v.slowdownVsAlone),
      fmt(v.cycles.virtualizationSlowdown),
      `${fmt(v.memory.heldMB, 1)}/${fmt(v.memory.targetMB, 1)}`,
      v.io.disk.requests > 0 ? fmt(v.io.disk.meanLatencyUs, 0) : "—",
    ]);
  }
  const h = r.host, tot = r.totals;
  const lines = [
    `host ${h.name}: ${h.pcpus} pCPU, ${h.memoryMB} MB, platform ${h.platform}, ` +
    `scheduler ${h.scheduler.name}, ${h.durationMs} ms simulated`,
    t.toString(),
    `throughput ${(tot.instructionsPerSecond / 1e6).toFixed(1)} M guest instr/s; ` +
    `CPU utilization ${(tot.cpuUtilization * 100).toFixed(1)}%; ` +
    `${tot.worldSwitches} world switches (${tot.worldSwitchMs} ms); memory state ${tot.memoryState}`,
  ];
  for (const v of r.vms) {
    for (const w of v.warnings) lines.push(`warning (${v.name}): ${w}`);
  }
  return lines.join("\n");
}

/** Adds the `host` subcommand to `program`. */
export function registerHostCommand(program: Command): void {
  program
    .command("host")
    .description("simulate several VMs sharing one host (scheduling, memory, I/O)")
    .argument("<host>", "host description (JSON, docs/host.md)")
    .option("--json", "print the result JSON instead of the table")
    .option("--out <file>", "also write the result JSON to a file (- is standard output)")
    .option("--chart <file>", "write the CPU and memory time-series chart (SVG)")
    .option(
      "--model <file>",
      "load a file that calls registerModel or registerScheduler (repeatable)",
      collect,
      [] as string[],
    )
    .option("--no-alone", "skip each VM's run alone (no slowdown against alone)")
    .action(async (hostFile, o) => {
      if (o.out === "-" && o.json) {
        throw new UsageError("--out - prints the JSON; it excludes --json");
      }
      if (o.out !== undefined) checkOutput("--out", o.out, [hostFile]);
      if (o.chart !== undefined) checkOutput("--chart", o.chart, [hostFile]);
      let result: HostResult;
      if (o.model.length > 0) {
        // A user's file runs only in a Worker limited to reading the host file, its traces
        // and the model (src/cli/model_sandbox.ts); no progress bar from there.
        result = await simulateHostWithModels(hostFile, o.model, !o.alone);
      } else {
        const desc = loadHost(hostFile);
        const bar = progress(`host ${desc.name}`, 100, "%");
        try {
          result = simulateHost(desc, {
            skipAlone: !o.alone,
            onProgress: (f) => bar.update(Math.round(f * 100)),
          });
        } finally {
          bar.stop();
        }
      }
      const json = JSON.stringify(result, null, 2) + "\n";
      if (o.out !== undefined) await writeOutput(o.out, json);
      if (o.chart !== undefined) {
        const { svg } = await renderSvg(hostSeriesSpec(result));
        await writeOutput(o.chart, svg);
      }
      if (o.json) await writeStdout(json);
      else if (o.out !== "-") console.log(printable(formatHost(result)));
    });
}
