/**
 * The committed trace corpus: every trace traces/MANIFEST.json lists validates end to end
 * (every chunk decompressed, checksummed and decoded, summary and content hash recomputed)
 * and matches its entry, including the per-iteration event counts, which are recomputed
 * from the records here. The manifest, not the folder, defines the corpus: a user's own
 * trace or recipe beside the committed ones is not checked (and cannot break the tests).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceReader } from "../src/trace/reader.ts";
import { validateTrace } from "../src/trace/validate.ts";
import { readManifest } from "../src/record/manifest.ts";
import { loadRecipe } from "../src/record/recipe.ts";
import {
  countIterations,
  type CountName,
  summarizeIterations,
} from "../src/record/trace_counts.ts";
import {
  FLAG_WRITE,
  KIND_NAMES,
  MarkerOp,
  NetOp,
  RecordKind,
  SensitiveOp,
} from "../src/trace/record.ts";

const traces = fileURLToPath(new URL("../traces/", import.meta.url));
const manifest = readManifest(join(traces, "MANIFEST.json"));

Deno.test("corpus: every manifest entry has its trace file and its committed recipe", () => {
  assert.ok(manifest.traces.length > 0, "traces/MANIFEST.json lists no trace");
  for (const t of manifest.traces) {
    assert.ok(Deno.statSync(join(traces, t.file)).isFile, `${t.file} exists`);
    assert.equal(t.recipe, `traces/recipes/${t.workload}`);
    assert.equal(loadRecipe(t.workload).name, t.workload);
  }
  const files = manifest.traces.map((t) => t.file);
  assert.equal(new Set(files).size, files.length, "no trace is listed twice");
});

for (const entry of manifest.traces) {
  Deno.test(`corpus: ${entry.file} validates and matches the manifest`, () => {
    const path = join(traces, entry.file);
    const t = TraceReader.open(path);
    try {
      const report = validateTrace(t);
      assert.equal(report.contentHash, entry.contentHash);
      assert.equal(t.size, entry.bytes);
      assert.equal(Deno.statSync(path).size, entry.bytes);
      assert.equal(t.summary.instructions, entry.instructions);
      assert.equal(t.summary.records, entry.records);
      assert.equal(report.records, entry.records);
      assert.equal(t.summary.iterations, entry.iterations);
      assert.equal(t.header.workload, entry.workload);
      assert.equal(t.header.source.kind, "qemu-tcg");
      // Issues 13 and 14: each committed trace at most about 30 MB (the corpus under 150 MB;
      // window sampling keeps server workloads under it).
      assert.ok(entry.bytes <= 30 * 1024 * 1024, `${entry.file} is larger than 30 MB`);
      const vms = Number(t.header.source.vms ?? 0);
      if (vms > 0) {
        // A snapshot set: Begin, then per guest a Snapshot marker and its page hashes, End.
        const ops = t.summary.markers.map((m) => m.op);
        assert.deepEqual(ops, [1, ...Array(vms).fill(7), 2]);
        assert.deepEqual(t.summary.markers.slice(1, -1).map((m) => m.value), [
          ...Array(vms).keys(),
        ]);
        const pages = (Number(t.header.guest?.memoryMiB) * 1024 * 1024) / 4096;
        assert.equal(t.summary.kinds[KIND_NAMES[RecordKind.PageHash]], vms * pages);
        assert.equal(entry.iterations, 0);
        return;
      }
      // Recorded windows are bounded by Begin/End markers with iterations between; a
      // page-access summary adds content snapshots before and after the window.
      const ops = t.summary.markers.map((m) => m.op).filter((op) => op !== MarkerOp.Snapshot);
      assert.equal(ops[0], 1, "first marker is Begin");
      assert.equal(ops[ops.length - 1], 2, "last marker is End");
      const its = countIterations(t);
      assert.equal(its.length, entry.iterations);
      assert.deepEqual(summarizeIterations(its), entry.perIteration);
      // Every recorded iteration ran kernel code and the counts add up.
      for (const it of its) {
        assert.ok(it.kernelInstructions > 0);
        assert.equal(it.kernelInstructions + it.userInstructions, it.instructions);
      }
      assert.ok(t.summary.kinds[KIND_NAMES[RecordKind.Exec]] > 0);
    } finally {
      t.close();
    }
  });
}

for (const workload of ["net-tcp-tx-1500", "net-tcp-rx-1500", "net-tcp-tx-500", "net-tcp-rx-500"]) {
  Deno.test(`corpus: ${workload}'s frames are followed by the DMA of their buffers`, () => {
    const entry = manifest.traces.find((t) => t.workload === workload);
    assert.ok(entry, `${workload} is in the corpus`);
    const t = TraceReader.open(join(traces, entry.file));
    try {
      const ram = Number(t.header.guest?.memoryMiB) * 1024 * 1024;
      const mtu = Number(workload.split("-")[3]);
      const c = t.cursor();
      const r = c.record;
      let owed = 0; // bytes of the last request its DMA has not yet covered
      let op = 0;
      const frames = [0, 0, 0];
      while (c.next()) {
        if (r.kind === RecordKind.NetRequest) {
          assert.equal(owed, 0, "a frame's DMA ends before the next frame");
          // A frame is at most the MTU plus the 14-byte Ethernet header (no FCS in memory).
          assert.ok(r.length > 0 && r.length <= mtu + 14, `frame of ${r.length} bytes`);
          owed = r.length;
          op = r.op;
          frames[op]++;
        } else if (r.kind === RecordKind.Dma) {
          assert.ok(owed >= r.length && r.length > 0, "DMA only inside a frame");
          assert.ok(r.paddr > 0 && r.paddr + r.length <= ram, `buffer at ${r.paddr}`);
          assert.equal((r.flags & FLAG_WRITE) !== 0, op === NetOp.Receive);
          owed -= r.length;
        }
      }
      assert.equal(owed, 0);
      // Data one way, acknowledgements the other: both directions have frames.
      assert.ok(frames[NetOp.Transmit] > 0 && frames[NetOp.Receive] > 0);
    } finally {
      t.close();
    }
  });
}

Deno.test("corpus: the committed traces stay under issue 14's 150 MB in all", () => {
  const total = manifest.traces.reduce((a, t) => a + t.bytes, 0);
  assert.ok(total < 150 * 1024 * 1024, `the corpus is ${(total / 2 ** 20).toFixed(1)} MiB`);
});

Deno.test("corpus: forkwait looks like Linux 6.1 fork/exit/wait", () => {
  const fw = manifest.traces.find((t) => t.workload === "forkwait");
  assert.ok(fw, "forkwait is in the corpus");
  const p = fw.perIteration;
  // fork, exit, wait4 (+ the child's return path): 4 system calls, as the recording notes found.
  assert.equal(p.syscalls.min, 4);
  assert.equal(p.syscalls.max, 4);
  // One address-space switch into the child and back each side: 4 CR3 writes without PTI.
  assert.equal(p.cr3Writes.mean, 4);
  assert.ok(p.pageFaults.mean >= 4 && p.pageFaults.mean <= 16, `page faults ${p.pageFaults.mean}`);
  assert.ok(
    p.ptWrites.mean >= 50 && p.ptWrites.mean <= 400,
    `page-table writes ${p.ptWrites.mean}`,
  );
  assert.ok(p.kernelInstructions.mean > 50_000 && p.kernelInstructions.mean < 400_000);
  assert.ok(p.userInstructions.mean < 1000);
  assert.ok(p.cli.mean > 20 && p.sti.mean > 20);
  assert.ok(p.invlpg.mean >= 1);
});

/** Per-iteration counts every recording of these workloads must show (min and max). */
const EXACT: Record<string, Partial<Record<CountName, number>>> = {
  "lmbench-null-call": { syscalls: 1, pageFaults: 0 },
  "lmbench-null-io": { syscalls: 2, pageFaults: 0 },
  "lmbench-stat": { syscalls: 1 },
  "lmbench-open-close": { syscalls: 2 },
  "lmbench-delete-0k": { syscalls: 1 },
  "lmbench-create-0k": { syscalls: 2 },
  "lmbench-create-10k": { syscalls: 3 },
  // One real fault per read: the 256 KB stride keeps fault-around from mapping it ahead.
  "lmbench-page-fault": { syscalls: 0, pageFaults: 1 },
  // mprotect, the fault, the handler's mprotect, rt_sigreturn.
  "lmbench-prot-fault": { syscalls: 3, pageFaults: 1 },
  // One hop of the token is one switch of address space.
  "lmbench-ctx-2p-0k": { cr3Writes: 1 },
  "lmbench-ctx-8p-0k": { cr3Writes: 1 },
  "lmbench-ctx-16p-0k": { cr3Writes: 1 },
  // issue 13: sigaction; kill and rt_sigreturn around the handler; one select each.
  "lmbench-sig-inst": { syscalls: 1, pageFaults: 0 },
  "lmbench-sig-hndl": { syscalls: 2, pageFaults: 0, iret: 1 },
  "lmbench-select-10-tcp": { syscalls: 1, pageFaults: 0 },
  "lmbench-select-100-tcp": { syscalls: 1, pageFaults: 0 },
  // The same operations on the 32-bit guest (Debian 12's i386 686 kernel, issue 13): the same
  // system calls and faults; prot fault's two mprotects each clear the entry and set it again.
  "lmbench-null-io-i386": { syscalls: 2, pageFaults: 0 },
  "lmbench-stat-i386": { syscalls: 1 },
  "lmbench-open-close-i386": { syscalls: 2 },
  "lmbench-select-10-tcp-i386": { syscalls: 1, pageFaults: 0 },
  "lmbench-select-100-tcp-i386": { syscalls: 1, pageFaults: 0 },
  "lmbench-sig-inst-i386": { syscalls: 1, pageFaults: 0 },
  "lmbench-sig-hndl-i386": { syscalls: 2, pageFaults: 0 },
  "lmbench-create-0k-i386": { syscalls: 2 },
  "lmbench-delete-0k-i386": { syscalls: 1 },
  "lmbench-create-10k-i386": { syscalls: 3 },
  "lmbench-prot-fault-i386": { syscalls: 3, pageFaults: 1, ptWrites: 4 },
  "lmbench-ctx-2p-16k-i386": { cr3Writes: 1 },
  "lmbench-ctx-2p-64k-i386": { cr3Writes: 1 },
  "lmbench-ctx-8p-16k-i386": { cr3Writes: 1 },
  "lmbench-ctx-8p-64k-i386": { cr3Writes: 1 },
  "lmbench-ctx-16p-16k-i386": { cr3Writes: 1 },
  "lmbench-ctx-16p-64k-i386": { cr3Writes: 1 },
  // fork, exit, wait4 and the child's return, one address-space switch each way, like the
  // static forkwait; the dynamic parent's extra mappings show as page faults (relocated data
  // written again after each fork) and page-table writes.
  "forkwait-dyn": { syscalls: 4, cr3Writes: 4 },
  "forkwait-2006": { syscalls: 4, cr3Writes: 4 },
  "forkwait-2006-i386": { syscalls: 4, cr3Writes: 4 },
  // Each idle iteration is one nanosleep returning: one system call, no address-space
  // switch (the idle task borrows the sleeper's page tables).
  "idle-hz250": { syscalls: 1, pageFaults: 0, cr3Writes: 0 },
  "idle-tickless": { syscalls: 1, pageFaults: 0, cr3Writes: 0 },
  // Each iteration writes one block and reads it back through the IDE controller.
  "disk-dd": { blockRequests: 2, syscalls: 2 },
  // Each iteration sends one datagram (sendto) and sleeps: one transmit start to the NIC.
  "net-udp-tx": { netRequests: 1, syscalls: 2 },
  // ttcp transmit: each iteration is one write() of the 8192-byte buffer.
  "net-tcp-tx-1500": { syscalls: 1 },
  "net-tcp-tx-500": { syscalls: 1 },
};

