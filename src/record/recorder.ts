/**
 * `vmmlab record`: boots a real Debian Linux kernel under QEMU TCG with the project's
 * plugin, runs one workload recipe in the guest, and converts the recorded window into a
 * `.vmt` trace whose header says exactly how it was made.
 *
 * @module
 */

import { join } from "node:path";
import { TraceWriter } from "../trace/writer.ts";
import { I386_KERNEL_BASE, type TraceHeaderInit, type TraceSummary } from "../trace/header.ts";
import { InputError } from "../util/errors.ts";
import { buildPlugin } from "./build_c.ts";
import { cacheDir, exists, keepRunDir, makeRunDir } from "./cache.ts";
import { type ConversionResult, StreamConverter } from "./convert.ts";
import { COUNT_NAMES, countsRecord } from "./trace_counts.ts";
import {
  checkPinnedAvailable,
  type GuestKernel,
  guestKernel,
  kernelModules,
} from "./debian_packages.ts";
import { loadVersionLock, LOCK_FILE } from "./versions.ts";
import { requireHostTools, run } from "./host_tools.ts";
import { buildInitramfs, type InitramfsInfo } from "./initramfs.ts";
import { KernelSymbols } from "./kallsyms.ts";
import { parseQemuLog } from "./qemu_log.ts";
import {
  type MachineSpec,
  makeMonitorPipes,
  type Monitor,
  qemuArgs,
  type QemuRunResult,
  runQemu,
} from "./qemu_run.ts";
import { loadRecipe, type Recipe } from "./recipe.ts";
import { MarkerOp } from "../trace/record.ts";
import { hashImage, hashPhysicalMemory, type PageSnapshot } from "./page_hash.ts";
import { type SnapshotStats, snapshotStats } from "./snapshot_stats.ts";
import { TraceReader } from "../trace/reader.ts";
import { parsePcap, windowTransmits } from "./pcap.ts";
import { ParallelDeflate } from "./parallel_deflate.ts";
import { parsePageSummary, SummaryWriter } from "./page_summary.ts";
import { PAGE_SIZE } from "../trace/page.ts";
import { TcpPeer } from "./tcp_peer.ts";
import { type GuestArch, guestArch, traceAddress } from "./guest_arch.ts";
import { HOST_DEBIAN_ARCH } from "./debian_packages.ts";

/**
 * The CPU model every recording uses: no PCID, no x2APIC, Intel; 4-level paging under a
 * 64-bit kernel, PSE and PAE for a 32-bit one.
 */
export const GUEST_CPU = "Nehalem";

/**
 * What the recorder turns on in QEMU's log once the guest is ready: interrupts and
 * exceptions, the plugin's alignment lines, device register accesses, and the IDE
 * controller's DMA callbacks (block requests), and the e1000e's transmit descriptors and
 * receive buffer writes (its DMA transfers and frames).
 */
const ARM_LOG =
  "log int,plugin,trace:memory_region_ops_*,trace:ide_dma_cb,trace:e1000e_tx_descr,trace:e1000e_rx_desc_buff_write,trace:e1000e_rx_written_to_guest";

/** QEMU arguments of the recipe's raw disk, creating the (sparse) image in the work folder. */
function diskArgs(recipe: Recipe, work: string): string[] {
  if (recipe.diskMiB <= 0) return [];
  const path = join(work, "disk.img");
  const f = Deno.openSync(path, { write: true, create: true, truncate: true });
  f.truncateSync(recipe.diskMiB * 1024 * 1024);
  f.close();
  return ["-drive", `file=${path},if=ide,format=raw,index=0,media=disk,cache=unsafe`];
}

/**
 * QEMU arguments of the recipe's NIC: the frames it transmits go to a UDP socket on the
 * host's loopback interface (nothing leaves the host) and are captured into the work folder.
 * With a TCP peer (`peerPort`), the NIC sits on QEMU's user-mode network instead,
 * restricted (the guest reaches nothing else) but for one forward: the guest's connections
 * to 10.0.2.100:5001 go to the peer on 127.0.0.1.
 */
