/**
 * Replaying with a user's model files in a Worker that may read only the trace, the model
 * files, a platform file and vmmlab's source (model_worker.ts), instead of importing
 * them into the CLI, which may read and write anything the user can. Deno's Worker
 * permissions need `"unstable": ["worker-options"]` in deno.json; the CLI's tasks also run
 * with `--frozen`, so no import, a model's included, can rewrite deno.lock.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReplayConfig } from "../engine/config.ts";
import type { Result } from "../engine/result.ts";
import type { HostResult } from "../host/result.ts";
import type { SandboxAnswer, SandboxRequest } from "./model_worker.ts";
import { ConfigError, InputError } from "../util/errors.ts";

const WORKER_URL = new URL("./model_worker.ts", import.meta.url).href;

/** vmmlab's source folder and mod.ts: what a model file imports registerModel from. */
const SOURCE = [
  fileURLToPath(new URL("../", import.meta.url)),
  fileURLToPath(new URL("../../mod.ts", import.meta.url)),
];

const absolute = (p: string) => isAbsolute(p) ? p : resolve(Deno.cwd(), p);

/** The paths the sandbox may read: trace, model files, a platform file, vmmlab's source. */
export function sandboxReads(trace: string, models: readonly string[], config: ReplayConfig) {
  const reads = [absolute(trace), ...models.map(absolute), ...SOURCE];
  const platform = config.platform;
  if (typeof platform === "string" && (platform.endsWith(".json") || platform.includes("/"))) {
    reads.push(absolute(platform));
  }
  return reads;
}

/** An error of the Worker as the CLI's error classes (its exit status kept). */
function toError(answer: SandboxAnswer): Error {
  const message = answer.error ?? "the model worker failed";
  if (answer.exitCode === undefined) {
    const bug = new Error(message);
    if (answer.stack) bug.stack = answer.stack;
    return bug;
  }
  const e = new InputError(message);
  if (answer.exitCode !== e.exitCode) {
    Object.defineProperty(e, "exitCode", { value: answer.exitCode });
  }
  return e;
}

/** Runs `request` in a Worker that may read only `reads`; resolves with its result. */
function inSandbox(request: SandboxRequest, reads: string[]): Promise<unknown> {
  for (const m of request.models) {
    try {
      Deno.statSync(m);
    } catch {
      throw new ConfigError("--model", `model file ${m} does not exist`);
    }
  }
  const worker = new Worker(WORKER_URL, {
    type: "module",
    deno: {
      permissions: {
        read: reads,
        write: false,
        net: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  } as WorkerOptions);
  return new Promise((resolvePromise, reject) => {
    worker.onmessage = (ev: MessageEvent<SandboxAnswer>) => {
      worker.terminate();
      if (ev.data.result !== undefined) resolvePromise(ev.data.result);
      else reject(toError(ev.data));
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      worker.terminate();
      reject(new ConfigError("--model", `the model worker stopped: ${ev.message}`));
    };
    worker.postMessage(request);
  });
}

/**
 * Replays `trace` under `config` with the model files `models` loaded, inside a
 * permission-limited Worker. A model that reaches for anything else (a file, the network,
 * the environment, a program) fails with one line naming what it asked for.
 */
export async function replayWithModels(
  trace: string,
  models: readonly string[],
  config: ReplayConfig,
): Promise<Result> {
  const request: SandboxRequest = {
    kind: "replay",
    trace,
    models: models.map(absolute),
    config,
  };
  return await inSandbox(request, sandboxReads(trace, models, config)) as Result;
}

/** The trace and platform paths a host file names (read permissions for its simulation). */
function hostReads(host: string): string[] {
  const reads = [absolute(host)];
  let data: unknown;
  try {
    // loadHost in the Worker reports a bad file; this only widens what it may read.
    if (Deno.statSync(host).size > 1 << 20) return reads;
    data = JSON.parse(Deno.readTextFileSync(host));
  } catch {
    return reads;
  }
  const base = dirname(absolute(host));
  const at = (p: unknown) => typeof p === "string" ? [isAbsolute(p) ? p : resolve(base, p)] : [];
  const d = data as { platform?: unknown; vms?: unknown };
  if (
    typeof d.platform === "string" && (d.platform.endsWith(".json") || d.platform.includes("/"))
  ) {
    reads.push(...at(d.platform));
  }
  if (Array.isArray(d.vms)) {
    for (const vm of d.vms.slice(0, 1024)) reads.push(...at((vm as { trace?: unknown })?.trace));
  }
  return reads;
}

/**
 * Simulates the host described in `host` with the model and scheduler files `models`
 * loaded, inside a Worker that may read the host file, its traces and platform file, the
 * model files and vmmlab's source.
 */
export async function simulateHostWithModels(
  host: string,
  models: readonly string[],
  skipAlone: boolean,
): Promise<HostResult> {
  const request: SandboxRequest = {
    kind: "host",
    host: absolute(host),
    models: models.map(absolute),
    skipAlone,
  };
  const reads = [...hostReads(host), ...request.models, ...SOURCE];
  return await inSandbox(request, reads) as HostResult;
}
