import assert from "node:assert/strict";
import { formatResult } from "./table.ts";
import { type Result, RESULT_SCHEMA } from "./result.ts";

function result(instructions: number, events: Record<string, number>): Result {
  return {
    schema: RESULT_SCHEMA,
    trace: { path: "t.vmt", hash: "sha256:0", workload: "w", iterations: 2 },
    config: {
      cpu: "bt",
      mmu: "shadow",
      memory: "none",
      io: "native",
      platform: "p4-prescott",
      seed: 1,
      warmup: 1,
      options: { "bt.tc-capacity": 4096, "a.first": true },
    },
    cycles: { native: 100, virtualized: 250, perIteration: { native: 50, virtualized: 125 } },
    slowdown: 2.5,
    breakdown: { "guest.exec": 100, "bt.translate": 150 },
    events,
    instructions,
    host: {},
  };
}

Deno.test("table: the header names warm-up and every option, sorted", () => {
  const text = formatResult(result(10, {}));
  assert.match(text, /seed 1, warmup 1\n/);
  assert.match(text, /\noptions {5}a\.first=true, bt\.tc-capacity=4096\n/);
  assert.match(text, /slowdown {4}2\.500x/);
});

Deno.test("table: every non-zero event is listed, also those no category goes with", () => {
  const text = formatResult(result(10, { "tlb.misses": 7, "walk.refs.l4": 3, "zero": 0 }));
  const events = text.slice(text.indexOf("\nevents\n"));
  assert.match(events, /tlb\.misses {4}7\n/);
  assert.match(events, /walk\.refs\.l4 {2}3/);
  assert.ok(!events.includes("zero"), "zero counts are left out");
});

Deno.test("table: a trace without instructions has no slowdown to print", () => {
  const text = formatResult(result(0, {}));
  assert.match(text, /slowdown {4}none: the trace executes no instructions/);
  assert.ok(!/\d\.\d{3}x/.test(text));
});
