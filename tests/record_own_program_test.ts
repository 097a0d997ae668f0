/**
 * A new user's path, as the README's "Record your own program" section gives it: from a
 * temporary folder outside the repository, one command records a small C program of the
 * user's (no markers: the window is its whole run), and one more compares the binary
 * translator, paravirtualization, and hardware assist with shadow and with nested paging
 * on it. Runs wherever the recorder's host tools are installed (CI installs them;
 * VMMLAB_REQUIRE_RECORDER=1 makes the record integration test fail when they are not).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HOST_TOOLS, which } from "../src/record/host_tools.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { validateTrace } from "../src/trace/validate.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "src", "cli", "main.ts");
const missing = HOST_TOOLS.filter((t) => which(t.command) === null).map((t) => t.pkg);
if (missing.length > 0) {
  console.log(`own-program recording test skipped: missing ${missing.join(", ")}`);
}

/** The user's program: touches fresh memory and makes system calls, N rounds. */
const PROGRAM = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 4;
    long sum = 0;
    for (int i = 0; i < rounds; i++) {
        char *p = malloc(1 << 20);
        for (int k = 0; k < (1 << 20); k += 4096) p[k] = (char)k;
        sum += p[4096] + getppid();
        free(p);
    }
    printf("sum %ld\\n", sum);
    return 0;
}
`;

/** Runs `vmmlab ARGS..` the way the README says, from `cwd`. */
async function vmmlab(cwd: string, ...args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", MAIN, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

/** The four techniques the README's compare command names. */
const CONFIGS = [
  { label: "bt", cpu: "bt", mmu: "shadow" },
  { label: "pv", cpu: "pv", mmu: "pv-direct" },
  { label: "hw+shadow", cpu: "hw", mmu: "shadow" },
  { label: "hw+nested", cpu: "hw", mmu: "nested" },
];

Deno.test({
  name: "record: a user's own C program, recorded from outside the repository, then compared",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab-own-program-" });
    try {
      Deno.writeTextFileSync(join(dir, "myprog.c"), PROGRAM);
      const rec = await vmmlab(dir, "record", "--out", "traces/myprog.vmt", "--", "myprog.c", "3");
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stderr, /no markers in the program: the window is its whole run/);
      const t = TraceReader.open(join(dir, "traces", "myprog.vmt"));
      try {
        validateTrace(t);
        assert.equal(t.header.workload, "myprog");
        assert.equal(t.summary.iterations, 1, "one run, one iteration");
        assert.match(String(t.header.source.command), /vmmlab record --out .* -- myprog\.c 3$/);
        // The first round's 256 fresh pages fault one by one (later rounds may reuse the
        // heap): the program's own page faults are in the window.
        const kinds = t.summary.kinds;
        assert.ok((kinds.exception ?? 0) >= 256, `exceptions ${JSON.stringify(kinds)}`);
        assert.ok(t.summary.instructions > 100_000);
      } finally {
        t.close();
      }
      // The README's second command, with --json to read the figures back.
      const cmp = await vmmlab(
        dir,
        "compare",
        "traces/myprog.vmt",
        ...CONFIGS.flatMap((c) => ["--config", `cpu=${c.cpu},mmu=${c.mmu}`]),
        "--json",
      );
      assert.equal(cmp.code, 0, cmp.stderr);
      const doc = JSON.parse(cmp.stdout) as {
        schema: string;
        configs: { config: { cpu: string; mmu: string } }[];
        traces: {
          workload: string;
          cells: { overhead: number; causes: Record<string, number> }[];
        }[];
      };
      assert.equal(doc.schema, "vmmlab.compare/1");
      assert.deepEqual(
        doc.configs.map((c) => [c.config.cpu, c.config.mmu]),
        CONFIGS.map((c) => [c.cpu, c.mmu]),
      );
      assert.equal(doc.traces[0].workload, "myprog");
      for (const [i, cell] of doc.traces[0].cells.entries()) {
        assert.ok(cell.overhead > 0, `${CONFIGS[i].label} costs something over native`);
        assert.ok(Object.keys(cell.causes).length > 0, `${CONFIGS[i].label} names its causes`);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