function nicArgs(recipe: Recipe, work: string, peerPort: number | null): string[] {
  if (recipe.nic === "") return [];
  const netdev = peerPort === null
    ? "socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0"
    : `user,id=n0,restrict=on,ipv6=off,guestfwd=tcp:${PEER_GUEST_ADDRESS}-tcp:127.0.0.1:${peerPort}`;
  return [
    "-netdev",
    netdev,
    "-device",
    `${recipe.nic},netdev=n0,mac=52:54:00:12:34:56`,
    "-object",
    `filter-dump,id=d0,netdev=n0,file=${join(work, "net.pcap")}`,
  ];
}

/**
 * QEMU arguments putting the guest's RAM on a memfd (no file in any filesystem; it goes
 * with the QEMU process), which QEMU maps into its own address space: the plugin reads
 * the pages it hashes for content samples there, at an exact instruction count, with no
 * `stop`, `pmemsave` or copy of the memory.
 */
function contentArgs(recipe: Recipe): string[] {
  if ((recipe.contentEvery ?? 0) === 0) return [];
  return [
    "-object",
    `memory-backend-memfd,id=vmmlab-ram,size=${recipe.memoryMiB}M`,
    "-machine",
    "memory-backend=vmmlab-ram",
  ];
}

/** Where a recipe's guest reaches its TCP peer (docs/recipes.md). */
export const PEER_GUEST_ADDRESS = "10.0.2.100:5001";

/** How often a run that hit QEMU 7.2's plugin memory-callback abort is tried. */
const MAX_ATTEMPTS = 4;

/** Version of the recorder (goes into the header). */
export const RECORDER_VERSION = "vmmlab-record 1";

/** Progress events a front end may display. */
export interface RecordProgress {
  /** A new phase started (`building`, `booting`, `symbols`, `running`, `converting`). */
  phase(name: string, detail?: string): void;
  /** Conversion progress in stream bytes. */
  converted(bytes: number, total: number): void;
}

/** Options of {@link record}. */
export interface RecordOptions {
  /** Workload: a committed recipe's name or a recipe folder's path. */
  workload: string;
  /** An already loaded recipe (a program's generated one); `workload` is then only its name. */
  recipe?: Recipe;
  /** Output trace path. */
  out: string;
  /** Keep the work folder (stream, log, initramfs) for inspection. */
  keep?: boolean;
  /** Override the recipe's iteration count (shorter integration runs). */
  iterations?: number;
  /** Progress display. */
  progress?: RecordProgress;
  /** The command line to store in the header. */
  command?: string;
  /** Guest architecture (`x86_64`, `i386`, `i386-pae`); default the recipe's. */
  arch?: string;
}

/** What a recording produced. */
export interface RecordResult {
  /** The trace summary. */
  summary: TraceSummary;
  /** Per-iteration counts and alignment figures. */
  conversion: ConversionResult;
  /** Host seconds: whole run, QEMU run, conversion. */
  seconds: { total: number; qemu: number; convert: number };
  /** Trace file size in bytes. */
  traceBytes: number;
  /**
   * Recording speed: guest instructions in the window over the host time between the
   * window's first and last markers (plugin timestamps), and including conversion.
   */
  speed: { windowHostSeconds: number; recordingIps: number; endToEndIps: number };
  /** Page-sharing figures, for snapshot recipes. */
  snapshot?: SnapshotStats;
  /** Work folder (deleted unless `keep`). */
  workDir: string;
}

async function qemuVersion(qemu: string): Promise<string> {
  const out = await run(qemu, ["--version"]);
  return out.split("\n")[0].trim();
}

/** What every recording boots, built before its first QEMU run. */
interface BootFiles {
  /** The Debian guest kernel. */
  kernel: GuestKernel;
  /** QEMU's version line (goes into the header). */
  qemuVer: string;
  /** The run's work folder. */
  work: string;
  /** The recipe's initramfs. */
  initramfs: InitramfsInfo;
  /** Where the initramfs was written in the work folder. */
  initrd: string;
}

/**
 * Fetches the kernel, makes the work folder and writes the recipe's initramfs into it. A
 * guest of another Debian architecture takes its kernel and packages from the lock file's
 * `foreign` section for that architecture.
 */
