import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MemoryManager, MemoryState } from "./memory_manager.ts";

const vm = (
  over: Partial<{ shares: number; minPages: number; maxPages: number; balloon: boolean }> = {},
) => ({
  shares: 1000,
  minPages: 0,
  maxPages: 600,
  balloon: true,
  ...over,
});

const pick = (m: MemoryManager) => m.state.map((s) => [s.held, s.target, s.ballooned, s.swapped]);

Deno.test("idle tax: an idle VM gives up memory to an active one with equal shares (hand-computed)", () => {
  // 1000 host pages, 940 to divide (6% kept free). Demand 600 + 600. Tax 0.75: idle pages
  // cost k = 4. rho_A = 1000 / 600 (all active), rho_B = 1000 / (4 P_B) (idle): B loses
  // every page of the 260 to take (at P_B = 340, rho_B = 1000/1360 is still the smaller).
  // Free memory is -200 pages (below 1%: low state), so B is paged down to its target.
  const m = new MemoryManager(1000, 0.75, [vm(), vm()]);
  m.period([600, 600], [1, 0]);
  assertEquals(pick(m), [[600, 600, 0, 0], [340, 340, 0, 260]]);
  assertEquals(m.freeState, MemoryState.Low);
});

Deno.test("idle tax 0 is plain proportional share: equal shares split evenly", () => {
  const m = new MemoryManager(1000, 0, [vm(), vm()]);
  m.period([600, 600], [1, 0]);
  assertEquals(m.state.map((s) => s.target), [470, 470]);
});

Deno.test("soft state balloons a VM above its target; a VM without a balloon is paged", () => {
  // Held 500 + 450 = 950 of 1000: 5% free, the soft state. Targets as above: A 600, B 340.
  const m = new MemoryManager(1000, 0.75, [vm(), vm()]);
  m.period([500, 450], [1, 0]);
  assertEquals(m.freeState, MemoryState.Soft);
  assertEquals(pick(m), [[500, 600, 0, 0], [340, 340, 110, 0]]);
  const n = new MemoryManager(1000, 0.75, [vm(), vm({ balloon: false })]);
  n.period([500, 450], [1, 0]);
  assertEquals(pick(n), [[500, 600, 0, 0], [340, 340, 0, 110]]);
  // Next period, free memory is high (160 pages, 16%); the balloon would deflate into the
  // 100 pages above the 6% threshold, but B is at its target and stays there.
  m.period([500, 450], [1, 0]);
  assertEquals(m.freeState, MemoryState.High);
  assertEquals(pick(m), [[500, 600, 0, 0], [340, 340, 110, 0]]);
});

Deno.test("a minimum is never reclaimed: the active VM pays when the idle one is at its min", () => {
  // B's minimum is 400: it stops there, and A gives up the remaining 60 of the 260.
  const m = new MemoryManager(1000, 0.75, [vm(), vm({ minPages: 400 })]);
  m.period([600, 600], [1, 0]);
  assertEquals(m.state.map((s) => s.target), [540, 400]);
  assertEquals(pick(m), [[540, 540, 0, 60], [400, 400, 0, 200]]);
});

Deno.test("high state: a balloon deflates when the VM's target rises again", () => {
  const m = new MemoryManager(1000, 0.75, [vm(), vm()]);
  m.period([500, 450], [1, 0]); // B ballooned by 110 to 340
  m.period([500, 450], [0, 0]); // both idle now: targets 470 / 470
  // Free 160 pages, 100 above the 6% threshold: B may grow towards its target 470 (130
  // more), so 100 of its 110 ballooned pages come back. A stays above its new target:
  // in the high state nothing is reclaimed.
  assertEquals(pick(m), [[500, 470, 0, 0], [440, 470, 10, 0]]);
});

Deno.test("idle tax with a partly active VM: allocation where shares per page balance (hand-computed)", () => {
  // Tax 0.5, k = 1/(1 − 0.5) = 2. A is fully active: ρ_A = 1000 / P_A. Half of B is
  // idle: ρ_B = 1000 / (P_B (0.5 + 2 · 0.5)) = 1000 / (1.5 P_B). Pages go from the
  // smaller ρ until P_A + P_B = 940 with P_A = 1.5 P_B: P_B = 376, P_A = 564.
  const m = new MemoryManager(1000, 0.5, [vm(), vm()]);
  m.period([600, 600], [1, 0.5]);
  assertEquals(m.state.map((s) => s.target), [564, 376]);
  // Held 1200 of 1000 pages (low state): both are paged down to their targets.
  assertEquals(pick(m), [[564, 564, 0, 36], [376, 376, 0, 224]]);
});
