/**
 * Barham's host experiments: their runs are valid host descriptions, and their rows and
 * checks compute the hand-computed figures from (fake) host results.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { parseHost } from "../src/host/description.ts";
import type { HostResult } from "../src/host/result.ts";
import type { HostResults, HostRunSpec } from "../experiments/_lib/experiment.ts";
import { loadPublished, PUBLISHED_RELATIVE_PATH } from "../experiments/_lib/published.ts";
import isolation from "../experiments/barham_isolation.ts";
import scaling from "../experiments/barham_scaling.ts";

const published = await loadPublished(join(REPO_ROOT, PUBLISHED_RELATIVE_PATH));
const context = { root: REPO_ROOT, published };

/** A host result with only the fields the experiments read. */
function fakeHost(
  vms: { name: string; instructions: number; receivedMs: number; disk?: number }[],
  instructionsPerSecond = 0,
): HostResult {
  return {
    host: { name: "h", durationMs: 60, pcpus: 2 },
    vms: vms.map((v) => ({
      name: v.name,
      instructions: v.instructions,
      cpu: { receivedMs: v.receivedMs },
      io: { disk: { requests: v.disk ?? 0 } },
    })),
    totals: { instructionsPerSecond, disk: { utilization: 0.9 } },
  } as unknown as HostResult;
}

Deno.test("barham host experiments: every run is a valid host description", async () => {
  for (const e of [isolation, scaling]) {
    const runs = (await e.runs(context)) as HostRunSpec[];
    for (const r of runs) {
      const d = parseHost({ schema: "vmmlab.host/1", ...r.host }, r.id, REPO_ROOT);
      assert.equal(d.scheduler.name, "credit");
      assert.equal(d.pcpus, 2);
      assert.equal(d.platform, "xeon-2400");
      assert.equal(d.detailUs, 0, `${r.id} replays in full`);
    }
  }
  const ids = ((await isolation.runs(context)) as HostRunSpec[]).map((r) => r.id);
  assert.deepEqual(ids, ["pv/good", "pv/hostile", "hosted/good", "hosted/hostile"]);
  const hostile = ((await isolation.runs(context)) as HostRunSpec[])[1];
  const names = (hostile.host.vms as { name: string }[]).map((v) => v.name);
  assert.deepEqual(names, ["osdb-ir", "specweb", "disk-hog", "fork-bomb"]);
  // 16 VMs at 5 ms slices on 2 pCPUs: 45 ms, so each gets a slice.
  const sixteen = ((await scaling.runs(context)) as HostRunSpec[]).find((r) =>
    r.id === "web-pv/16"
  )!;
  assert.equal(sixteen.host.durationMs, 45);
});

Deno.test("barham_isolation: throughput, CPU and per-CPU changes against the good VMs alone", () => {
  const good = fakeHost([
    { name: "osdb-ir", instructions: 100, receivedMs: 40 },
    { name: "specweb", instructions: 200, receivedMs: 40 },
  ]);
  const hostile = fakeHost([
    { name: "osdb-ir", instructions: 96, receivedMs: 30 },
    { name: "specweb", instructions: 196, receivedMs: 40 },
    { name: "disk-hog", instructions: 1, receivedMs: 1, disk: 9 },
    { name: "fork-bomb", instructions: 50, receivedMs: 49 },
  ]);
  const hosts: HostResults = {
    "pv/good": good,
    "pv/hostile": hostile,
    "hosted/good": good,
    "hosted/hostile": hostile,
  };
  const rows = isolation.compare({}, published, hosts);
  const row = (label: string) => rows.find((r) => r.label === label)!;
  // 96/100 - 1 = -4%; 30/40 - 1 = -25%; (96/30)/(100/40) - 1 = +28%.
  assert.equal(row("pv: OSDB-IR (db-query) throughput beside the antisocial VMs").reproduced, -4);
  assert.equal(row("pv: OSDB-IR (db-query) throughput beside the antisocial VMs").published, -4);
  assert.equal(
    row("pv: OSDB-IR (db-query) CPU received beside the antisocial VMs").reproduced,
    -25,
  );
  assert.equal(
    row("pv: OSDB-IR (db-query) instructions per ms of CPU received").reproduced,
    28,
  );
  assert.equal(
    row("pv: SPEC WEB99 (web-lighttpd) throughput beside the antisocial VMs").published,
    -2,
  );
  assert.equal(
    row("hosted: OSDB-IR (db-query) throughput beside the antisocial VMs").published,
    null,
  );
  const checks = isolation.checks!({}, published, hosts);
  // Mean loss 3% under both: within 5%, not twice Xen's, within 5 points of Xen's.
  assert.deepEqual(checks.map((c) => c.passed), [true, true, false, true]);
});

Deno.test("barham_scaling: aggregate throughput relative to one VM, band for two under Xen", async () => {
  const runs = (await scaling.runs(context)) as HostRunSpec[];
  const hosts: { [id: string]: HostResult } = {};
  for (const r of runs) {
    const n = Number(r.id.split("/")[1]);
    hosts[r.id] = fakeHost([], n === 1 ? 100 : n === 2 ? 190 : 190 - n);
  }
  const rows = scaling.compare({}, published, hosts);
  const two = rows.find((r) => r.label === "web, Xen: 2 VMs")!;
  assert.equal(two.reproduced, 1.9);
  assert.deepEqual(two.band, [1.8, 2]);
  assert.equal(two.relError, 0);
  assert.equal(rows.find((r) => r.label === "web, Xen: 16 VMs")!.reproduced, 1.74);
  assert.equal(
    rows.find((r) => r.label === "web, hosted: 2 VMs")!.band,
    undefined,
  );
  // 16 web VMs (1.74x) and 8 database VMs (1.82x) below two (1.9x), within 10% of it.
  const checks = scaling.checks!({}, published, hosts);
  assert.deepEqual(checks.map((c) => c.passed), [true, true]);
});