async function prepareBoot(recipe: Recipe, arch: GuestArch): Promise<BootFiles> {
  const lock = loadVersionLock();
  const foreign = arch.debianArch !== HOST_DEBIAN_ARCH;
  const archLock = foreign ? lock.foreign[arch.debianArch] : undefined;
  const kernelPin = foreign ? archLock?.kernels[arch.name] : lock.kernel;
  if (kernelPin === undefined) {
    throw new InputError(
      `traces/recipes/versions.lock.json pins no kernel for --arch ${arch.name} (foreign.${arch.debianArch}.kernels)`,
    );
  }
  const pins = foreign
    ? { ...recipe.versions, ...archLock!.packages }
    : { ...lock.packages, ...recipe.versions };
  // Every pinned version this recording needs must still exist: say which do not, all at
  // once, before anything is downloaded.
  const needed: Record<string, string> = {};
  if (Deno.env.get("VMMLAB_KERNEL_PACKAGE") === undefined) {
    needed[kernelPin.package] = kernelPin.version;
  }
  for (const name of [...recipe.debian.map((d) => d.package), "busybox-static"]) {
    if (pins[name] !== undefined) needed[name] = pins[name];
  }
  await checkPinnedAvailable(needed, arch.debianArch);
  const kernel = await guestKernel(kernelPin, arch.debianArch);
  const qemuVer = await qemuVersion(arch.qemu);
  const work = makeRunDir(`${recipe.name}-`);
  const initramfs = await buildInitramfs(
    recipe,
    await kernelModules(kernel, recipe.modules),
    pins,
    arch,
    { ...lock.packages, ...recipe.versions },
  );
  const initrd = join(work, "initramfs.cpio");
  Deno.writeFileSync(initrd, initramfs.bytes);
  return { kernel, qemuVer, work, initramfs, initrd };
}

/**
 * The guest kernel command line of a run: the options every recording boots with, then
 * the run's own `vmmlab.*` options, then the recipe's.
 */
function kernelCommandLine(recipe: Recipe, own: string[]): string {
  return [
    "console=ttyS0",
    "quiet",
    "nokaslr",
    "panic=-1",
    "pti=off",
    // No user-space address randomization: stacks, mmap and brk land at the same addresses
    // in every recording, so page-table shapes and fault counts repeat (measured: forkwait
    // recordings differ by tens to hundreds of 415 K instructions with it and the fixed
    // clock of qemuArgs, by 8.5 K instructions and 2 page faults per iteration without).
    "norandmaps",
    `vmmlab.run=${recipe.name}`,
    ...own,
    ...(recipe.append ? [recipe.append] : []),
  ].join(" ");
}

/** QEMU's command line as a header records it: host folders as `$WORK` and `$CACHE`. */
function recordedCommandLine(
  args: string[],
  work: string,
  peerPort: number | null,
  qemu: string,
): string {
  return [
    qemu,
    ...args.map((a) =>
      a.startsWith(work) ? a.replace(work, "$WORK") : a.replace(cacheDir(), "$CACHE")
    ).map((a) =>
      peerPort === null ? a : a.replace(`127.0.0.1:${peerPort}`, "127.0.0.1:$PEER_PORT")
    ),
  ].join(" ");
}

/** The header's description of the guest machine, the same for every recording. */
function guestFacts(kernel: GuestKernel, recipe: Recipe, arch: GuestArch) {
  return {
    kernel: `Linux ${kernel.release} (Debian ${kernel.version})`,
    cpu: `QEMU ${GUEST_CPU} model under TCG, 1 vCPU`,
    arch: arch.arch,
    pagingLevels: arch.pagingLevels,
    pti: false,
    pcid: false,
    memoryMiB: recipe.memoryMiB,
  };
}

/**
 * Boots the guest once only to dump its kernel symbols (`vmmlab.ksyms=only`: init writes
 * /proc/kallsyms to the second serial port and powers off) into the cache. A boot of its
 * own, rather than a dump before the workload, so that every recording's guest takes the
 * same path to its window whether or not the cache already had the symbols (a dump before
 * the workload changed forkwait's iterations by 10% in instructions).
 */
