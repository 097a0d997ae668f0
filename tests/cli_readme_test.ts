/**
 * The README's "Answers from the command line" shows real output: each command shown
 * there is run here and the lines the README quotes must be what it prints today.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../src/cli/test_support.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));
/** The README with line breaks and `\` continuations folded, for finding commands in prose. */
const FLAT = README.replace(/\\\n\s*/g, "").replace(/\s+/g, " ");

function shown(command: string[]): void {
  assert.ok(FLAT.includes(`vmmlab ${command.join(" ")}`), `README shows: ${command.join(" ")}`);
}

Deno.test("README: replay's steady-state lines are what replay prints", async () => {
  const args = [
    "replay",
    "traces/forkwait.vmt",
    "--cpu",
    "bt",
    "--mmu",
    "shadow",
    "--io",
    "emulated",
    "--run-iterations",
    "40000",
  ];
  shown(args);
  const r = await runCli(...args);
  assert.equal(r.code, 0, r.stderr);
  const head = r.stdout.split("\n").slice(0, 8).join("\n");
  assert.ok(README.includes(head), `README quotes:\n${head}`);
});

Deno.test("README: compare's quoted rows are what compare prints", async () => {
  const args = [
    "compare",
    "traces/lmbench-page-fault.vmt",
    "--config",
    "cpu=bt,mmu=shadow",
    "--config",
    "cpu=pv,mmu=pv-direct",
    "--config",
    "cpu=hw,mmu=shadow",
    "--config",
    "cpu=hw,mmu=nested",
  ];
  shown(args);
  const r = await runCli(...args);
  assert.equal(r.code, 0, r.stderr);
  const quoted = r.stdout.split("\n").filter((l) =>
    /Cause|hw\.exit\.traced-write|total \(steady|│ native|overhead over|one-time/.test(l)
  );
  assert.equal(quoted.length, 6);
  for (const line of quoted) assert.ok(README.includes(line), `README quotes: ${line}`);
});

Deno.test("README: the sweep over hw.vm-exit and mmu.pwc.entries writes what the README shows", async () => {
  const args = [
    "sweep",
    "traces/forkwait.vmt",
    "traces/lmbench-ctx-2p-16k.vmt",
    "--config",
    "cpu=hw,mmu=nested,platform=opteron-barcelona",
    "--vary",
    "platform.hw.vm-exit=250,500,1000,2000",
    "--vary",
    "platform.mmu.pwc.entries=1,4,8,24",
  ];
  shown(args);
  const out = await Deno.makeTempDir();
  try {
    const r = await runCli(...args, "--out", out, "--quiet", "--workers", "2");
    assert.equal(r.code, 0, r.stderr);
    const csv = (await Deno.readTextFile(join(out, "sweep.csv"))).split("\n");
    assert.equal(csv.length, 34, "header, 32 points, final newline");
    for (const line of csv.slice(0, 3)) assert.ok(README.includes(line), `README quotes: ${line}`);
    const row = (trace: string, exit: string, pwc: string) =>
      csv.find((l) => l.startsWith(`${trace},`) && l.includes(`,${exit},${pwc},`))!.split(",")[14];
    // The prose's figures.
    assert.equal(Number(row("traces/lmbench-ctx-2p-16k.vmt", "250", "24")).toFixed(3), "1.190");
    assert.equal(Number(row("traces/lmbench-ctx-2p-16k.vmt", "2000", "24")).toFixed(3), "1.328");
    assert.equal(Number(row("traces/forkwait.vmt", "250", "24")).toFixed(3), "1.054");
    assert.equal(Number(row("traces/forkwait.vmt", "2000", "24")).toFixed(3), "1.068");
    const png = await Deno.stat(join(out, "sweep.png"));
    assert.ok(png.size > 10_000);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("README: the tidy CSV rows, the --set figure and the warnings are what replay prints", async () => {
  const csv = await runCli(
    "replay",
    "tests/fixtures/qsort_lackey.vmt",
    "--cpu",
    "hw",
    "--mmu",
    "nested",
    "--csv",
  );
  const rows = csv.stdout.split("\n");
  for (const line of [rows[0], rows[1], rows.find((l) => l.includes(",breakdown,mmu.walk,"))!]) {
    assert.ok(README.includes(line), `README quotes: ${line}`);
  }
  const set = await runCli(
    "replay",
    "traces/forkwait.vmt",
    "--cpu",
    "hw",
    "--mmu",
    "shadow",
    "--set",
    "platform.hw.vm-exit=500",
    "--set",
    "platform.hw.vm-entry=500",
    "--json",
  );
  assert.equal(JSON.parse(set.stdout).slowdown.toFixed(2), "7.72");
  assert.ok(FLAT.includes("from 10.13x to 7.72x"));
  const warned = await runCli(
    "replay",
    "tests/fixtures/qsort_lackey.vmt",
    "--cpu",
    "hw",
    "--platform",
    "xeon-2400",
    "--json",
  );
  for (const line of warned.stderr.trimEnd().split("\n")) {
    assert.ok(README.includes(line), `README quotes: ${line}`);
  }
});
