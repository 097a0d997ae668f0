import assert from "node:assert/strict";
import type { TopLevelSpec } from "npm:vega-lite@6.5.0";
import { compileFigure } from "../src/charts/compile.ts";
import { comparisonBars } from "../src/charts/comparison_bars.ts";
import { formatRelError, formatValue } from "../src/charts/format.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";
import { lineSweep } from "../src/charts/line_sweep.ts";
import { decadeTicks } from "../src/charts/log_axis.ts";
import { dotRows } from "../src/charts/dot_rows.ts";
import { stackedBars } from "../src/charts/stacked_bars.ts";

interface VegaScale {
  name: string;
  type?: string;
  domain?: unknown;
}

function scales(spec: TopLevelSpec): VegaScale[] {
  const { spec: vega, warnings } = compileFigure(spec);
  assert.deepEqual(warnings, [], "Vega-Lite compiled with warnings");
  return (vega.scales ?? []) as VegaScale[];
}

function values(spec: TopLevelSpec): Record<string, unknown>[] {
  const data = (spec as { data?: { values?: Record<string, unknown>[] } }).data;
  return data?.values ?? [];
}

const bars = [
  { group: "syscall", series: "native", value: 242 },
  { group: "syscall", series: "software VMM", value: 2308 },
  { group: "in", series: "native", value: 3209 },
  { group: "in", series: "software VMM", value: 0 },
];

Deno.test("grouped bars compile to a log y scale and keep the data's group order", () => {
  const spec = groupedBars({ title: "t", data: bars, valueTitle: "cycles", log: true });
  const y = scales(spec).find((s) => s.name === "y");
  assert.equal(y?.type, "log");
  // Sorted as given ("syscall" before "in"), not alphabetically.
  const vega = JSON.stringify(compileFigure(spec).spec.data);
  assert.match(vega, /\\"syscall\\" \? 0 : .*\\"in\\" \? 1/);
  // A log axis cannot show 0: that bar is dropped, the others kept.
  assert.equal(values(spec).length, 3);
});

Deno.test("grouped bars on a linear scale keep zero values and add reference ticks", () => {
  const spec = groupedBars({
    title: "t",
    data: bars,
    valueTitle: "cycles",
    references: [{ group: "in", series: "native", value: 3000 }],
    labelFormat: ".3~s",
  });
  const y = scales(spec).find((s) => s.name === "y");
  assert.equal(y?.type, "linear");
  assert.equal(values(spec).length, 4);
  const marks = JSON.stringify(compileFigure(spec).spec.marks);
  assert.match(marks, /"type":"rect"/);
  assert.match(marks, /"type":"text"/);
});

Deno.test("horizontal grouped bars put groups on y, keep reference-only groups, draw rules", () => {
  const spec = groupedBars({
    title: "t",
    data: bars,
    valueTitle: "cycles",
    log: true,
    horizontal: true,
    references: [{ group: "pgfault (no trace)", series: "native", value: 1093 }],
    rules: [100, 1000],
  });
  const all = scales(spec);
  assert.equal(all.find((s) => s.name === "x")?.type, "log");
  assert.equal(all.find((s) => s.name === "y")?.type, "band");
  const vega = JSON.stringify(compileFigure(spec).spec);
  // The group that has only a published tick still gets its row, after the data's groups.
  assert.match(vega, /\\"in\\" \? 1 : .*\\"pgfault \(no trace\)\\" \? 2/);
  assert.match(vega, /"type":"rule"/);
  const layer = (spec as { layer: { mark: { type: string; shape?: string } }[] }).layer;
  // On a log axis no bars (their length would mean nothing): dots, the published-only
  // group's faded dot, hollow diamonds for the references, rules.
  assert.deepEqual(layer.map((l) => l.mark.type), ["point", "point", "point", "rule"]);
  assert.equal(layer[2].mark.shape, "diamond");
});

Deno.test("linear grouped bars: bars, diamonds above them, haloed labels clear of the diamond", () => {
  const spec = groupedBars({
    title: "t",
    data: [{ group: "a", series: "s", value: 10 }, { group: "b", series: "s", value: 10 }],
    references: [{ group: "a", series: "s", value: 10.2 }, { group: "b", series: "s", value: 50 }],
    valueTitle: "v",
    labelFormat: ".3~s",
    rules: [20],
  });
  type L = { mark: { type: string; stroke?: string }; data?: { values: { at: number }[] } };
  const layer = (spec as { layer: L[] }).layer;
  assert.deepEqual(layer.map((l) => l.mark.type), ["bar", "point", "rule", "text", "text"]);
  assert.equal(layer[3].mark.stroke, "#ffffff", "the halo is drawn first, under the text");
  // a's diamond sits just above its bar, so a's label moves above it; b's is far above.
  assert.deepEqual(layer[4].data!.values.map((v) => v.at), [10.2, 10]);
});

