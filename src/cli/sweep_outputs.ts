/**
 * The files of a finished sweep (`sweep.csv`, `sweep.json`, the Vega-Lite spec, SVG and
 * PNG), written once every replay is done, by `vmmlab sweep` or by `vmmlab merge` of its
 * shards.
 *
 * @module
 */

import { join } from "node:path";
import { svgToPng } from "../charts/png.ts";
import { renderSvg } from "../charts/svg.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import type { NamedConfig } from "./config_spec.ts";
import { withoutHost } from "./experiment/canonical.ts";
import { type Metric, sweepChart, sweepCsv, type SweepPoint, type Vary } from "./sweep.ts";

/** Schema tag of `sweep.json`. */
export const SWEEP_SCHEMA = "vmmlab.sweep/1";

/**
 * What every point shares, for the chart's subtitle: the models and platform of the
 * first result, less the fields the sweep varies, and the platform entries set for all.
 */
export function sweepSubtitle(
  varies: readonly Vary[],
  base: NamedConfig,
  rows: readonly SweepPoint[],
): string {
  const c = rows[0]?.result.config;
  if (!c) return "";
  const varied = new Set(varies.map((v) => v.key));
  const fields = (["cpu", "mmu", "io", "memory", "platform"] as const)
    .filter((f) => !varied.has(f)).map((f) => `${f} ${c[f]}`);
  const fixed = Object.entries(base.config.platformSet ?? {}).map(([k, v]) => `${k}=${v}`);
  return `every point: ${[...fields, ...fixed].join(", ")}`;
}

/** Writes sweep.csv, sweep.json, sweep.vl.json, sweep.svg and sweep.png into `dir`. */
export async function writeSweep(
  dir: string,
  varies: readonly Vary[],
  base: NamedConfig,
  rows: readonly SweepPoint[],
  metric: Metric,
): Promise<string[]> {
  const subtitle = sweepSubtitle(varies, base, rows);
  const spec = sweepChart(varies, rows, metric, subtitle);
  const { svg, warnings } = await renderSvg(spec);
  for (const w of warnings) console.error(`vmmlab: warning: chart: ${w}`);
  const png = await svgToPng(svg);
  const document = {
    schema: SWEEP_SCHEMA,
    base: { label: base.label, config: base.config },
    vary: varies,
    metric,
    // Results without `host` (wall time), so that the file is byte-identical for any
    // worker count, machine or sharding, like every other output of the sweep.
    points: rows.map((r) => ({ trace: r.trace, values: r.point, result: withoutHost(r.result) })),
  };
  const files: [string, string | Uint8Array][] = [
    ["sweep.csv", sweepCsv(varies, rows)],
    ["sweep.json", JSON.stringify(document, null, 2) + "\n"],
    ["sweep.vl.json", JSON.stringify(spec, null, 2) + "\n"],
    ["sweep.svg", svg],
    ["sweep.png", png],
  ];
  for (const [name, data] of files) await writeFileAtomic(join(dir, name), data);
  return files.map(([name]) => join(dir, name));
}