async function dumpKernelSymbols(
  recipe: Recipe,
  arch: GuestArch,
  kernel: GuestKernel,
  work: string,
  initrd: string,
  symbolsPath: string,
  p: RecordProgress | undefined,
): Promise<void> {
  p?.phase("symbols", `dumping the symbols of Linux ${kernel.release} (once per kernel)`);
  const serial2 = join(work, "kallsyms.txt");
  const spec: MachineSpec = {
    kernel: kernel.vmlinuz,
    initrd,
    append: kernelCommandLine(recipe, ["vmmlab.ksyms=only"]),
    cpu: GUEST_CPU,
    memoryMiB: recipe.memoryMiB,
    icountShift: recipe.icountShift,
    logPath: join(work, "qemu-ksyms.log"),
    serial2Path: serial2,
    monitorPipe: join(work, "monitor-ksyms"),
  };
  await makeMonitorPipes(spec.monitorPipe);
  const result = await runQemu({
    qemu: arch.qemu,
    args: qemuArgs(spec),
    monitorPipe: spec.monitorPipe,
    armCommands: [],
    disarmCommands: [],
    timeoutMs: recipe.timeoutSeconds * 1000,
  });
  const text = exists(serial2) ? Deno.readTextFileSync(serial2).replace(/\r/g, "") : "";
  if (result.workloadStatus !== 0 || text.length < 100000) {
    throw new InputError(
      `The guest's kernel symbol dump is incomplete (QEMU exit ${result.code}, work folder ${work})`,
    );
  }
  Deno.writeTextFileSync(symbolsPath, text);
}

/** Records one workload into a trace. */
export async function record(o: RecordOptions): Promise<RecordResult> {
  const t0 = performance.now();
  requireHostTools();
  const recipe = o.recipe ?? loadRecipe(o.workload);
  const arch = guestArch(o.arch ?? recipe.arch);
  if (recipe.vms > 0) return await recordSnapshots(o, recipe, arch, t0);
  // Trace chunks are deflated on a second thread while the conversion goes on (same
  // bytes). Started now, so that its worker has loaded by the time conversion begins.
  const compressor = new ParallelDeflate();
  const peer = recipe.tcpPeer === "" ? null : TcpPeer.start(recipe.tcpPeer);
  try {
    return await recordGuest(o, recipe, arch, t0, compressor, peer);
  } finally {
    compressor.close();
    await peer?.close();
  }
}