for (const [workload, exact] of Object.entries(EXACT)) {
  Deno.test(`corpus: ${workload} has the per-iteration counts of its operation`, () => {
    const e = manifest.traces.find((t) => t.workload === workload);
    assert.ok(e, `${workload} is in the corpus`);
    for (const [name, v] of Object.entries(exact)) {
      const st: { min: number; max: number } = e.perIteration[name as CountName];
      assert.deepEqual([st.min, st.max], [v, v], `${workload} ${name}`);
    }
  });
}

/** Ranges of mean per-iteration counts for the workloads driven by real Debian programs. */
const RANGES: Record<string, Partial<Record<CountName, [number, number]>>> = {
  // gzip -9 of 24 KiB: mostly user-mode compression, plus starting gzip (fork, exec, ld.so).
  "compute-gzip": { userInstructions: [2e6, 2e7], syscalls: [20, 300], cr3Writes: [2, 12] },
  // One tcc run under make: compiling is user work, exec and file I/O kernel work.
  "kernel-compile": { userInstructions: [1e6, 5e7], syscalls: [100, 5000], pageFaults: [50, 5000] },
  // One gcc, ar or ld run under make: cc1's compiling dominates (user work), the three
  // processes of a compile (driver, cc1, as) and the link start, map and exit in the kernel.
  "kernel-compile-gcc": {
    userInstructions: [5e6, 3e8],
    syscalls: [50, 5000],
    pageFaults: [100, 2e4],
  },
  // A 2 ms slice of dbench on tmpfs: hundreds of file system calls, no idle.
  dbench: { syscalls: [50, 2000], instructions: [1.5e6, 2.5e6] },
  // A 2 ms slice of ab fetching from lighttpd over loopback: both processes take turns.
  "web-lighttpd": { syscalls: [50, 2000], cr3Writes: [10, 500], instructions: [1.5e6, 2.5e6] },

  // The 2006 parent's 351 extra resident pages: each fork copies their entries and each exit
  // clears them, so it writes page tables several times as often as the dynamic one.
  "forkwait-dyn": { ptWrites: [150, 500] },
  "forkwait-2006": { ptWrites: [800, 1500] },
  // On the 32-bit 686 kernel a page-table entry is one 32-bit store, as on x86-64.
  "forkwait-2006-i386": { ptWrites: [800, 1500] },
  // 100 ms of a periodic 250 Hz tick: 25 timer interrupts and the sleeper's wake-up.
  "idle-hz250": { interrupts: [24, 28], kernelInstructions: [1e4, 5e5] },
  // The tick stops while idle: a handful of interrupts per 100 ms.
  "idle-tickless": { interrupts: [1, 10], kernelInstructions: [1e3, 2e5] },
  // Polling 100 sockets costs several times polling 10.
  "lmbench-select-100-tcp": { kernelInstructions: [1e4, 1e5] },
  "lmbench-select-10-tcp": { kernelInstructions: [1e3, 1e4] },
  "lmbench-select-100-tcp-i386": { kernelInstructions: [1e4, 1e5] },
  "lmbench-select-10-tcp-i386": { kernelInstructions: [1e3, 1e4] },
  // 8192 bytes per iteration are at least 8192/1448 = 5.66 full segments at MTU 1500 and
  // 8192/448 = 18.3 at MTU 500 (each a frame), and at most one acknowledgement per segment.
  "net-tcp-tx-1500": { netRequests: [5.66, 11.4] },
  "net-tcp-rx-1500": { netRequests: [5.66, 11.4] },
  "net-tcp-tx-500": { netRequests: [18.3, 36.6] },
  "net-tcp-rx-500": { netRequests: [18.3, 36.6] },
};

