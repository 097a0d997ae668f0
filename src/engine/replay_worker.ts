/**
 * A Web Worker entry that replays trace bytes: post `{ bytes, config }`, receive
 * `{ result }` or `{ error }` (the message of a user error). Experiments run replays in
 * workers through it; the determinism test checks that worker count does not change a
 * result.
 *
 * @module
 */

import { replay } from "./replay.ts";
import type { ReplayConfig } from "./config.ts";

/** A replay request. */
export interface ReplayRequest {
  /** Trace bytes (`.vmt`). */
  bytes: Uint8Array;
  /** Configuration. */
  config: ReplayConfig;
}

/** Handles one request (exported for in-process use and tests). */
export async function handleRequest(
  req: ReplayRequest,
): Promise<{ result?: unknown; error?: string }> {
  try {
    return { result: await replay(req.bytes, req.config) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((ev: MessageEvent<ReplayRequest>) => void) | null;
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as WorkerScope;
  scope.onmessage = async (ev) => {
    scope.postMessage(await handleRequest(ev.data));
  };
}
