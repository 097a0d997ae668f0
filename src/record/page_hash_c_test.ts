import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { buildPlugin, PLUGIN_HEADERS, PLUGIN_SOURCE } from "./build_c.ts";
import { hashPage } from "./page_hash.ts";
import { Pcg32 } from "../util/pcg32.ts";

// The plugin hashes content samples with page_hash.h; the recorder and memory models use
// page_hash.ts. A harness compiled against the very header the plugin includes must give
// the same 64 bits as hashPage on every page, or content sharing silently breaks.

/** Whether the host has gcc: only its absence skips these tests (CI installs it). */
function hostHasGcc(): boolean {
  try {
    new Deno.Command("gcc", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

const HAS_GCC = hostHasGcc();
if (!HAS_GCC) console.error("page hash C tests skipped: host gcc is not installed");

const HEADER = PLUGIN_HEADERS.find((h) => basename(h) === "page_hash.h")!;
const WORDS = 1024;

/** Reads pages from stdin and prints each page's hash as "hi lo" in hex, one per line. */
const HARNESS = `#include <stdio.h>
#include "page_hash.h"
int main(void)
{
    static uint32_t w[VMMLAB_PAGE_WORDS];
    while (fread(w, sizeof w, 1, stdin) == 1) {
        uint32_t hi, lo;
        hash_page(w, &hi, &lo);
        printf("%08x %08x\\n", hi, lo);
    }
    return 0;
}
`;

/** The test pages: each a case worth a name, in 32-bit words (little-endian as in RAM). */
function testPages(): { name: string; words: Uint32Array }[] {
  const pages: { name: string; words: Uint32Array }[] = [];
  pages.push({ name: "all zero", words: new Uint32Array(WORDS) });
  pages.push({ name: "all ones", words: new Uint32Array(WORDS).fill(0xffffffff) });
  const rng = new Pcg32(14);
  for (let i = 0; i < 24; i++) {
    const w = new Uint32Array(WORDS);
    for (let j = 0; j < WORDS; j++) w[j] = rng.nextU32();
    pages.push({ name: `random ${i}`, words: w });
  }
  // One byte changed, at the first, a middle and the last byte, each in a different lane
  // position; the base is the first random page.
  const base = pages[2].words;
  for (const byte of [0, 1, 2047, 4093, 4095]) {
    const w = base.slice();
    const b = new Uint8Array(w.buffer);
    b[byte] ^= 0x80;
    pages.push({ name: `random 0, byte ${byte} flipped`, words: w });
  }
  const zeroOneByte = new Uint32Array(WORDS);
  new Uint8Array(zeroOneByte.buffer)[4095] = 1;
  pages.push({ name: "zero but the last byte", words: zeroOneByte });
  // High-bit words: where a signed 32-bit multiply or shift would differ from unsigned.
  const high = new Uint32Array(WORDS);
  for (let j = 0; j < WORDS; j++) high[j] = (0x80000000 | (j * 0x01010101)) >>> 0;
  pages.push({ name: "high-bit words", words: high });
  pages.push({ name: "0x80000000 words", words: new Uint32Array(WORDS).fill(0x80000000) });
  const counter = new Uint32Array(WORDS);
  for (let j = 0; j < WORDS; j++) counter[j] = j;
  pages.push({ name: "word index", words: counter });
  return pages;
}

Deno.test({
  name: "page hash: the plugin's C hash_page (page_hash.h) equals hashPage on every page",
  ignore: !HAS_GCC,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab-pagehash-" });
    try {
      const src = join(dir, "harness.c");
      const exe = join(dir, "harness");
      Deno.writeTextFileSync(src, HARNESS);
      const cc = await new Deno.Command("gcc", {
        args: ["-O2", "-Wall", "-Werror", "-I", dirname(HEADER), "-o", exe, src],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(cc.success, `gcc failed: ${new TextDecoder().decode(cc.stderr)}`);

      const pages = testPages();
      const input = new Uint8Array(pages.length * WORDS * 4);
      pages.forEach((p, i) => input.set(new Uint8Array(p.words.buffer), i * WORDS * 4));
      const child = new Deno.Command(exe, { stdin: "piped", stdout: "piped" }).spawn();
      const writer = child.stdin.getWriter();
      await writer.write(input);
      await writer.close();
      const out = await child.output();
      assert.ok(out.success);
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
      assert.equal(lines.length, pages.length);

      const ts = new Uint32Array(2);
      const seen = new Set<string>();
      pages.forEach((p, i) => {
        hashPage(p.words, ts, 0);
        const expected = `${ts[0].toString(16).padStart(8, "0")} ${
          ts[1].toString(16).padStart(8, "0")
        }`;
        assert.equal(lines[i], expected, `page "${p.name}": C ${lines[i]}, TS ${expected}`);
        seen.add(expected);
      });
      // Every test page differs from every other, so every hash must too: a harness that
      // printed one constant could not pass.
      assert.equal(seen.size, pages.length);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("page hash: every header the plugin includes from its folder is a plugin build input", () => {
  const source = Deno.readTextFileSync(PLUGIN_SOURCE);
  const local = [...source.matchAll(/^#include "([^"]+)"/gm)].map((m) => m[1]).sort();
  assert.ok(local.includes("page_hash.h"));
  assert.deepEqual(PLUGIN_HEADERS.map((h) => basename(h)).sort(), local);
  for (const h of PLUGIN_HEADERS) assert.equal(dirname(h), dirname(PLUGIN_SOURCE));
});

Deno.test({
  name: "page hash: the recorder's plugin build compiles the plugin with its header",
  ignore: !HAS_GCC,
  fn: async () => {
    const cache = Deno.makeTempDirSync({ prefix: "vmmlab-plugin-cache-" });
    const before = Deno.env.get("VMMLAB_CACHE");
    Deno.env.set("VMMLAB_CACHE", cache);
    try {
      const built = await buildPlugin();
      assert.equal(dirname(built.path), join(cache, "plugin"));
      assert.equal(basename(built.path), `vmmlab_plugin.so-${built.hash}`);
      const elf = Deno.readFileSync(built.path);
      assert.deepEqual([...elf.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
      assert.equal(new DataView(elf.buffer).getUint16(16, true), 3); // ET_DYN: a shared object
      // A second build of the same sources is the cached one.
      assert.deepEqual(await buildPlugin(), built);
    } finally {
      if (before === undefined) Deno.env.delete("VMMLAB_CACHE");
      else Deno.env.set("VMMLAB_CACHE", before);
      Deno.removeSync(cache, { recursive: true });
    }
  },
});
