import assert from "node:assert/strict";
import * as vega from "npm:vega@6.4.0";
import { loadFonts } from "../src/charts/fonts.ts";
import { svgToPixels } from "../src/charts/png.ts";
import { renderSvg } from "../src/charts/svg.ts";
import { installTextMetrics, measureText } from "../src/charts/text_metrics.ts";
import { FontMetrics } from "../src/charts/ttf_metrics.ts";
import { groupedBars } from "../src/charts/grouped_bars.ts";

Deno.test("DejaVu Sans advance widths are read from the font's hmtx through its cmap", async () => {
  const metrics = FontMetrics.parse((await loadFonts()).regular);
  assert.equal(metrics.unitsPerEm, 2048);
  // Values of DejaVu Sans 2.37 in font units.
  assert.equal(metrics.advance("A".codePointAt(0)!), 1401);
  assert.equal(metrics.advance("W".codePointAt(0)!), 2025);
  assert.equal(metrics.advance("0".codePointAt(0)!), 1303);
  assert.equal(metrics.advance(" ".codePointAt(0)!), 651);
  assert.equal(metrics.width("AW", 20.48), (1401 + 2025) / 100);
  const bold = FontMetrics.parse((await loadFonts()).bold);
  assert.ok(bold.width("syscall", 11) > metrics.width("syscall", 11), "bold is wider");
});

Deno.test("measured widths match the ink resvg draws for the same text", async () => {
  const metrics = await installTextMetrics();
  const text = "Nanobenchmarks: software VMM";
  const width = measureText(metrics, { fontSize: 20 }, text);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40">` +
    `<text x="10" y="30" font-family="DejaVu Sans" font-size="20">${text}</text></svg>`;
  const { width: w, height: h, rgba } = await svgToPixels(svg, { zoom: 1 });
  let left = w;
  let right = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 4 * (y * w + x);
      if (rgba[i] + rgba[i + 1] + rgba[i + 2] < 3 * 160) {
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  const ink = right - left + 1;
  // Ink is the advance sum less the side bearings of the first and last glyph (a few pixels).
  assert.ok(ink <= width + 1 && ink >= width - 6, `ink ${ink}px vs measured ${width.toFixed(1)}px`);
  // vega's own guess (0.8 x font size per character) would be far off.
  assert.ok(Math.abs(0.8 * 20 * text.length - ink) > 100);
});

Deno.test("rendering installs the measurement into vega's headless layout", async () => {
  await renderSvg(groupedBars({ title: "t", valueTitle: "v", data: [] }));
  const hook = (vega as unknown as {
    textMetrics: { width: (item: object, text: string) => number };
  }).textMetrics;
  const metrics = await installTextMetrics();
  assert.equal(hook.width({ fontSize: 11 }, "syscall"), metrics.regular.width("syscall", 11));
  assert.equal(
    hook.width({ fontSize: 14, fontWeight: "bold" }, " Title "),
    metrics.bold.width("Title", 14),
  );
  assert.equal(hook.width({ fontSize: 11 }, ""), 0);
});
