/**
 * `vmmlab record WORKLOAD --out TRACE` and `vmmlab record --out TRACE -- PROGRAM [ARGS..]`:
 * records a real Linux guest under QEMU TCG (see
 * src/record/recorder.ts), shows progress while it runs, and prints the per-iteration
 * event counts a VMM cares about when it is done.
 *
 * @module
 */

import type { Command } from "npm:@commander-js/extra-typings@15.1.0";
import Table from "npm:cli-table3@0.6.5";
import { dirname, relative } from "node:path";
import { manifestEntry, upsertManifest } from "../record/manifest.ts";
import { record, type RecordProgress, type RecordResult } from "../record/recorder.ts";
import { COUNT_NAMES, type CountName, iterationStats } from "../record/trace_counts.ts";
import { TraceReader } from "../trace/reader.ts";
import { checkOutputFile, parseIntOption, prepareOutputFile } from "./options.ts";
import { keepRunDir, makeRunDir } from "../record/cache.ts";
import { guestArch } from "../record/guest_arch.ts";
import { writeProgramRecipe } from "../record/program_recipe.ts";
import { isRecipePath, type Recipe } from "../record/recipe.ts";
import { UsageError } from "../util/errors.ts";

/** Whether a path is an existing folder. */
function existsDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
import { type Progress, progress } from "./progress.ts";

/**
 * The counts printed after a recording: every count of {@link COUNT_NAMES}, in its order,
 * but memory references and exceptions (`--json` and the manifest carry those too).
 */
const PRINTED: CountName[] = COUNT_NAMES.filter((n) => n !== "memRefs" && n !== "exceptions");

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Formats the end-of-recording report (speed, size, per-iteration counts). */
export function formatRecordReport(r: RecordResult, out: string): string {
  const s = r.summary;
  if (r.snapshot) {
    const sh = r.snapshot;
    return [
      `${out}: ${sh.pagesPerVm.length} guest snapshots, ${sh.pages} pages, ${r.traceBytes} bytes`,
      `content ${s.contentHash}`,
      `distinct contents per guest ${sh.distinctPerVm.join(", ")}; zero pages per guest ${
        sh.zeroPerVm.join(", ")
      }`,
      `over all guests ${sh.distinct} distinct contents: a content-based sharer reclaims ${
        (100 * sh.reclaimable).toFixed(1)
      }% of pages; whole run ${r.seconds.total.toFixed(1)} s`,
    ].join("\n");
  }
  const stats = iterationStats(r.conversion.perIteration);
  const table = new Table({
    head: ["per iteration", "mean", "min", "max"],
    style: { head: [], border: [] },
  });
  for (const name of PRINTED) {
    const st = stats[name];
    table.push([name, fmt(st.mean), fmt(st.min), fmt(st.max)]);
  }
  const lines = [
    `${out}: ${s.instructions} instructions, ${s.records} records, ${s.iterations} iterations, ${r.traceBytes} bytes (${
      (r.traceBytes / Math.max(1, s.instructions)).toFixed(3)
    } bytes/instruction)`,
    `content ${s.contentHash}`,
    `recording ${
      (r.speed.recordingIps / 1e6).toFixed(1)
    } M instructions/s of host time in the window (${r.speed.windowHostSeconds.toFixed(2)} s); ${
      (r.speed.endToEndIps / 1e6).toFixed(1)
    } M/s including conversion (${r.seconds.convert.toFixed(2)} s); whole run ${
      r.seconds.total.toFixed(1)
    } s`,
  ];
  const u = r.conversion.unmatched;
  if (u.deliveries + u.accesses + u.blocksWithoutDelivery + u.transmits > 0) {
    lines.push(
      `alignment: ${u.deliveries} unmatched deliveries, ${u.accesses} unmatched device accesses, ${u.blocksWithoutDelivery} entry blocks without a logged delivery, ${u.transmits} transmits without a captured frame or frames without a transmit`,
    );
  }
  lines.push(table.toString());
  return lines.join("\n");
}