/** The instruction-trace recording of {@link record}: boot, run, convert. */
async function recordGuest(
  o: RecordOptions,
  recipe: Recipe,
  arch: GuestArch,
  t0: number,
  compressor: ParallelDeflate,
  peer: TcpPeer | null,
): Promise<RecordResult> {
  const p = o.progress;
  p?.phase("building", "kernel, plugin, initramfs");
  const plugin = await buildPlugin();
  const { kernel, qemuVer, work, initramfs, initrd } = await prepareBoot(recipe, arch);
  const symbolsPath = join(cacheDir("ksyms"), `${kernel.pkg}_${kernel.version}.txt`);
  if (!(exists(symbolsPath) && Deno.statSync(symbolsPath).size > 100000)) {
    await dumpKernelSymbols(recipe, arch, kernel, work, initrd, symbolsPath, p);
  }
  const iterations = o.iterations ?? recipe.iterations;
  const streamPath = join(work, "stream.bin");
  const pagesPath = join(work, "pages.bin");
  const summarised = (recipe.summaryInterval ?? 0) > 0;
  const contentEvery = summarised ? recipe.contentEvery ?? 0 : 0;
  const logPath = join(work, "qemu.log");
  const serial2 = null;
  const append = kernelCommandLine(recipe, [`vmmlab.iterations=${iterations}`]);
  const spec: MachineSpec = {
    kernel: kernel.vmlinuz,
    initrd,
    append,
    cpu: GUEST_CPU,
    memoryMiB: recipe.memoryMiB,
    icountShift: recipe.icountShift,
    plugin: {
      path: plugin.path,
      args: [
        `out=${streamPath}`,
        // A 32-bit guest's kernel half (from 0xC0000000) is written sign-extended.
        ...(arch.mode64 ? [] : [`split=0x${I386_KERNEL_BASE.toString(16)}`]),
        ...(summarised
          ? [
            `pages=${pagesPath}`,
            `interval=${recipe.summaryInterval}`,
            `ram_mib=${recipe.memoryMiB}`,
            ...(contentEvery > 0 ? [`hash_every=${contentEvery}`] : []),
          ]
          : []),
      ],
    },
    logPath,
    serial2Path: serial2,
    monitorPipe: join(work, "monitor"),
    extra: [
      ...recipe.qemuArgs,
      ...contentArgs(recipe),
      ...diskArgs(recipe, work),
      ...nicArgs(recipe, work, peer?.port ?? null),
    ],
  };
  await makeMonitorPipes(spec.monitorPipe);
  const args = qemuArgs(spec);
  const snapshots: PageSnapshot[] = [];
  p?.phase("booting", `Linux ${kernel.release}`);
  const tq = performance.now();
  let result!: QemuRunResult;
  let attempts = 0;
  for (;;) {
    attempts++;
    snapshots.length = 0;
    result = await runQemu({
      qemu: arch.qemu,
      args,
      monitorPipe: spec.monitorPipe,
      armCommands: [ARM_LOG],
      disarmCommands: ["log plugin"],
      timeoutMs: recipe.timeoutSeconds * 1000,
      onLine: (line) => {
        if (line === "vmmlab-ksyms-done") p?.phase("symbols", "kernel symbols dumped");
        else if (line === "vmmlab-ready") p?.phase("running", recipe.name);
      },
      onSnapshot: async (index: number, monitor: Monitor) => {
        // With content samples the plugin hashed the memory at the snapshot marker itself.
        if (contentEvery > 0) return;
        snapshots.push(await hashPhysicalMemory(monitor, work, index, recipe.memoryMiB));
      },
    });
    // QEMU 7.2 can abort in qemu_plugin_vcpu_mem_cb on stale memory-callback state after
    // an exception exits a block (QEMU issue 1381, fixed upstream in 8.0); the guest run
    // is otherwise healthy, so try again.
    if (
      result.workloadStatus === null && attempts < MAX_ATTEMPTS &&
      result.stderr.includes("qemu_plugin_vcpu_mem_cb")
    ) {
      p?.phase("retrying", `QEMU 7.2 plugin abort (attempt ${attempts + 1} of ${MAX_ATTEMPTS})`);
      continue;
    }
    break;
  }
  const qemuSeconds = (performance.now() - tq) / 1000;
  Deno.writeTextFileSync(join(work, "qemu.stderr"), result.stderr);
  Deno.writeTextFileSync(join(work, "console.txt"), result.console);
  if (result.workloadStatus === null) {
    const tail = result.console.trim().split("\n").slice(-3).join(" | ");
    const err = result.stderr.trim().replace(/\s+/g, " ").slice(0, 300);
    throw new InputError(
      `The guest stopped before the workload finished (QEMU exit ${result.code}): ${
        err || tail
      } (work folder ${work})`,
    );
  }
  if (result.workloadStatus !== 0) {
    throw new InputError(
      `Workload ${recipe.name} failed in the guest with status ${result.workloadStatus}`,
    );
  }
  const map32 = (va: number) => traceAddress(arch, va);
  const symbols = KernelSymbols.parse(Deno.readTextFileSync(symbolsPath), map32);
  const log = parseQemuLog(Deno.readTextFileSync(logPath), map32);
  if (!exists(streamPath) || Deno.statSync(streamPath).size === 0 || log.markers.length === 0) {
    throw new InputError(`Workload ${recipe.name} ran but never reached its begin marker`);
  }
  const pageSummary = summarised && exists(pagesPath)
    ? new SummaryWriter(parsePageSummary(Deno.readFileSync(pagesPath), pagesPath), snapshots)
    : null;
  if (summarised && pageSummary === null) {
    throw new InputError(`Workload ${recipe.name} asked for a page summary but never began one`);
  }
  const windowSnaps = pageSummary?.windowSnapshots();
  const pcapPath = join(work, "net.pcap");
  const netLengths = recipe.nic !== "" && exists(pcapPath)
    ? windowTransmits(parsePcap(Deno.readFileSync(pcapPath), pcapPath))
    : [];
  const devices = ["unknown", ...new Set(log.accesses.map((a) => a.device))].sort((a, b) =>
    a === "unknown" ? -1 : b === "unknown" ? 1 : a < b ? -1 : a > b ? 1 : 0
  );
  const header: TraceHeaderInit = {
    workload: recipe.name,
    description: recipe.description,
    source: {
      kind: "qemu-tcg",
      method:
        "Real Linux guest under QEMU TCG; the vmmlab TCG plugin recorded every executed block and memory access between guest marker NOPs; exceptions, interrupts and CR3 values from QEMU's -d int log; port and MMIO values and device names from its memory_region_ops trace.",
      command: o.command ?? `vmmlab record ${recipe.name} --out ${o.out}`,
      recorder: RECORDER_VERSION,
      qemu: qemuVer,
      qemuCommandLine: recordedCommandLine(args, work, peer?.port ?? null, arch.qemu),
      plugin: `vmmlab_plugin.c sha256:${plugin.hash}`,
      recipe: recipe.ref,
      programs: initramfs.programs,
      debianPackages: { [kernel.pkg]: kernel.version, ...initramfs.debianPackages },
      versionLock: LOCK_FILE,
      unpinnedPackages: initramfs.unpinned,
      icount: `shift=${recipe.icountShift},sleep=off`,
      window:
        "From the first iteration marker after arming (the iteration that armed the plugin ran partly uninstrumented and is dropped) to the end marker.",
    },
    guest: { ...guestFacts(kernel, recipe, arch), kernelCommandLine: append },
    pageSizes: [PAGE_SIZE, arch.largePage],
    devices,
    inferred: [
      "CR3 values: the value of each MOV to CR3 is the CR3 of the next exception or interrupt QEMU logged before the next MOV to CR3 (FLAG_INFERRED); without one it is unknown.",
      "Page-table writes: stores by kernel functions that set page-table entries (native_set_pte and friends) mark their target page as a page table; later stores to such a page by page-table code (zap/copy/fault paths) are page-table writes too. The stored value is unknown (QEMU 7.2 plugins see no store values). Level comes from the function name, else from the page.",
      "Exception alignment: each -d int entry is attached to the next block that starts at an IDT entry point (asm_exc_*, asm_sysvec_*, irq stubs); a fault cuts its block before the faulting instruction.",
      "Port and MMIO values: taken in order from QEMU's memory_region_ops trace, matched to IN/OUT instructions and device memory references.",
      "Instruction classes: sensitive instruction class, length and control flow decoded from opcode bytes.",
      "Interrupt source: vector 0xec is the local APIC timer, vectors >= 0xf0 inter-processor, others devices.",
      ...(recipe.diskMiB > 0
        ? [
          "Block requests: a start-bit write to the IDE bus-master command register is followed by a BlockRequest with the first sector, sector count and direction of QEMU's first ide_dma_cb trace line after it. DMA transfers themselves are not recorded (QEMU 7.2 traces no DMA buffer address).",
        ]
        : []),
      ...(recipe.nic.startsWith("e1000e")
        ? [
          `Network frames and DMA: QEMU's e1000e trace events give every transmit data descriptor (buffer address, length, end of frame) and every receive buffer write (address, length) and frame end; each complete frame is a NetRequest of its buffers' total length followed by one Dma record per buffer (transmit: the device read guest memory; receive: it wrote it, FLAG_WRITE). Events are placed after the CPU device access QEMU logged before them (a transmit after its TDT write; a frame that arrived meanwhile after whatever access preceded it, or right after the iteration marker when none did in that iteration), so receive DMA is placed at the granularity of device accesses. Descriptor fetches and write-backs (16 bytes each) are not recorded: QEMU 7.2 traces neither.`,
          ...(recipe.tcpPeer !== ""
            ? [
              `Network peer: QEMU user-mode networking (slirp, restricted) forwards the guest's connection to ${PEER_GUEST_ADDRESS} to a TCP ${recipe.tcpPeer} the recorder runs on 127.0.0.1 ($PEER_PORT in the command line); its timing is the host's, not the guest's virtual clock.`,
            ]
            : []),
        ]
        : []),
      ...(recipe.nic !== "" && !recipe.nic.startsWith("e1000e")
        ? [
          `Network requests: a ${recipe.nic} transmit start (e1000: a write to the TDT register; PCnet: a CSR0 write with TDMD) is followed by a NetRequest whose length is the next window frame of the host-side packet capture (QEMU filter-dump). DMA transfers themselves are not recorded (QEMU 7.2 traces no DMA buffer address).`,
        ]
        : []),
    ],
    notes:
      "Every executed sensitive instruction has a Sensitive record after its block's Exec (in program order with the block's memory records). IN/OUT also produce Pio records; device memory references also produce Mmio records. Repeated string iterations are collapsed into RepString records (one per physically contiguous run).",
    extra: {
      deviceInitiatedAccesses: log.deviceInitiated,
      kernelSymbols: symbols.size,
      ...(summarised
        ? {
          pageSummary:
            `From the guest's summary-begin marker to power-off, every guest-physical page each interval of ${recipe.summaryInterval} guest instructions touched or dirtied is a PageRun record (intervals before the window ahead of it, the rest after it; PAGE_IN_WINDOW marks intervals overlapping the window). Content snapshots the guest asked for outside the window follow as a Snapshot marker and the PageHash records of the pages whose hash changed since the previous snapshot (all pages in the first).`,
          pageSummaryInterval: recipe.summaryInterval,
          ...(contentEvery > 0
            ? {
              pageContent:
                `Content samples by the plugin (guest RAM on a memfd QEMU maps, read at an exact instruction count): every RAM page at the summary's begin, then at the end of every ${contentEvery} intervals (pageContentEvery), at each guest snapshot request outside the window and at the summary's end, the pages the CPU dirtied since the previous sample; each sample is a Snapshot marker (value 0) and the PageHash records of the pages whose hash changed. A sample at an interval's end follows that interval's PageRun records. Pages written only by devices (DMA) are re-hashed only when the CPU also dirties them.`,
              pageContentEvery: contentEvery,
            }
            : {}),
        }
        : {}),
    },
  };
  p?.phase("converting", `${(Deno.statSync(streamPath).size / 1e6).toFixed(1)} MB stream`);
  const tc = performance.now();
  const writer = TraceWriter.create(o.out, header, { compressor });
  let conversion: ConversionResult;
  let summary: TraceSummary;
  try {
    const total = Deno.statSync(streamPath).size;
    pageSummary?.before(writer);
    conversion = new StreamConverter(writer, {
      streamPath,
      log,
      symbols,
      devices,
      onProgress: (b) => p?.converted(b, total),
      snapshots: windowSnaps ?? snapshots,
      netLengths,
      arch,
    }).run();
    pageSummary?.after(writer);
    summary = writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  const convertSeconds = (performance.now() - tc) / 1000;
  const first = log.markers.find((m, i) => i > 0 && m.op === 3);
  const last = log.markers.findLast((m) => m.op === 2) ?? log.markers[log.markers.length - 1];
  const windowHostSeconds = first && last ? (last.hostNs - first.hostNs) / 1e9 : 0;
  const workDir = o.keep ? keepRunDir(work) : work;
  if (!o.keep) Deno.removeSync(work, { recursive: true });
  return {
    summary,
    conversion,
    seconds: { total: (performance.now() - t0) / 1000, qemu: qemuSeconds, convert: convertSeconds },
    traceBytes: Deno.statSync(o.out).size,
    workDir,
    speed: {
      windowHostSeconds,
      recordingIps: windowHostSeconds > 0 ? summary.instructions / windowHostSeconds : 0,
      endToEndIps: summary.instructions / (windowHostSeconds + convertSeconds),
    },
  };
}

/**
 * Snapshot recipes: boots `recipe.vms` identical guests one after another (no plugin, no
 * side channels), lets each run its script up to a snapshot request, hashes every 4 KiB
 * page of its physical memory, and writes one trace holding, per guest, a Snapshot marker
 * (value = guest index) followed by one PageHash record per page.
 */
async function recordSnapshots(
  o: RecordOptions,
  recipe: Recipe,
  arch: GuestArch,
  t0: number,
): Promise<RecordResult> {
  const p = o.progress;
  p?.phase("building", "kernel, initramfs");
  const { kernel, qemuVer, work, initramfs, initrd } = await prepareBoot(recipe, arch);
  const snapshots: PageSnapshot[] = [];
  let lastArgs: string[] = [];
  const tq = performance.now();
  for (let vm = 0; vm < recipe.vms; vm++) {
    const append = kernelCommandLine(recipe, [`vmmlab.vm=${vm}`]);
    const spec: MachineSpec = {
      kernel: kernel.vmlinuz,
      initrd,
      append,
      cpu: GUEST_CPU,
      memoryMiB: recipe.memoryMiB,
      icountShift: recipe.icountShift,
      logPath: join(work, `qemu-${vm}.log`),
      serial2Path: null,
      monitorPipe: join(work, `monitor-${vm}`),
      extra: recipe.qemuArgs,
    };
    await makeMonitorPipes(spec.monitorPipe);
    const args = qemuArgs(spec);
    lastArgs = args;
    p?.phase("booting", `guest ${vm + 1} of ${recipe.vms}`);
    const before = snapshots.length;
    const result = await runQemu({
      qemu: arch.qemu,
      args,
      monitorPipe: spec.monitorPipe,
      armCommands: [],
      disarmCommands: [],
      timeoutMs: recipe.timeoutSeconds * 1000,
      onSnapshot: async (_index: number, monitor: Monitor) => {
        p?.phase("snapshot", `guest ${vm + 1}: hashing ${recipe.memoryMiB} MiB`);
        await monitor.command("stop");
        const snap = await hashPhysicalMemory(monitor, work, vm, recipe.memoryMiB);
        snapshots.push(snap);
        await monitor.command("cont");
      },
    });
    if (result.workloadStatus !== 0 || snapshots.length !== before + 1) {
      throw new InputError(
        `Snapshot guest ${vm} of ${recipe.name} did not finish (QEMU exit ${result.code}, workload status ${result.workloadStatus}, work folder ${work})`,
      );
    }
  }
  const qemuSeconds = (performance.now() - tq) / 1000;
  const header: TraceHeaderInit = {
    workload: recipe.name,
    description: recipe.description,
    source: {
      kind: "qemu-tcg",
      method:
        "Several identical real Linux guests under QEMU TCG, booted one after another; at each guest's snapshot request its guest-physical memory was saved through the QEMU monitor (pmemsave) and every 4 KiB page hashed (64-bit, two multiply-xorshift lanes).",
      command: o.command ?? `vmmlab record ${recipe.name} --out ${o.out}`,
      recorder: RECORDER_VERSION,
      qemu: qemuVer,
      qemuCommandLine: recordedCommandLine(lastArgs, work, null, arch.qemu),
      recipe: recipe.ref,
      programs: initramfs.programs,
      debianPackages: { [kernel.pkg]: kernel.version, ...initramfs.debianPackages },
      versionLock: LOCK_FILE,
      unpinnedPackages: initramfs.unpinned,
      icount: `shift=${recipe.icountShift},sleep=off`,
      vms: recipe.vms,
    },
    guest: guestFacts(kernel, recipe, arch),
    pageSizes: [PAGE_SIZE],
    devices: ["unknown"],
    inferred: [],
    notes:
      "No instructions: the trace is a Begin marker, then per guest a Snapshot marker (value = guest index) and one PageHash record per guest-physical page (paddr, 64-bit hash, vm = guest index), then an End marker.",
  };
  p?.phase("writing", `${snapshots.length} snapshots`);
  const tc = performance.now();
  const writer = TraceWriter.create(o.out, header);
  try {
    writer.marker(MarkerOp.Begin, 0);
    for (const snap of snapshots) {
      writer.marker(MarkerOp.Snapshot, snap.index);
      const h = snap.hashes;
      for (let page = 0; page < h.length / 2; page++) {
        writer.pageHash(page * PAGE_SIZE, h[2 * page], h[2 * page + 1], snap.index);
      }
    }
    writer.marker(MarkerOp.End, 0);
  } catch (e) {
    writer.abort();
    throw e;
  }
  const summary = writer.close();
  const convertSeconds = (performance.now() - tc) / 1000;
  const workDir = o.keep ? keepRunDir(work) : work;
  if (!o.keep) Deno.removeSync(work, { recursive: true });
  const zero = hashImage(new Uint8Array(PAGE_SIZE));
  const reader = TraceReader.open(o.out);
  let sharing: SnapshotStats;
  try {
    sharing = snapshotStats(reader, [zero[0], zero[1]]);
  } finally {
    reader.close();
  }
  return {
    summary,
    conversion: {
      perIteration: [],
      totals: countsRecord(new Float64Array(COUNT_NAMES.length)),
      unmatched: { deliveries: 0, accesses: 0, blocksWithoutDelivery: 0, transmits: 0 },
      streamBytes: 0,
      streamInstructions: 0,
    },
    seconds: { total: (performance.now() - t0) / 1000, qemu: qemuSeconds, convert: convertSeconds },
    traceBytes: Deno.statSync(o.out).size,
    workDir,
    speed: { windowHostSeconds: 0, recordingIps: 0, endToEndIps: 0 },
    snapshot: sharing,
  };
}
