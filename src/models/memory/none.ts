/**
 * The `none` memory model: the VM's memory is simply there — no reclamation, no sharing.
 * The native baseline always uses it.
 *
 * @module
 */

import type { MemoryModel } from "../../engine/model.ts";
import { registerModel } from "../../engine/model.ts";
import type { TraceRecord } from "../../trace/record.ts";

/** No memory resource management. */
export class NoMemory implements MemoryModel {
  /** Ignored. */
  marker(_rec: TraceRecord): void {}
  /** Ignored. */
  pageHash(_rec: TraceRecord): void {}
  /** Nothing to add. */
  finish(): void {}
}

registerModel("memory", "none", () => new NoMemory(), {
  summary: "No memory resource management: the VM's memory is all there.",
});
