import assert from "node:assert/strict";
import { allocateWithTax, sharesPerPage, type TaxVm } from "./idle_tax.ts";

const MB = 256; // 4 KB pages per MB

function vm(active: number): TaxVm {
  return { shares: 1000, minPages: 0, maxPages: 256 * MB, active };
}

Deno.test("tax 0: equal shares split 360 MB equally (180 MB each)", () => {
  const p = allocateWithTax([vm(0.05), vm(0.9)], 360 * MB, 0);
  assert.deepEqual(p, [180 * MB, 180 * MB]);
});

Deno.test("tax 0.75: the idle VM gives memory until rho balances (hand-computed)", () => {
  // k = 4. Idle VM (f = 0): rho1 = S / (4 P1); active VM (f = 1): rho2 = S / P2.
  // Balance P2 = 4 P1, but P2 is capped at 256 MB: P2 = 256 MB, P1 = 104 MB.
  const p = allocateWithTax([vm(0), vm(1)], 360 * MB, 0.75);
  assert.deepEqual(p, [104 * MB, 256 * MB]);
});

Deno.test("tax 0.75 with both partly active: rho equal at the split", () => {
  // f1 = 0.2: weight 0.2 + 4*0.8 = 3.4; f2 = 0.6: weight 0.6 + 4*0.4 = 2.2.
  // Equal rho: 3.4 P1 = 2.2 P2, P1 + P2 = 3400 pages → P1 = 1336, P2 = 2064 (to a page).
  const vms: TaxVm[] = [
    { shares: 1, minPages: 0, maxPages: 3000, active: 0.2 },
    { shares: 1, minPages: 0, maxPages: 3000, active: 0.6 },
  ];
  const p = allocateWithTax(vms, 3400, 0.75);
  assert.equal(p[0] + p[1], 3400);
  assert.ok(Math.abs(p[0] - 1336) <= 1, `got ${p}`);
  const r0 = sharesPerPage(vms[0], p[0], 0.75), r1 = sharesPerPage(vms[1], p[1], 0.75);
  assert.ok(Math.abs(r0 - r1) / r0 < 0.002);
});

Deno.test("reservations are respected and a tax of 1 is rejected", () => {
  const p = allocateWithTax([{ ...vm(0), minPages: 200 * MB }, vm(1)], 360 * MB, 0.75);
  assert.deepEqual(p, [200 * MB, 160 * MB]);
  assert.throws(() => allocateWithTax([vm(0)], 1, 1), /tax rate/);
});
