import assert from "node:assert/strict";
import { ArrayTrace } from "../../engine/array_cursor.ts";
import { replayInput } from "../../engine/replay.ts";
import { testPlatform } from "../../engine/test_platform.ts";
import { SensitiveOp } from "../../trace/record.ts";
import { ConfigError } from "../../util/errors.ts";
import { eraOmissions, ERAS } from "./era.ts";

const K = -0x80000000;
const platform = testPlatform({
  "native.cpi": 1,
  "native.sensitive": 30,
  "native.sensitive.cli": 60,
  "native.sensitive.swapgs": 40,
  "native.sensitive.verw": 50,
});

/** One kernel block: CLI, SWAPGS, VERW. */
function trace(): ArrayTrace {
  const t = new ArrayTrace();
  const ops = [SensitiveOp.Cli, SensitiveOp.Swapgs, SensitiveOp.Verw];
  const b = t.block(K, 0, ops.map((op) => ({ length: 2, sensitive: op, flow: 0 })));
  t.exec(b);
  for (const op of ops) t.sensitive(op, K, 0, 0);
  return t;
}

Deno.test("era: the classes the era's kernel did not run are counted and charged to neither side", () => {
  const now = replayInput(trace(), { platform, cpu: "native" });
  assert.equal(now.breakdown["guest.sensitive"], 60 + 40 + 50);
  assert.equal(now.events["era.omitted.verw"], undefined);
  const y2003 = replayInput(trace(), { platform, cpu: "pv", options: { "cpu.era": "2003" } });
  assert.equal((y2003.nativeBreakdown as Record<string, number>)["guest.sensitive"], 60);
  assert.equal(y2003.events["era.omitted.swapgs"], 1);
  assert.equal(y2003.events["era.omitted.verw"], 1);
  assert.equal(y2003.events["sensitive.verw"], undefined, "the VMM never sees it");
  const y2008 = replayInput(trace(), { platform, cpu: "native", options: { "cpu.era": "2008" } });
  assert.equal(y2008.breakdown["guest.sensitive"], 60 + 40);
  assert.equal(y2008.events["era.omitted.swapgs"], undefined);
});

Deno.test("era: every era names why it leaves a class out; an unknown era is a configuration error", () => {
  for (const era of Object.values(ERAS)) {
    for (const o of era.omitted) assert.ok(o.why.length > 40);
  }
  assert.deepEqual([...eraOmissions(undefined)].filter((x) => x !== 0), []);
  assert.throws(() => eraOmissions("1999"), ConfigError);
  assert.throws(
    () => replayInput(trace(), { platform, cpu: "native", options: { "cpu.era": "1999" } }),
    /cpu.era: must be one of .*not "1999"/,
  );
});
