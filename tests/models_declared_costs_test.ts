/**
 * Every platform key a replay reads is one its models declared (src/engine/model.ts
 * `ModelInfo.costs`), so `vmmlab models` and docs/models.md list exactly what a profile
 * must provide: each built-in model replays recorded and synthetic traces on a platform
 * that records every key asked of it.
 */
import assert from "node:assert/strict";
import { resolveConfig } from "../src/engine/config.ts";
import { FAMILIES, type Family, modelInfo, modelNames, Platform } from "../src/engine/model.ts";
import { NATIVE_BASELINE, readerInput, ReplayMachine } from "../src/engine/replay.ts";
import { HW_ASSIST_FACT } from "../src/engine/sanity.ts";
import { loadPlatform } from "../src/platforms/load.ts";
import { synthesizeBytes } from "../src/synth/synthesize.ts";
import { TraceReader } from "../src/trace/reader.ts";

/** A profile that remembers every key a model asked for (present or not). */
class RecordingPlatform extends Platform {
  readonly asked = new Set<string>();
  override has(key: string): boolean {
    this.asked?.add(key);
    return super.has(key);
  }
  override entry(key: string): ReturnType<Platform["entry"]> {
    this.asked.add(key);
    return super.entry(key);
  }
}

/** A declared key as a pattern: `[.<x>]` an optional suffix, `<x>` one dashed name. */
function keyPattern(declared: string): RegExp {
  const parts = declared.split(/(\[\.<[a-z]+>\]|<[a-z]+>)/).map((part) =>
    part.startsWith("[")
      ? "(\\.[a-z0-9-]+)?"
      : part.startsWith("<")
      ? "[a-z0-9-]+"
      : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${parts.join("")}$`);
}

const traces: [string, Uint8Array][] = [
  ...["in", "pgfault", "ptemod", "divzero", "syscall", "cr8wr"].map((
    r,
  ): [string, Uint8Array] => [r, synthesizeBytes(r)]),
  ...["traces/lmbench-null-io.vmt", "traces/net-udp-tx.vmt", "tests/fixtures/qsort_lackey.vmt"]
    .map((p): [string, Uint8Array] => [p, Deno.readFileSync(p)]),
];

for (const platformName of ["p4-prescott", "modern", "xeon-2400"]) {
  Deno.test(`every key a replay reads on ${platformName} is declared by its models`, () => {
    const data = loadPlatform(platformName);
    for (const family of FAMILIES) {
      for (const name of modelNames(family)) {
        if (name.startsWith("test-")) continue; // other test files' models
        const models = { ...NATIVE_BASELINE, [family]: name } as Record<Family, string>;
        const allowed = [
          HW_ASSIST_FACT,
          ...FAMILIES.flatMap((f) => [
            ...(modelInfo(f, models[f]).costs ?? []),
            ...(modelInfo(f, NATIVE_BASELINE[f]).costs ?? []),
          ]),
        ].map(keyPattern);
        for (const [label, bytes] of traces) {
          const platform = new RecordingPlatform(
            {
              name: data.name,
              description: data.description,
              clockHz: data.clockHz,
              entries: data.entries,
            },
          );
          const reader = TraceReader.fromBytes(bytes, label);
          try {
            const machine = new ReplayMachine(readerInput(reader), resolveConfig(models), platform);
            machine.run(reader.cursor(), reader.code);
            machine.finish();
          } finally {
            reader.close();
          }
          const undeclared = [...platform.asked].filter((k) => !allowed.some((p) => p.test(k)));
          assert.deepEqual(undeclared, [], `${family} ${name} on ${label}`);
        }
      }
    }
  });
}
