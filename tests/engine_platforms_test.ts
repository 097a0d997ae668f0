import assert from "node:assert/strict";
import { renderPlatformDocs } from "../src/platforms/docs.ts";
import { BUILTIN_PLATFORMS, loadPlatform, platformNames } from "../src/platforms/load.ts";

/** Ignores what `deno fmt` changes in markdown: whitespace and table-rule widths. */
function normalize(s: string): string {
  return s.replace(/\s+/g, "").replace(/-+/g, "-");
}

Deno.test("the six named profiles exist and validate", () => {
  assert.deepEqual(platformNames(), [
    "core2-merom",
    "modern",
    "opteron-barcelona",
    "p4-prescott",
    "piii-733",
    "xeon-2400",
  ]);
  for (const name of platformNames()) assert.equal(loadPlatform(name).name, name);
});

Deno.test("every profile entry has a source, and every assumption a reason", () => {
  for (const name of platformNames()) {
    for (const [key, e] of Object.entries(BUILTIN_PLATFORMS[name].entries)) {
      assert.ok(e.source.length > 0, `${name} ${key}`);
      if (e.assumption) assert.ok((e.reason ?? "").length > 10, `${name} ${key}`);
    }
  }
});

Deno.test("p4-prescott takes its published costs from Adams & Agesen unchanged", () => {
  const p = loadPlatform("p4-prescott");
  assert.equal(p.cost("hw.vm-entry"), 2409);
  assert.equal(p.cost("hw.vm-exit"), 1931);
  assert.equal(p.cost("hw.vmcb-read"), 178);
  assert.equal(p.cost("hw.vmcb-write"), 171);
  assert.equal(p.cost("bt.translate"), 2300);
  assert.equal(p.cost("bt.indirect"), 40);
  assert.equal(p.cost("bt.callout"), 1254);
  assert.equal(p.cost("bt.tc-emulate.rdtsc"), 216);
  assert.equal(p.cost("bt.tc-emulate.cr8-write"), 35);
  assert.equal(loadPlatform("core2-merom").cost("hw.vm-entry"), 937);
  assert.equal(loadPlatform("opteron-barcelona").param("mmu.pwc.entries"), 24);
});

Deno.test("docs/platforms.md is the rendering of the profiles", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/platforms.md", import.meta.url));
  assert.equal(normalize(doc), normalize(renderPlatformDocs()));
});
