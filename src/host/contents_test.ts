import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { shareContents, type VmContents } from "./contents.ts";

function vm(keys: number[]): VmContents {
  const k = Float64Array.from(keys);
  return { keys: k, pages: keys.filter((x) => !Number.isNaN(x)).length };
}

Deno.test("content sharing: saving within each VM, then across VMs, by hand", () => {
  // VM a: contents 0 0 0 1 (three zero pages); VM b: 0 1 2, one page unknown; VM c: none.
  const f = shareContents([vm([0, 0, 0, 1]), vm([0, 1, 2, NaN]), null]);
  assertEquals(f.pages, [4, 3, 0]);
  assertEquals(f.distinct, [2, 3, 0]);
  // Content 0 is held 4 times, 1 twice, 2 once: a's 4 pages and b's pages 0 and 1 share.
  assertEquals(f.shared, [4, 2, 0]);
  assertEquals(f.frames, 3);
  // Within: a 4 - 2, b 3 - 3; across: (2 + 3) - 3 frames.
  assertEquals([f.savedWithin, f.savedAcross], [2, 2]);
});
