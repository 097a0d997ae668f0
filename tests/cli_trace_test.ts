/**
 * The trace subcommands as a user runs them: exit statuses 0/1/2, one-line errors with
 * file and chunk or offset, no stack traces, no partial output files.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { TraceReader } from "../src/trace/reader.ts";
import { runCli as vmmlab } from "../src/cli/test_support.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURE = join(ROOT, "tests/fixtures/qsort_lackey.vmt");
const LACKEY = join(ROOT, "tests/fixtures/qsort_head.lackey");

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0], pattern);
  assert.ok(!/\bat .*:\d+:\d+/.test(stderr), "no stack trace");
}

Deno.test("trace validate accepts a good trace with exit 0", async () => {
  const r = await vmmlab("trace", "validate", FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /valid — 66878 records, 153665 instructions, \d+ chunks, sha256:[0-9a-f]{64}/,
  );
});

Deno.test("trace validate on a corrupted copy names the chunk and offset, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await Deno.readFile(FIXTURE);
    const t = TraceReader.fromBytes(bytes);
    const c = t.chunks[3];
    bytes[c.offset + 40] ^= 0x55;
    const bad = join(dir, "bad.vmt");
    await Deno.writeFile(bad, bytes);
    const r = await vmmlab("trace", "validate", bad);
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      new RegExp(
        `^vmmlab: .*bad\\.vmt: chunk 3 at byte ${c.offset + 32}: compressed data is corrupt`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("missing files, wrong magic and truncation are one line with exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let r = await vmmlab("trace", "inspect", join(dir, "nope.vmt"));
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /nope\.vmt: no such file/);
    const text = join(dir, "text.vmt");
    await Deno.writeTextFile(text, "this is not a trace, just some words in a file\n");
    r = await vmmlab("trace", "validate", text);
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /text\.vmt: byte 0: not a vmmlab trace/);
    const cut = join(dir, "cut.vmt");
    await Deno.writeFile(cut, (await Deno.readFile(FIXTURE)).subarray(0, 5000));
    r = await vmmlab("trace", "validate", cut);
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /cut\.vmt: byte \d+: file is truncated/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("usage mistakes exit 1; --help exits 0", async () => {
  let r = await vmmlab("trace", "frobnicate");
  assert.equal(r.code, 1);
  r = await vmmlab("trace", "convert", FIXTURE, "--out", "/tmp/x.vmt", "--chunk-records", "lots");
  assert.equal(r.code, 1);
  assertOneLineError(r.stderr, /--chunk-records must be an integer/);
  r = await vmmlab("--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /trace/);
  r = await vmmlab("trace", "inspect", "--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /record-kind histogram/);
});

Deno.test("trace inspect --json reports header, chunks and bytes per instruction", async () => {
  const r = await vmmlab("trace", "inspect", "--json", FIXTURE);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.header.workload, "qsort-lackey");
  assert.equal(j.summary.instructions, 153665);
  assert.equal(j.chunks.length, TraceReader.open(FIXTURE).chunks.length);
  assert.ok(Math.abs(j.bytesPerInstruction - j.bytes / 153665) < 1e-12);
  // The memory figures: TLB misses of a native replay on the default platform, the pages
  // the window touched, no summary and no snapshots in a lackey trace.
  assert.equal(j.tlb.platform, "modern");
  assert.ok(j.tlb.misses > 0 && Math.abs(j.tlb.per100k - j.tlb.misses * 1e5 / 153665) < 1e-9);
  assert.ok(j.memory.windowPages > 0);
  assert.equal(j.memory.intervals, 0);
  assert.deepEqual(j.memory.sharing, []);
  const none = await vmmlab("trace", "inspect", "--json", "--tlb-platform", "none", FIXTURE);
  assert.equal(JSON.parse(none.stdout).tlb, null);
  const bad = await vmmlab("trace", "inspect", "--tlb-platform", "no-such-platform", FIXTURE);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
});

Deno.test("trace convert re-chunks and keeps the content hash", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "rechunked.vmt");
    const r = await vmmlab("trace", "convert", FIXTURE, "--out", out, "--chunk-records", "5000");
    assert.equal(r.code, 0, r.stderr);
    const a = TraceReader.open(FIXTURE), b = TraceReader.open(out);
    assert.equal(b.summary.contentHash, a.summary.contentHash);
    assert.ok(b.chunks.length > a.chunks.length);
    a.close();
    b.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("import lackey converts a real lackey trace; bad lines are exit 2 with the line number", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "head.vmt");
    let r = await vmmlab("import", "lackey", LACKEY, "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const t = TraceReader.open(out);
    assert.equal(t.header.source.kind, "lackey");
    const lines = (await Deno.readTextFile(LACKEY)).split("\n");
    assert.equal(t.summary.instructions, lines.filter((l) => l.startsWith("I ")).length);
    const loads = lines.filter((l) => l.startsWith(" L ")).length;
    const stores = lines.filter((l) => l.startsWith(" S ")).length;
    const modifies = lines.filter((l) => l.startsWith(" M ")).length;
    assert.equal(t.summary.kinds.mem, loads + stores + 2 * modifies);
    t.close();
    const broken = join(dir, "broken.lackey");
    await Deno.writeTextFile(broken, "I  00400000,3\n L zz,8\n");
    const bad = join(dir, "broken.vmt");
    r = await vmmlab("import", "lackey", broken, "--out", bad);
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /broken\.lackey: line 2: address is not hexadecimal/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "broken.lackey",
      "head.vmt",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
