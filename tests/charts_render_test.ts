import assert from "node:assert/strict";
import { groupedBars } from "../src/charts/grouped_bars.ts";
import { svgToPixels, svgToPng } from "../src/charts/png.ts";
import { buildReport, escapeHtml, type ReportFigure, scriptJson } from "../src/charts/report.ts";
import { renderSvg } from "../src/charts/svg.ts";

const spec = groupedBars({
  title: "Nanobenchmarks",
  subtitle: "test figure",
  valueTitle: "cycles",
  log: true,
  labelFormat: ".3~s",
  data: [
    { group: "syscall", series: "native", value: 242 },
    { group: "syscall", series: "software VMM", value: 2308 },
    { group: "ptemod", series: "native", value: 1 },
    { group: "ptemod", series: "software VMM", value: 391 },
  ],
});

/** Number of pixels darker than mid-grey in an RGBA raster. */
function darkPixels(rgba: Uint8Array): number {
  let dark = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i + 3] > 0 && rgba[i] + rgba[i + 1] + rgba[i + 2] < 3 * 128) dark++;
  }
  return dark;
}

Deno.test("SVG rendering is byte-identical across renders and keeps the data's order", async () => {
  const first = await renderSvg(spec);
  const second = await renderSvg(spec);
  assert.deepEqual(first.warnings, []);
  assert.equal(first.svg, second.svg);
  assert.match(first.svg, /^<svg /);
  assert.match(first.svg, /font-family="DejaVu Sans"/);
  const syscall = first.svg.indexOf(">syscall<");
  const ptemod = first.svg.indexOf(">ptemod<");
  assert.ok(syscall > 0 && ptemod > syscall, "axis labels in data order");
});

Deno.test("PNG output is a deterministic PNG of the figure", async () => {
  const { svg } = await renderSvg(spec);
  const png = await svgToPng(svg);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 5000, `PNG has ${png.length} bytes`);
  assert.deepEqual(await svgToPng(svg), png);
  const pixels = await svgToPixels(svg, { zoom: 1 });
  const width = Number(/width="(\d+)"/.exec(svg)![1]);
  assert.equal(pixels.width, width, "zoom 1 keeps the SVG's size");
});

Deno.test("PNG text is drawn with the shipped font (text-only SVG has dark pixels)", async () => {
  const text = (content: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">` +
    `<text x="5" y="28" font-family="DejaVu Sans" font-size="20" fill="#000">${content}</text></svg>`;
  const withText = await svgToPixels(text("Figure 4"));
  const empty = await svgToPixels(text(""));
  assert.equal(darkPixels(empty.rgba), 0);
  assert.ok(darkPixels(withText.rgba) > 200, `only ${darkPixels(withText.rgba)} dark pixels`);
  // A family the project does not ship falls back to the shipped one instead of vanishing.
  const fallback = await svgToPixels(text("Figure 4").replace("DejaVu Sans", "Helvetica"));
  assert.ok(darkPixels(fallback.rgba) > 200);
});

Deno.test("report escapes < in embedded JSON and in every table cell", async () => {
  const hostile = "</script><script>alert(1)</script><!--";
  assert.doesNotMatch(scriptJson({ title: hostile }), /</);
  assert.deepEqual(JSON.parse(scriptJson({ title: hostile })), { title: hostile });
  assert.equal(escapeHtml(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  const figure: ReportFigure = {
    name: "x",
    title: `Title ${hostile}`,
    citation: "c",
    papers: ["A paper"],
    description: hostile,
    spec: groupedBars({
      title: hostile,
      valueTitle: "v",
      data: [{ group: hostile, series: "s", value: 1 }],
    }),
    rows: [{
      figure: "Figure 1",
      label: hostile,
      reproduced: 1,
      published: 2,
      unit: "us",
      relError: -0.5,
      role: "prediction",
      runs: ["r1"],
    }],
    checks: [{ label: hostile, passed: false, detail: "d", role: "prediction" }],
    runs: [{
      id: "r1",
      trace: "traces/t.vmt",
      hash: "00",
      workload: "w",
      iterations: 1,
      config: { cpu: "bt", options: { note: hostile } },
      slowdown: 2,
    }],
  };
  const html = await buildReport({ title: "Report", figures: [figure] });
  assert.ok(!html.includes("<script>alert"), "no injected script element");
  const opened = html.match(/<script[\s>]/g)?.length ?? 0;
  const closed = html.match(/<\/script>/g)?.length ?? 0;
  assert.equal(opened, 5, "three libraries, the data, the loader");
  assert.equal(closed, opened);
  assert.ok(html.includes("&lt;/script&gt;&lt;script&gt;alert(1)"), "labels are escaped");
  assert.match(html, /-50%/);
  assert.match(html, /class="role prediction"/);
  assert.ok(html.length > 500_000, "vega, vega-lite and vega-embed are inlined");
  assert.doesNotMatch(html, /<script[^>]+src=/, "no external scripts");
  // The embedded specs carry no schema URL (vega-embed is told the mode instead).
  const data = html.match(/id="vmmlab-figures">(.*?)<\/script>/s)![1];
  assert.doesNotMatch(data, /https?:/);
  assert.match(html, /mode: "vega-lite"/);
  assert.doesNotMatch(html, /<h2>Targets<\/h2>/, "no headline check: no targets table");
});

Deno.test("report lists headline checks first, with not-reproduced ones marked apart", async () => {
  const figure: ReportFigure = {
    name: "fw",
    title: "t",
    citation: "c",
    papers: [],
    description: "d",
    spec: groupedBars({
      title: "t",
      valueTitle: "v",
      data: [{ group: "g", series: "s", value: 1 }],
    }),
    rows: [],
    checks: [
      { label: "within 25%", passed: false, detail: "-60%", role: "prediction", headline: true },
      { label: "ordering", passed: true, detail: "1 < 2", role: "prediction" },
      {
        label: "kernel compile",
        passed: null,
        detail: "not reproduced: no trace",
        role: "prediction",
        headline: true,
      },
    ],
    runs: [],
  };
  const html = await buildReport({ title: "Report", figures: [figure] });
  const targets = html.slice(html.indexOf("<h2>Targets</h2>"), html.indexOf("<h2>Summary</h2>"));
  assert.match(targets, /<tr class="fail"><td>✗<\/td>.*within 25%.*-60%/);
  assert.match(targets, /<tr class="none"><td>–<\/td>.*kernel compile.*not reproduced/);
  assert.doesNotMatch(targets, /ordering/, "only headline checks are targets");
  // The overview counts judged checks only and says how many were not reproduced.
  assert.ok(html.includes('1 of 2 <span class="note">(1 not reproduced)'), "overview counts");
  // The fidelity scoreboard opens the report, right under the title.
  const body = html.slice(html.indexOf("<h1>"));
  assert.match(body, /^<h1>Report<\/h1>\n<p class="scoreboard"><strong>Fidelity: /);
});
