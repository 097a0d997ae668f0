/**
 * The time-series chart of a host run: CPU share and host memory held per VM over
 * simulated time, one panel each, read from a host result object only.
 *
 * @module
 */

import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import type { HostResult } from "../host/result.ts";
import { figureConfig } from "./theme.ts";

/** Builds the two-panel time-series spec of `result`. */
export function hostSeriesSpec(result: HostResult): TopLevelSpec {
  const names = result.vms.map((v) => v.name);
  const rows: { vm: string; t: number; cpu: number; mem: number }[] = [];
  const s = result.series;
  for (let i = 0; i < names.length; i++) {
    for (let k = 0; k < s.timeMs.length; k++) {
      rows.push({ vm: names[i], t: s.timeMs[k], cpu: s.cpuShare[i][k], mem: s.heldMB[i][k] });
    }
  }
  const panel = (field: "cpu" | "mem", title: string) => ({
    width: 460,
    height: 180,
    mark: { type: "line" as const, interpolate: "step-before" as const },
    encoding: {
      x: { field: "t", type: "quantitative" as const, title: "simulated time (ms)" },
      y: { field, type: "quantitative" as const, title },
      color: {
        field: "vm",
        type: "nominal" as const,
        scale: { domain: names },
        legend: { title: null, orient: "top" as const },
      },
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `Host ${result.host.name}: CPU and memory per VM`,
      subtitle: `${result.host.pcpus} pCPU, ${result.host.memoryMB} MB, ${result.host.platform}, ` +
        `scheduler ${result.host.scheduler.name}`,
    },
    data: { values: rows },
    vconcat: [
      panel("cpu", "CPU share of one pCPU"),
      panel("mem", "host memory held (MB)"),
    ],
    config: figureConfig(),
  } as TopLevelSpec;
}
