/**
 * Web Worker entry for {@link scanParallel}: opens the trace itself (workers share no
 * file handles) and scans one chunk range.
 *
 * @module
 */

import { TraceReader } from "./reader.ts";
import { scanRange } from "./scan.ts";

const self_ = globalThis as unknown as {
  onmessage: (e: MessageEvent<{ path: string; from: number; to: number }>) => void;
  postMessage: (m: unknown) => void;
};

self_.onmessage = (e) => {
  try {
    const t = TraceReader.open(e.data.path);
    try {
      self_.postMessage({ ok: scanRange(t, e.data.from, e.data.to) });
    } finally {
      t.close();
    }
  } catch (err) {
    self_.postMessage({ error: (err as Error).message });
  }
};
