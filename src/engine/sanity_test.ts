import assert from "node:assert/strict";
import { loadPlatform, platformNames } from "../platforms/load.ts";
import { HW_ASSIST_FACT, sanityWarnings } from "./sanity.ts";

const keys = (cpu: string, mmu: string, platform: string, kind?: string) =>
  sanityWarnings({ cpu, mmu }, loadPlatform(platform), { source: { kind } }).map((w) => w.key);

Deno.test("sanity: each nonsensical configuration earns its one warning, sensible ones none", () => {
  assert.deepEqual(keys("hw", "native", "p4-prescott"), ["config.hw-native-mmu"]);
  assert.deepEqual(keys("hw", "shadow", "piii-733"), ["config.no-hw-assist"]);
  assert.deepEqual(keys("native", "nested", "xeon-2400"), ["config.no-hw-assist"]);
  assert.deepEqual(keys("bt", "shadow", "p4-prescott", "lackey"), ["config.shadow-user-only"]);
  assert.deepEqual(keys("hw", "native", "xeon-2400", "lackey"), [
    "config.hw-native-mmu",
    "config.no-hw-assist",
  ]);
  for (const ok of [["hw", "shadow"], ["hw", "nested"], ["bt", "shadow"], ["pv", "pv-direct"]]) {
    assert.deepEqual(keys(ok[0], ok[1], "p4-prescott", "qemu-tcg"), [], ok.join("+"));
  }
  // Software techniques on the pre-VT-x hosts are what those papers ran: no warning.
  assert.deepEqual(keys("bt", "shadow", "piii-733"), []);
  assert.deepEqual(keys("pv", "pv-direct", "xeon-2400"), []);
});

Deno.test("sanity: every profile states whether its processor had VT-x/AMD-V", () => {
  const had = Object.fromEntries(
    platformNames().map((n) => [n, loadPlatform(n).param(HW_ASSIST_FACT)]),
  );
  assert.deepEqual(had, {
    "core2-merom": 1,
    modern: 1,
    "opteron-barcelona": 1,
    "p4-prescott": 1,
    "piii-733": 0,
    "xeon-2400": 0,
  });
});
