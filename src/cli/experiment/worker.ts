/**
 * Replay worker: loads the engine module once, then replays each job it is sent and
 * posts the result back. Synthetic traces are generated once per worker and recipe.
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
  HostJobMessage,
  JobMessage,
  ToWorker,
} from "./protocol.ts";
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

async function runJob(job: JobMessage): Promise<Result> {
  const module = await engine!;
  let input: string | Uint8Array;
  if ("path" in job.trace) {
    input = join(root, job.trace.path);
  } else {
    if (!module.synthesize) throw new Error("Engine module cannot synthesize recipes");
    const key = canonicalJson(job.trace);
    let bytes = synthesized.get(key);
    if (!bytes) {
      bytes = await module.synthesize(job.trace.synth, job.trace.params ?? {});
      synthesized.set(key, bytes);
    }
    input = bytes;
  }
  const result = await module.replay(input, job.config);
  checkResult(result);
  // The engine saw an absolute path or bare bytes; results name the trace as declared.
  result.trace = { ...result.trace, path: traceLabel(job.trace) };
  return result;
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
  (message.type === "host" ? runHost(message) : runJob(message)).then(
    (result) => scope.postMessage({ type: "done", index: message.index, result }),
    (e) => scope.postMessage(failure(message.index, e)),
  );
};
