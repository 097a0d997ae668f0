/**
 * Writes the synthetic traces the experiments replay where the corpus has no recorded
 * trace (`deno run --allow-write experiments/synthetic/generate.ts`). The files are
 * committed; synthetic_test.ts checks that regenerating gives the same bytes.
 *
 * @module
 */

import { writeFileAtomic } from "../../src/util/atomic.ts";
import { lanceOutBytes, lanceTxBytes } from "./lance_tx.ts";
import { vmSnapshotBytes } from "./vm_snapshots.ts";

/** Iterations of the Figure 5 trace (one packet-sending OUT each). */
export const LANCE_OUT_ITERATIONS = 100;
/** Packets of the Table 3 trace. */
export const LANCE_TX_PACKETS = 1000;
/** Largest number of VMs of the Figure 4 snapshot sets. */
export const MAX_VMS = 10;

/** Every synthetic trace: repository-relative path and a generator of its bytes. */
export const SYNTHETIC_TRACES: readonly { path: string; bytes: () => Uint8Array }[] = [
  {
    path: "experiments/synthetic/sugerman-lance-out.vmt",
    bytes: () => lanceOutBytes(LANCE_OUT_ITERATIONS),
  },
  {
    path: "experiments/synthetic/sugerman-lance-tx.vmt",
    bytes: () => lanceTxBytes(LANCE_TX_PACKETS),
  },
  ...Array.from({ length: MAX_VMS }, (_, i) => ({
    path: snapshotPath(i + 1),
    bytes: () => vmSnapshotBytes(i + 1),
  })),
];

/** Path of the snapshot set of `vms` VMs. */
export function snapshotPath(vms: number): string {
  return `experiments/synthetic/waldspurger-snapshots-${String(vms).padStart(2, "0")}vm.vmt`;
}

if (import.meta.main) {
  const root = new URL("../../", import.meta.url);
  for (const t of SYNTHETIC_TRACES) {
    const bytes = t.bytes();
    await writeFileAtomic(new URL(t.path, root).pathname, bytes);
    console.log(`${t.path}: ${bytes.length} bytes`);
  }
}
