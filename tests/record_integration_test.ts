/**
 * One short real recording: boots the Debian kernel under QEMU TCG, records three
 * forkwait iterations and checks the trace. Runs wherever qemu-system-x86_64 and the
 * other recorder packages are installed (CI installs them); skipped with a printed reason
 * otherwise.
 */
import assert from "node:assert/strict";
import { HOST_TOOLS, installCommand, which } from "../src/record/host_tools.ts";
import { record } from "../src/record/recorder.ts";
import { TraceReader } from "../src/trace/reader.ts";
import { validateTrace } from "../src/trace/validate.ts";
import { countIterations } from "../src/record/trace_counts.ts";
import { MarkerOp, RecordKind, SensitiveOp } from "../src/trace/record.ts";

const missing = HOST_TOOLS.filter((t) => which(t.command) === null).map((t) => t.pkg);
// .ci/run installs the packages and sets this, so in CI a missing tool is a failure, not a skip.
const required = Deno.env.get("VMMLAB_REQUIRE_RECORDER") === "1";
if (missing.length > 0 && required) {
  Deno.test("record: the recorder's host tools are installed (VMMLAB_REQUIRE_RECORDER=1)", () => {
    assert.fail(`missing ${missing.join(", ")}; install with: ${installCommand()}`);
  });
} else if (missing.length > 0) {
  console.log(
    `record integration test skipped: missing ${missing.join(", ")} (${installCommand()})`,
  );
}

Deno.test({
  name: "record: a short real forkwait recording is a valid trace with Linux-like counts",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "vmmlab-record-" });
    const out = `${dir}/fw.vmt`;
    try {
      const r = await record({ workload: "forkwait", out, iterations: 3 });
      assert.equal(r.summary.iterations, 3);
      const t = TraceReader.open(out);
      try {
        validateTrace(t);
        assert.equal(t.header.source.kind, "qemu-tcg");
        assert.match(String(t.header.guest?.kernel), /^Linux 6\./);
        assert.match(String(t.header.source.qemu), /QEMU emulator version/);
        const its = countIterations(t);
        assert.equal(its.length, 3);
        for (const it of its) {
          assert.equal(it.syscalls, 4);
          assert.equal(it.cr3Writes, 4);
          assert.ok(it.pageFaults >= 4, `page faults ${it.pageFaults}`);
          assert.ok(it.ptWrites > 20, `page-table writes ${it.ptWrites}`);
          assert.ok(it.kernelInstructions > 50_000);
        }
        // Records follow the order convention: a CR3 write is a Sensitive record with the
        // new root (inferred from the -d int log) when one was logged in time.
        const c = t.cursor();
        let markers = 0;
        let cr3Known = 0;
        while (c.next()) {
          const rec = c.record;
          if (rec.kind === RecordKind.Marker) markers++;
          if (
            rec.kind === RecordKind.Sensitive && rec.op === SensitiveOp.CrWrite && rec.reg === 3
          ) {
            if (rec.flags & 1) {
              cr3Known++;
              assert.equal(rec.value % 4096, 0, "a CR3 root without PCID is page aligned");
            }
          }
        }
        assert.equal(markers, t.summary.markers.length);
        assert.equal(t.summary.markers[0].op, MarkerOp.Begin);
        assert.ok(cr3Known > 0, "some CR3 values were recovered");
      } finally {
        t.close();
      }
      assert.ok(r.speed.recordingIps > 0);
      console.log(
        `recorded ${r.summary.instructions} instructions at ${
          (r.speed.recordingIps / 1e6).toFixed(1)
        } M/s in the window; whole run ${r.seconds.total.toFixed(1)} s`,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