for (const [workload, ranges] of Object.entries(RANGES)) {
  Deno.test(`corpus: ${workload} has plausible per-iteration counts`, () => {
    const e = manifest.traces.find((t) => t.workload === workload);
    assert.ok(e, `${workload} is in the corpus`);
    for (const [name, [lo, hi]] of Object.entries(ranges)) {
      const mean: number = e.perIteration[name as CountName].mean;
      assert.ok(mean >= lo && mean <= hi, `${workload} ${name} mean ${mean} not in [${lo}, ${hi}]`);
    }
  });
}

Deno.test("corpus: the idle guests halt, the periodic tick far more often than the tickless one", () => {
  const halts = (workload: string): number => {
    const e = manifest.traces.find((t) => t.workload === workload);
    assert.ok(e, `${workload} is in the corpus`);
    const t = TraceReader.open(join(traces, e.file));
    try {
      let n = 0;
      const c = t.cursor();
      while (c.next()) {
        const r = c.record;
        if (r.kind === RecordKind.Sensitive && r.op === SensitiveOp.Hlt) n++;
      }
      return n / e.iterations;
    } finally {
      t.close();
    }
  };
  const periodic = halts("idle-hz250");
  const tickless = halts("idle-tickless");
  // Every tick ends in the idle loop's HLT again.
  assert.ok(periodic >= 20 && periodic <= 30, `idle-hz250: ${periodic} HLT per iteration`);
  assert.ok(
    tickless >= 1 && tickless * 3 < periodic,
    `idle-tickless: ${tickless} HLT per iteration`,
  );
});

