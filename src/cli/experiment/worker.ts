/**
 * Replay worker: loads the engine module once, then replays each job (or unit of jobs of
 * one trace, units.ts) it is sent and posts each result back. A unit goes through the
 * engine's `replayGroup` when it has one, else job by job. Synthetic traces are generated
 * once per worker and recipe.
 *
 * @module
 */

import { join } from "node:path";
import { type Result, RESULT_SCHEMA } from "../../engine/result.ts";
import { type EngineModule, loadEngine } from "./engine.ts";
import { traceLabel } from "./jobs.ts";
import type { HostResult } from "../../host/result.ts";
import type {
  FailedMessage,
  FromWorker,
  GroupMessage,
  HostJobMessage,
  JobMessage,
  ToWorker,
} from "./protocol.ts";
import type { TraceSource } from "../../../experiments/_lib/experiment.ts";
import { canonicalJson } from "./canonical.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}

const scope = globalThis as unknown as WorkerScope;
let engine: Promise<EngineModule> | undefined;
let root = "";
const synthesized = new Map<string, Uint8Array>();

function failure(index: number, error: unknown): FailedMessage {
  if (error instanceof Error) {
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    return {
      type: "failed",
      index,
      message: error.message,
      name: error.name,
      ...(typeof exitCode === "number" ? { exitCode } : { stack: error.stack }),
    };
  }
  return { type: "failed", index, message: String(error), name: "Error" };
}

function checkResult(result: unknown): asserts result is Result {
  const r = result as Partial<Result> | null;
  if (
    r === null || typeof r !== "object" || r.schema !== RESULT_SCHEMA ||
    typeof r.cycles?.native !== "number" || typeof r.cycles?.virtualized !== "number" ||
    typeof r.trace !== "object" || typeof r.config !== "object"
  ) {
    throw new Error(`Engine returned something other than a ${RESULT_SCHEMA} result`);
  }
}

/** The engine's input for a trace source: an absolute path, or a recipe's bytes. */
async function traceInput(module: EngineModule, trace: TraceSource): Promise<string | Uint8Array> {
  if ("path" in trace) return join(root, trace.path);
  if (!module.synthesize) throw new Error("Engine module cannot synthesize recipes");
  const key = canonicalJson(trace);
  let bytes = synthesized.get(key);
  if (!bytes) {
    bytes = await module.synthesize(trace.synth, trace.params ?? {});
    synthesized.set(key, bytes);
  }
  return bytes;
}

/** Checks an engine's result and names its trace as declared. */
function labelled(result: unknown, trace: TraceSource): Result {
  checkResult(result);
  // The engine saw an absolute path or bare bytes; results name the trace as declared.
  result.trace = { ...result.trace, path: traceLabel(trace) };
  return result;
}

async function runJob(job: JobMessage): Promise<Result> {
  const module = await engine!;
  const input = await traceInput(module, job.trace);
  return labelled(await module.replay(input, job.config), job.trace);
}

/**
 * Replays a unit and posts each job's result. A failed group replay is redone job by job,
 * so that the failure is reported for the job that causes it, as without units.
 */
async function runGroup(group: GroupMessage): Promise<void> {
  const module = await engine!;
  const input = await traceInput(module, group.trace);
  if (module.replayGroup) {
    let results: Result[] | null = null;
    try {
      const raw = await module.replayGroup(input, group.configs);
      if (!Array.isArray(raw) || raw.length !== group.configs.length) {
        throw new Error(
          "Engine's replayGroup returned a result count other than its configurations'",
        );
      }
      results = raw.map((r) => labelled(r, group.trace));
    } catch {
      results = null;
    }
    if (results !== null) {
      for (let i = 0; i < results.length; i++) {
        scope.postMessage({ type: "done", index: group.indices[i], result: results[i] });
      }
      return;
    }
  }
  for (let i = 0; i < group.configs.length; i++) {
    const index = group.indices[i];
    try {
      const result = labelled(await module.replay(input, group.configs[i]), group.trace);
      scope.postMessage({ type: "done", index, result });
    } catch (e) {
      scope.postMessage(failure(index, e));
      return;
    }
  }
}

async function runHost(job: HostJobMessage): Promise<HostResult> {
  const module = await engine!;
  if (!module.simulateHost) throw new Error("Engine module cannot simulate hosts");
  return await module.simulateHost(job.host, root);
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    root = message.root;
    engine = loadEngine(message.engine);
    engine.then(
      () => scope.postMessage({ type: "ready" }),
      (e) => scope.postMessage(failure(-1, e)),
    );
    return;
  }
  if (message.type === "group") {
    runGroup(message).catch((e) => scope.postMessage(failure(message.indices[0], e)));
    return;
  }
  (message.type === "host" ? runHost(message) : runJob(message)).then(
    (result) => scope.postMessage({ type: "done", index: message.index, result }),
    (e) => scope.postMessage(failure(message.index, e)),
  );
};
