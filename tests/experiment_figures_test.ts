import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFigures } from "../src/cli/experiment/figures.ts";

Deno.test("--figures copies OUT/NAME/chart.png to DIR/NAME.png, byte for byte", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "vmmlab_figures_" });
  try {
    const out = join(tmp, "out");
    for (const [name, byte] of [["adams_fig4", 1], ["barham_fig3", 2]] as const) {
      await Deno.mkdir(join(out, name), { recursive: true });
      await Deno.writeFile(join(out, name, "chart.png"), new Uint8Array([137, 80, byte]));
    }
    const dir = join(tmp, "docs", "figures");
    const written = await copyFigures(out, ["barham_fig3", "adams_fig4"], dir);
    assert.deepEqual(written, [join(dir, "barham_fig3.png"), join(dir, "adams_fig4.png")]);
    assert.deepEqual(
      await Deno.readFile(join(dir, "adams_fig4.png")),
      new Uint8Array([137, 80, 1]),
    );
    assert.deepEqual(
      await Deno.readFile(join(dir, "barham_fig3.png")),
      new Uint8Array([137, 80, 2]),
    );
    // Only the PNGs land there: no temporary files left behind.
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["adams_fig4.png", "barham_fig3.png"]);
    await assert.rejects(() => copyFigures(out, ["missing"], dir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
