import assert from "node:assert/strict";
import { didYouMean, editDistance, nearestKey } from "./suggest.ts";

Deno.test("edit distance: hand-checked pairs", () => {
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("hw.vm-exit", "hw.vm-exit"), 0);
  assert.equal(editDistance("hw.vm-exti", "hw.vm-exit"), 2);
});

Deno.test("nearest key: a typo finds its key, an unrelated word finds none", () => {
  const keys = ["hw.vm-entry", "hw.vm-exit", "mmu.pwc.entries"];
  assert.equal(nearestKey("hw.vm-exti", keys), "hw.vm-exit");
  assert.equal(nearestKey("mmu.pwc.entrys", keys), "mmu.pwc.entries");
  assert.equal(nearestKey("bananas", keys), undefined);
  assert.equal(didYouMean("hw.vmexit", keys), " (did you mean hw.vm-exit?)");
  assert.equal(didYouMean("zzz", keys), "");
});
