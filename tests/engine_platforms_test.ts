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

Deno.test("every cost is sourced or flagged, and no event is charged zero without a stated reason", () => {
  for (const name of platformNames()) {
    for (const [key, e] of Object.entries(BUILTIN_PLATFORMS[name].entries)) {
      assert.ok(e.source.length > 0, `${name} ${key}: no source`);
      if (e.assumption) {
        assert.ok((e.reason ?? "").length > 0, `${name} ${key}: flag without reason`);
      }
      if (e.unit === "cycles" && e.value === 0) {
        // A flagged zero says why in its reason; a sourced one in its source.
        const why = e.reason ?? e.source;
        assert.ok(why.length > 20, `${name} ${key}: charged zero without a stated reason`);
      }
    }
  }
});

Deno.test("issue 12: each sensitive class the traces hold has its own native cost, and CR3, INVLPG and MSR exits a handler", () => {
  for (const name of platformNames()) {
    const p = loadPlatform(name);
    for (const cls of ["cli", "sti", "pushf", "popf", "rdtsc", "mov-from-sreg", "mov-to-sreg"]) {
      assert.ok(p.has(`native.sensitive.${cls}`), `${name}: native.sensitive.${cls}`);
    }
    // A segment-register read is a register move, not a CLI.
    assert.ok(p.cost("native.sensitive.mov-from-sreg") < p.cost("native.sensitive.cli"), name);
    for (const reason of ["cr3-write", "invlpg", "msr", "interrupt", "mmio"]) {
      assert.ok(p.cost(`hw.handler.${reason}`) > 0, `${name}: hw.handler.${reason}`);
    }
    for (const k of ["alloc", "zero", "teardown", "rmap", "reprotect"]) {
      assert.ok(p.cost(`mmu.shadow.${k}`) > 0, `${name}: mmu.shadow.${k}`);
    }
  }
});
