/**
 * Seeded mutation test: thousands of byte flips and truncations of a real trace must each
 * end in a TraceFormatError or a complete, valid read — never a crash, a hang, or any
 * other exception type.
 */

import assert from "node:assert/strict";
import { TraceFormatError } from "../src/trace/errors.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { validateTrace } from "../src/trace/validate.ts";
import { Pcg32 } from "../src/util/pcg32.ts";

const FIXTURE = new URL("./fixtures/qsort_lackey.vmt", import.meta.url);

type Outcome = "format-error" | "valid";

function attempt(bytes: Uint8Array): Outcome {
  try {
    const t = TraceReader.fromBytes(bytes, "mutant.vmt");
    validateTrace(t);
    return "valid";
  } catch (e) {
    if (e instanceof TraceFormatError) {
      assert.ok(!e.message.includes("\n"), `one-line message: ${e.message}`);
      assert.ok(e.message.startsWith("mutant.vmt: "), `message names the file: ${e.message}`);
      return "format-error";
    }
    throw new Error(`mutation escaped as ${(e as Error).name}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

Deno.test("the unmutated fixture is valid", () => {
  const bytes = Deno.readFileSync(FIXTURE);
  assert.equal(attempt(bytes), "valid");
  assert.ok(TraceReader.fromBytes(bytes).chunks.length >= 4, "fixture spans several chunks");
});

Deno.test("3000 seeded byte flips each end in TraceFormatError or a valid read", () => {
  const original = Deno.readFileSync(FIXTURE);
  const rng = new Pcg32(20261124);
  const counts = { "format-error": 0, valid: 0 };
  for (let i = 0; i < 3000; i++) {
    const bytes = original.slice();
    const flips = 1 + rng.nextBelow(3);
    for (let k = 0; k < flips; k++) {
      // Half the flips hit the first/last 512 bytes, where headers, index and trailer live.
      const region = rng.nextBelow(4);
      const pos = region === 0
        ? rng.nextBelow(512)
        : region === 1
        ? bytes.length - 1 - rng.nextBelow(512)
        : rng.nextBelow(bytes.length);
      bytes[pos] ^= 1 << rng.nextBelow(8);
    }
    counts[attempt(bytes)]++;
  }
  assert.ok(counts["format-error"] > 2500, `most flips are detected: ${JSON.stringify(counts)}`);
});

Deno.test("1000 seeded truncations and extensions end in TraceFormatError", () => {
  const original = Deno.readFileSync(FIXTURE);
  const rng = new Pcg32(7);
  for (let i = 0; i < 1000; i++) {
    const cut = rng.nextBelow(original.length);
    assert.equal(attempt(original.subarray(0, cut)), "format-error", `truncated at ${cut}`);
  }
  // Bytes appended after the trailer hide the trailer: also an error, never a crash.
  const longer = new Uint8Array(original.length + 3);
  longer.set(original);
  assert.equal(attempt(longer), "format-error");
});

Deno.test("specific corruptions name the problem and the place", () => {
  const original = Deno.readFileSync(FIXTURE);
  const t = TraceReader.fromBytes(original);
  const chunk2 = t.chunks[2];
  const cases: [string, (b: Uint8Array) => void, RegExp][] = [
    ["wrong magic", (b) => (b[1] = 0x58), /byte 0: not a vmmlab trace \(bad magic\)/],
    ["future version", (b) => (b[8] = 2), /byte 8: format version 2 is not supported/],
    [
      "corrupt chunk data",
      (b) => (b[chunk2.offset + 32 + 10] ^= 0xff),
      new RegExp(`chunk 2 at byte ${chunk2.offset + 32}: compressed data is corrupt`),
    ],
    [
      "chunk header disagrees",
      (b) => (b[chunk2.offset + 8] ^= 1),
      /chunk 2 at byte \d+: .*disagrees with the index/,
    ],
  ];
  for (const [name, mutate, pattern] of cases) {
    const b = original.slice();
    mutate(b);
    assert.throws(() => validateTrace(TraceReader.fromBytes(b, "x.vmt")), (e: unknown) => {
      assert.ok(e instanceof TraceFormatError, name);
      assert.match(e.message, pattern, name);
      return true;
    });
  }
});