Deno.test("a labelled linear axis leaves room past the longest bar for its label", () => {
  const data = [
    { group: "a", series: "x", value: 12.54 },
    { group: "b", series: "x", value: 3 },
  ];
  type Scaled = { encoding: { x: { scale?: { domainMax?: number } } } };
  const labelled = groupedBars({
    title: "t",
    valueTitle: "v",
    data,
    labelFormat: ".2f",
    horizontal: true,
    references: [{ group: "b", series: "x", value: 4 }],
  }) as unknown as { layer: Scaled[] };
  assert.equal(labelled.layer[0].encoding.x.scale?.domainMax, 12.54 * 1.1);
  // Without labels, or on a log axis, the domain is the data's own.
  const plain = groupedBars({ title: "t", valueTitle: "v", data, horizontal: true }) as unknown as {
    layer: Scaled[];
  };
  assert.equal(plain.layer[0].encoding.x.scale?.domainMax, undefined);
  const x = scales(
    groupedBars({ title: "t", valueTitle: "v", data, horizontal: true, labelFormat: ".2f" }),
  )
    .find((sc) => sc.name === "x") as { domain?: unknown; domainMax?: number };
  assert.ok(JSON.stringify(x).includes("13.794"), JSON.stringify(x));
});

Deno.test("dot rows: one row per category in data order, a rule spanning each row's dots", () => {
  const spec = dotRows({
    title: "t",
    data: [
      { row: "forkwait", series: "modern", value: 5 },
      { row: "forkwait", series: "p4", value: 9 },
      { row: "exec", series: "modern", value: 2 },
      { row: "exec", series: "p4", value: 0 },
    ],
    valueTitle: "slowdown",
    log: true,
  });
  assert.equal(scales(spec).find((s) => s.name === "x")?.type, "log");
  const layer = (spec as { layer: { data: { values: Record<string, unknown>[] } }[] }).layer;
  // exec's 0 cannot sit on a log axis: its span is its one remaining dot.
  assert.deepEqual(layer[0].data.values, [
    { row: "forkwait", low: 5, high: 9 },
    { row: "exec", low: 2, high: 2 },
  ]);
  assert.equal(layer[1].data.values.length, 3);
});

Deno.test("stacked bars stack parts in the order given and compile cleanly", () => {
  const spec = stackedBars({
    title: "t",
    valueTitle: "cycles",
    data: [
      { bar: "BT", part: "translation", value: 3 },
      { bar: "BT", part: "faults", value: 5 },
      { bar: "HW", part: "faults", value: 7 },
      { bar: "HW", part: "exits", value: 0 },
    ],
  });
  scales(spec);
  const rows = values(spec);
  assert.equal(rows.length, 3, "the zero segment is dropped");
  assert.deepEqual(rows.map((r) => r.partIndex), [0, 1, 1]);
  const horizontal = stackedBars({
    title: "t",
    valueTitle: "cycles",
    data: [{ bar: "a", part: "p", value: 1 }],
    horizontal: true,
    normalize: true,
  });
  const enc = (horizontal as { encoding: { x: { stack: string }; y: { field: string } } })
    .encoding;
  assert.equal(enc.x.stack, "normalize");
  assert.equal(enc.y.field, "bar");
  scales(horizontal);
});

Deno.test("comparison bars pair reproduced with published and print signed errors", () => {
  const spec = comparisonBars({
    title: "t",
    valueTitle: "x native",
    data: [
      {
        label: "software",
        reproduced: 5.5,
        published: 6.1,
        relError: 5.5 / 6.1 - 1,
        prediction: true,
      },
      {
        label: "hardware",
        reproduced: 20,
        published: 17.7,
        relError: 20 / 17.7 - 1,
        prediction: false,
      },
      { label: "unpublished", reproduced: 3, published: null, relError: null, prediction: true },
    ],
  });
  scales(spec);
  const layers = (spec as { layer: { data: { values: Record<string, unknown>[] } }[] }).layer;
  const barRows = layers[0].data.values;
  assert.equal(barRows.length, 5, "two bars each for two labels, one for the unpublished value");
  assert.deepEqual(layers[1].data.values.map((r) => r.error), ["-9.8%", "+13%"]);
  assert.equal(barRows[0].label, "software †", "predictions carry a dagger");
  assert.equal(barRows[2].label, "hardware");
  assert.match(JSON.stringify(spec), /prediction: not used for calibration/);
});

Deno.test("line sweeps compile with log axes and drop points a log axis cannot show", () => {
  const spec = lineSweep({
    title: "t",
    xTitle: "exit latency",
    yTitle: "slowdown",
    logX: true,
    data: [
      { series: "a", x: 0, y: 1 },
      { series: "a", x: 100, y: 2 },
      { series: "b", x: 1000, y: 3 },
    ],
  });
  const x = scales(spec).find((s) => s.name === "x");
  assert.equal(x?.type, "log");
  assert.equal(values(spec).length, 2);
});

Deno.test("number formats are signed, locale-free and round as documented", () => {
  assert.equal(formatRelError(0.123), "+12%");
  assert.equal(formatRelError(-0.034), "-3.4%");
  assert.equal(formatRelError(-0.00001), "+0.0%");
  assert.equal(formatRelError(null), "n/a");
  assert.equal(formatValue(12345.6), "12346");
  assert.equal(formatValue(242), "242");
  assert.equal(formatValue(6.1234), "6.123");
  assert.equal(formatValue(0.00045678), "0.0004568");
  assert.equal(formatValue(null), "—");
});

Deno.test("log-axis ticks cover the data in whole decades", () => {
  assert.deepEqual(decadeTicks([1, 15826]), [1, 10, 100, 1000, 10000, 100000]);
  assert.deepEqual(decadeTicks([0.5, 3]), [0.1, 1, 10]);
  assert.deepEqual(decadeTicks([0, -1]), [1, 10]);
  assert.deepEqual(decadeTicks([100]), [100, 1000]);
});
