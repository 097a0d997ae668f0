/**
 * The generated Slurm scripts on a real Slurm: a one-node cluster on this machine
 * (munged, slurmctld and slurmd from Debian, configured in a temporary folder, all on
 * localhost), the scripts submitted unchanged for three shards, and the merged output
 * compared with a local run of the same experiment. Skipped when the Slurm binaries are
 * missing, unless VMMLAB_REQUIRE_SLURM=1 (set by .ci/run once it installed them).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../src/cli/experiment/discover.ts";
import { SilentProgress } from "../src/cli/experiment/progress.ts";
import { runExperiments } from "../src/cli/experiment/runner.ts";
import { stopChildren } from "./child_process.ts";
import { assertSameOutputs, snapshot } from "./output_snapshot.ts";

const BINARIES = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"];
const EXPERIMENTS = ["adams_fig4"];
const SHARDS = 3;
/** Upper bound on the whole array plus merge (about 30 s idle on 2 cores). */
const JOB_TIMEOUT_MS = 300_000;

function which(name: string): string | undefined {
  for (const dir of ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"]) {
    try {
      if (Deno.statSync(join(dir, name)).isFile) return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

const missing = BINARIES.filter((b) => which(b) === undefined);
const required = Deno.env.get("VMMLAB_REQUIRE_SLURM") === "1";
if (missing.length > 0) {
  const why = `Slurm test skipped: ${missing.join(", ")} not installed ` +
    "(apt-get install slurmctld slurmd munge; .ci/run does)";
  if (required) throw new Error(`VMMLAB_REQUIRE_SLURM=1 but ${why}`);
  console.error(why);
}

/** A free TCP port on localhost (the cluster must not collide with a real one). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return text;
}

async function until(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await test())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function slurmConf(dir: string, ctldPort: number, slurmdPort: number): string {
  return [
    "ClusterName=vmmlabtest",
    "SlurmctldHost=localhost",
    "SlurmUser=root",
    "SlurmdUser=root",
    "AuthType=auth/munge",
    `AuthInfo=socket=${dir}/munge/munge.socket`,
    "CredType=cred/munge",
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SchedulerType=sched/builtin",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core",
    "ReturnToService=2",
    "MpiDefault=none",
    "JobAcctGatherType=jobacct_gather/none",
    "AccountingStorageType=accounting_storage/none",
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    `NodeName=localhost CPUs=${navigator.hardwareConcurrency} RealMemory=4000 State=UNKNOWN`,
    "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
    "",
  ].join("\n");
}

Deno.test({
  name: "the generated Slurm scripts run unchanged on a one-node Slurm and merge to a local run",
  ignore: missing.length > 0,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vmmlab_slurm_" });
    const daemons: Deno.ChildProcess[] = [];
    const env: Record<string, string> = {
      SLURM_CONF: join(dir, "slurm.conf"),
      DENO: Deno.execPath(),
      NO_COLOR: "1",
    };
    const start = (cmd: string, args: string[]) => {
      const child = new Deno.Command(cmd, { args, env, stdout: "null", stderr: "null" }).spawn();
      daemons.push(child);
    };
    try {
      // munged refuses a socket folder that others cannot search.
      await Deno.chmod(dir, 0o755);
      for (const sub of ["state", "spool", "log", "munge"]) {
        await Deno.mkdir(join(dir, sub));
        await Deno.chmod(join(dir, sub), 0o755);
      }
      const key = join(dir, "munge", "munge.key");
      await Deno.writeFile(key, crypto.getRandomValues(new Uint8Array(1024)), { mode: 0o400 });
      await Deno.writeTextFile(env.SLURM_CONF, slurmConf(dir, freePort(), freePort()));
      start("munged", [
        "--foreground",
        `--socket=${dir}/munge/munge.socket`,
        `--key-file=${key}`,
        `--pid-file=${dir}/munge/munged.pid`,
        `--log-file=${dir}/munge/munged.log`,
        `--seed-file=${dir}/munge/seed`,
      ]);
      await until("munged", 20_000, async () => {
        try {
          return (await Deno.stat(join(dir, "munge", "munge.socket"))).isSocket ?? true;
        } catch {
          return false;
        }
      });
      start("slurmctld", ["-D", "-c", "-i"]);
      start("slurmd", ["-D", "-N", "localhost"]);
      await until("an idle node", 60_000, async () => {
        try {
          return (await run("sinfo", ["-h", "-o", "%t"], env)).trim() === "idle";
        } catch {
          return false;
        }
      });

      const out = join(dir, "out");
      const generated = await run(Deno.execPath(), [
        "run",
        "--no-prompt",
        "-A",
        join(REPO_ROOT, "src/cli/main.ts"),
        "experiment",
        ...EXPERIMENTS,
        "--slurm-script",
        "--shards",
        String(SHARDS),
        "--slurm-cpus",
        "1",
        "--slurm-mem",
        "1000M",
        "--out",
        out,
      ], env);
      assert.equal(generated.trim(), `bash ${join(out, "slurm", "submit.sh")}`);
      const submitted = await run("bash", [join(out, "slurm", "submit.sh")], env);
      const ids = /array job (\d+) \(3 shards\), merge job (\d+)/.exec(submitted);
      assert.ok(ids, `submit.sh printed: ${submitted}`);

      await until("the array and the merge job", JOB_TIMEOUT_MS, async () => {
        const queued = await run("squeue", ["-h", "-o", "%i"], env);
        return queued.trim() === "";
      });
      for (const id of [ids[1], ids[2]]) {
        const state = await run("scontrol", ["show", "job", id], env);
        const states = [...state.matchAll(/JobState=(\S+)/g)].map((m) => m[1]);
        assert.ok(
          states.length > 0 && states.every((s) => s === "COMPLETED"),
          `job ${id}: ${states.join(",")}; logs in ${out}/slurm/logs`,
        );
      }
      for (let k = 0; k < SHARDS; k++) {
        const manifest = JSON.parse(
          await Deno.readTextFile(join(out, `shard-${k}`, "manifest.json")),
        );
        assert.equal(manifest.shard, `${k + 1}/${SHARDS}`);
      }

      const local = join(dir, "local");
      await runExperiments({
        names: EXPERIMENTS,
        out: local,
        workers: 2,
        progress: new SilentProgress(),
      });
      assertSameOutputs(await snapshot(local), await snapshot(join(out, "merged")), "slurm");

      // The same for a sweep: two shards of a two-trace, two-value study.
      const sweepArgs = [
        "sweep",
        join(REPO_ROOT, "traces/lmbench-null-call.vmt"),
        join(REPO_ROOT, "traces/lmbench-stat.vmt"),
        "--vary",
        "platform.hw.vm-exit=500,1000",
      ];
      const cli = [Deno.execPath(), "run", "--no-prompt", "-A", join(REPO_ROOT, "src/cli/main.ts")];
      const sweepOut = join(dir, "sweep");
      const sweepSubmit = await run(cli[0], [
        ...cli.slice(1),
        ...sweepArgs,
        "--slurm-script",
        "--shards",
        "2",
        "--slurm-cpus",
        "1",
        "--slurm-mem",
        "1000M",
        "--out",
        sweepOut,
      ], env);
      const sweepIds = /array job (\d+) \(2 shards\), merge job (\d+)/.exec(
        await run("bash", [sweepSubmit.trim().split(" ")[1]], env),
      );
      assert.ok(sweepIds);
      await until("the sweep's array and merge", JOB_TIMEOUT_MS, async () => {
        return (await run("squeue", ["-h", "-o", "%i"], env)).trim() === "";
      });
      const sweepLocal = join(dir, "sweep-local");
      await run(cli[0], [...cli.slice(1), ...sweepArgs, "--out", sweepLocal, "--quiet"], env);
      for (const file of ["sweep.csv", "sweep.json", "sweep.vl.json"]) {
        assert.equal(
          await Deno.readTextFile(join(sweepOut, "merged", file)),
          await Deno.readTextFile(join(sweepLocal, file)),
          `sweep ${file}`,
        );
      }
    } finally {
      try {
        await run("scancel", ["--user=root"], env);
      } catch {
        // the controller may already be gone
      }
      await stopChildren(daemons.reverse());
      await Deno.remove(dir, { recursive: true });
    }
  },
});
