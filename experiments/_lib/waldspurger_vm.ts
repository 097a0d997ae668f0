/**
 * The trace that plays Waldspurger's (OSDI 2002) memory-hungry dbench VM, shared by the
 * ballooning (Figure 2) and idle-memory-tax (Figure 7) experiments.
 *
 * @module
 */
import { corpusTraces } from "./corpus.ts";
import { InputError } from "../../src/util/errors.ts";

/**
 * Workloads that can play the paper's dbench VM, in order of preference: dbench itself,
 * then real traces of file-system work (lmbench file creation, forkwait).
 */
export const ACTIVE_WORKLOADS: readonly string[] = [
  "dbench",
  "lmbench-create-10k",
  "lmbench-create-0k",
  "forkwait",
];

/** The corpus trace that plays the memory-hungry VM: path and workload. */
export async function activeTrace(root: string): Promise<{ path: string; workload: string }> {
  const corpus = await corpusTraces(root);
  for (const workload of ACTIVE_WORKLOADS) {
    const t = corpus.find((c) => c.workload === workload);
    if (t !== undefined) return { path: t.path, workload };
  }
  throw new InputError(
    `traces/MANIFEST.json has none of the workloads ${ACTIVE_WORKLOADS.join(", ")}`,
  );
}
