/**
 * The Worker in which a user's model files run (`vmmlab replay|compare|host --model FILE`):
 * it imports the files, replays the trace (or simulates the host) and posts back the result. The Worker is started by
 * sandbox.ts with the least permission Deno allows: reading the trace,
 * the model files, the platform file and vmmlab's own source, nothing else (no writing, no
 * network, no environment, no programs), so a model cannot read the user's files or
 * rewrite deno.lock.
 *
 * @module
 */

import { replay } from "../engine/replay.ts";
import type { ReplayConfig } from "../engine/config.ts";
import { loadModelFiles } from "../engine/user_models.ts";
import { loadHost } from "../host/description.ts";
import { simulateHost } from "../host/simulate.ts";

/** What the sandbox asks the Worker to do: one replay, or one host simulation. */
export type SandboxRequest =
  | {
    /** A replay. */
    kind: "replay";
    /** Trace path. */
    trace: string;
    /** Model files to import first. */
    models: string[];
    /** Replay configuration. */
    config: ReplayConfig;
  }
  | {
    /** A host simulation (`vmmlab host`). */
    kind: "host";
    /** Host description file. */
    host: string;
    /** Model and scheduler files to import first. */
    models: string[];
    /** Skip each VM's run alone. */
    skipAlone: boolean;
  };

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
    if (req.kind === "host") {
      return { result: simulateHost(loadHost(req.host), { skipAlone: req.skipAlone }) };
    }
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