/** A progress display for the recorder's phases: a bar while converting, lines otherwise. */
function recordProgress(): RecordProgress & { stop(): void } {
  const enc = new TextEncoder();
  let bar: Progress | null = null;
  return {
    phase(name: string, detail?: string) {
      bar?.stop();
      bar = null;
      Deno.stderr.writeSync(enc.encode(`record: ${name}${detail ? ` (${detail})` : ""}\n`));
    },
    converted(bytes: number, total: number) {
      const mb = Math.ceil(total / 1e6);
      bar ??= progress("record: converting", mb, "MB");
      bar.update(Math.min(mb, Math.round(bytes / 1e6)));
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers `vmmlab record`. */
export function registerRecordCommand(program: Command): void {
  program
    .command("record")
    .description(
      "record a real Linux guest under QEMU TCG running a recipe (a committed name or a recipe folder) or, after --, a program of your own",
    )
    .argument(
      "[what...]",
      "recipe name (forkwait), recipe folder (./my-recipe), or after --: PROGRAM [ARGS..] (a .c file, a static binary, or with --package a program of that Debian package)",
    )
    .requiredOption("--out <trace>", "output .vmt file (a missing folder is created)")
    .option("--iterations <n>", "recorded iterations (default: the recipe's; a program: 1 run)")
    .option(
      "--package <name>",
      "PROGRAM comes from this Debian package (NAME or NAME=VERSION), with its libraries",
    )
    .option(
      "--file <path>",
      "extra file copied into the program's guest folder (repeatable)",
      collect,
      [] as string[],
    )
    .option("--memory <mib>", "guest memory in MiB for a program (default 256)")
    .option("--timeout <seconds>", "host-time limit for a program's run (default 600)")
    .option(
      "--arch <name>",
      "guest architecture: x86_64 (Debian's amd64 kernel, 4-level paging), i386 (the 686 kernel, 2-level paging) or i386-pae (686-pae, 3 levels); default the recipe's",
    )
    .option("--keep", "keep the work folder (plugin stream, QEMU log, initramfs)")
    .option("--manifest <file>", "add or update the trace's entry in a corpus manifest")
    .option("--json", "print the result as JSON instead of a table")
    .action(async (what, opts) => {
      if (what.length === 0) {
        throw new UsageError(
          "record needs a recipe (forkwait, ./my-recipe) or -- PROGRAM [ARGS..]",
        );
      }
      const iterations = opts.iterations !== undefined
        ? parseIntOption("--iterations", opts.iterations, 1, 100000)
        : undefined;
      const isRecipe = opts.package === undefined &&
        (isRecipePath(what[0]) ? existsDir(what[0]) : !/[./]/.test(what[0]) || existsDir(what[0]));
      if (isRecipe && what.length > 1) {
        throw new UsageError(
          `record: a recipe takes no arguments (${
            what.slice(1).join(" ")
          }); a program goes after --`,
        );
      }
      if (isRecipe && (opts.file.length > 0 || opts.memory || opts.timeout)) {
        throw new UsageError("--file, --memory and --timeout apply to a program, not a recipe");
      }
      const memoryMiB = opts.memory !== undefined
        ? parseIntOption("--memory", opts.memory, 64, 16384)
        : 256;
      const timeoutSeconds = opts.timeout !== undefined
        ? parseIntOption("--timeout", opts.timeout, 10, 86400)
        : 600;
      // Everything that can fail fast fails before the guest boots.
      if (opts.arch !== undefined) guestArch(opts.arch);
      prepareOutputFile("--out", opts.out);
      if (opts.manifest !== undefined) checkOutputFile("--manifest", opts.manifest);
      let generated: string | null = null;
      let recipe: Recipe | undefined;
      if (!isRecipe) {
        generated = makeRunDir("program-");
        try {
          const made = writeProgramRecipe({
            program: what[0],
            args: what.slice(1),
            debianPackage: opts.package,
            files: opts.file,
            iterations: iterations ?? 1,
            memoryMiB,
            timeoutSeconds,
          }, generated);
          recipe = made.recipe;
          console.error(
            `record: ${recipe.name}: ${
              made.selfMarked
                ? "the program marks its own window (vmmlab_marker.h)"
                : `no markers in the program: the window is its whole run (${iterations ?? 1} run${
                  (iterations ?? 1) === 1 ? "" : "s"
                }, one iteration each)`
            }`,
          );
        } catch (e) {
          Deno.removeSync(generated, { recursive: true });
          throw e;
        }
      }
      const shown = [
        "vmmlab record",
        ...(opts.package !== undefined ? ["--package", opts.package] : []),
        ...opts.file.flatMap((f) => ["--file", f]),
        "--out",
        opts.out,
        ...(iterations !== undefined ? ["--iterations", String(iterations)] : []),
        ...(opts.arch !== undefined ? ["--arch", opts.arch] : []),
        ...(isRecipe ? [what[0]] : ["--", ...what]),
      ].join(" ");
      const p = recordProgress();
      let r: RecordResult;
      try {
        r = await record({
          workload: what[0],
          recipe,
          out: opts.out,
          iterations,
          keep: opts.keep === true,
          progress: p,
          command: shown,
          arch: opts.arch,
        });
      } finally {
        p.stop();
        if (generated !== null) {
          if (opts.keep === true) keepRunDir(generated);
          else Deno.removeSync(generated, { recursive: true });
        }
      }
      const workload = what[0];
      if (opts.keep) console.error(`record: work folder kept at ${r.workDir}`);
      if (opts.manifest) {
        const t = TraceReader.open(opts.out);
        try {
          const file = relative(dirname(opts.manifest), opts.out);
          // A program's command ends with its arguments after --: --manifest goes before.
          const command = isRecipe
            ? `deno task vmmlab record ${workload} --out ${opts.out}${
              iterations !== undefined ? ` --iterations ${iterations}` : ""
            }${opts.arch !== undefined ? ` --arch ${opts.arch}` : ""} --manifest ${opts.manifest}`
            : `deno task ${shown.replace(" --out ", ` --manifest ${opts.manifest} --out `)}`;
          upsertManifest(
            opts.manifest,
            manifestEntry(t, file, command, {
              recordingInstructionsPerSecond: Math.round(r.speed.recordingIps),
              windowHostSeconds: Math.round(r.speed.windowHostSeconds * 1000) / 1000,
              convertSeconds: Math.round(r.seconds.convert * 1000) / 1000,
              endToEndInstructionsPerSecond: Math.round(r.speed.endToEndIps),
              wholeRunSeconds: Math.round(r.seconds.total * 10) / 10,
            }),
          );
        } finally {
          t.close();
        }
      }
      if (opts.json) {
        console.log(JSON.stringify(
          {
            trace: opts.out,
            bytes: r.traceBytes,
            summary: { ...r.summary, markers: undefined },
            perIteration: iterationStats(r.conversion.perIteration),
            unmatched: r.conversion.unmatched,
            host: { seconds: r.seconds, speed: r.speed },
          },
          null,
          2,
        ));
      } else {
        console.log(formatRecordReport(r, opts.out));
      }
    });
}
