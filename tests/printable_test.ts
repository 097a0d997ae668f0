/**
 * Names from a trace reach the terminal with their control characters escaped: a crafted
 * workload name must not be able to clear the screen or rewrite what was printed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../src/cli/test_support.ts";
import { generateMix, mixHeader } from "../src/synth/mix.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import { printable, printableLine } from "../src/util/printable.ts";

Deno.test("printable escapes controls (ESC, CSI, BEL, DEL) but keeps tab and newline", () => {
  assert.equal(printable("a\x1b[2Jb\x07c\x7f\x9bd\te\nf"), "a\\x1b[2Jb\\x07c\\x7f\\x9bd\te\nf");
  assert.equal(printableLine("x\ny\tz"), "x\\ny\\tz");
  assert.equal(printableLine("abcdef", 3), "abc…");
});

Deno.test("a crafted workload name prints escaped in replay and trace inspect", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vmmlab_printable_" });
  try {
    const options = { instructions: 20_000, seed: 3 };
    const w = TraceWriter.inMemory(
      { ...mixHeader(options), workload: "evil\x1b[2J\x1b]0;owned\x07" },
      {},
    );
    generateMix(w, options);
    const trace = join(dir, "evil.vmt");
    await Deno.writeFile(trace, w.finish());
    for (const args of [["replay", trace, "--cpu", "hw"], ["trace", "inspect", trace]]) {
      const r = await runCli(...args);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        !r.stdout.includes("\x1b") && !r.stdout.includes("\x07"),
        `${args[0]}: raw control characters printed`,
      );
      assert.match(r.stdout, /evil\\x1b\[2J\\x1b\]0;owned\\x07/, args[0]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
