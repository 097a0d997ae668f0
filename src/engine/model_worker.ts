/**
 * The Worker in which a user's model files run (`vmmlab replay --model FILE`): it imports
 * the files, replays the trace and posts back the result. The Worker is started by
 * sandbox.ts with the least permission Deno allows: reading the trace,
 * the model files, the platform file and vmmlab's own source, nothing else (no writing, no
 * network, no environment, no programs), so a model cannot read the user's files or
 * rewrite deno.lock.
 *
 * @module
 */

import { replay } from "./replay.ts";
import type { ReplayConfig } from "./config.ts";
import { loadModelFiles } from "./user_models.ts";

/** What the sandbox asks the Worker to do. */
export interface SandboxRequest {
  /** Trace path. */
  trace: string;
  /** Model files to import first. */
  models: string[];
  /** Replay configuration. */
  config: ReplayConfig;
}

/** What the Worker answers: a result, or an error with its class and exit status. */
export interface SandboxAnswer {
  /** The result, on success. */
  result?: unknown;
  /** The error's message, on failure. */
  error?: string;
  /** The error's class name (ConfigError, InputError, ...). */
  name?: string;
  /** The exit status a user error carries; absent for a bug. */
  exitCode?: number;
  /** The stack of a bug. */
  stack?: string;
}

/** Handles one request (exported for tests). */
export async function handleSandboxRequest(req: SandboxRequest): Promise<SandboxAnswer> {
  try {
    await loadModelFiles(req.models);
    return { result: await replay(req.trace, req.config) };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const exitCode = (error as { exitCode?: unknown }).exitCode;
    // A model touching what it may not is the model's fault, not vmmlab's: exit 2.
    const denied = error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied;
    return {
      error: denied
        ? `--model: a model reached outside its sandbox: ${error.message}`
        : error.message,
      name: error.name,
      ...(typeof exitCode === "number"
        ? { exitCode }
        : denied
        ? { exitCode: 2 }
        : { stack: error.stack }),
    };
  }
}

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent<SandboxRequest>) => void) | null;
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (ev) => {
    scope.postMessage(await handleSandboxRequest(ev.data));
  };
}