Deno.test("corpus: the whole corpus stays under 150 MB", () => {
  const total = manifest.traces.reduce((sum, t) => sum + t.bytes, 0);
  assert.ok(total <= 150 * 1024 * 1024, `the corpus is ${(total / 2 ** 20).toFixed(1)} MB`);
});

Deno.test("corpus: the snapshot set holds identical guests whose pages a sharer could merge", () => {
  const e = manifest.traces.find((t) => t.workload === "multivm-snapshot");
  assert.ok(e, "multivm-snapshot is in the corpus");
  const t = TraceReader.open(join(traces, e.file));
  try {
    const vms = Number(t.header.source.vms);
    assert.ok(vms >= 2);
    const c = t.cursor();
    const perVm = Array.from({ length: vms }, () => new Set<string>());
    while (c.next()) {
      const r = c.record;
      if (r.kind === RecordKind.PageHash) perVm[r.device].add(`${r.paddr}:${r.hashHi}:${r.hashLo}`);
    }
    // Identical guests booted the same way: most pages hold the same content at the same
    // address in every guest.
    const common = [...perVm[0]].filter((k) => perVm.every((s) => s.has(k))).length;
    assert.ok(common / perVm[0].size > 0.5, `only ${common} of ${perVm[0].size} pages in common`);
  } finally {
    t.close();
  }
});
