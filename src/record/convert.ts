/**
 * Turns the TCG plugin's binary stream plus QEMU's side-channel log into a `.vmt` trace:
 * the aligner and emitter. Decoding the stream's bytes is plugin_stream.ts's job; this
 * module receives its records in order and decides what they mean.
 *
 * The plugin stream says which translation blocks ran and what memory they touched; the
 * log says which exceptions and interrupts were delivered (with CR2 and CR3), and which
 * device registers were read or written with what values. The converter lines the two up
 * (deliveries at blocks that start an IDT entry point, device accesses in order at the
 * instructions and MMIO references that caused them, CR3 values at the plugin's CR3
 * lines), classifies every instruction from its bytes, and writes the records in the
 * trace's order convention: a block's Exec, then its memory, sensitive, page-table and
 * string records in program order; exceptions and interrupts where they were taken;
 * markers between blocks.
 *
 * The recorded window starts at the first iteration marker after arming (the iteration
 * before it ran partly uninstrumented) and ends at the end marker.
 *
 * @module
 */

import type { CodeInstruction } from "../trace/code_table.ts";
import {
  FLAG_INFERRED,
  FLAG_VALUE_KNOWN,
  FLAG_WRITE,
  InterruptSource,
  MarkerOp,
  MEM_IO,
  MEM_WRITE,
  SensitiveOp,
  StringOp,
} from "../trace/record.ts";
import type { TraceWriter } from "../trace/writer.ts";
import { decodeX86Into, X86Info } from "./x86_decode.ts";
import {
  isIdtEntry,
  isLeafPageTableSetter,
  isPageClearer,
  type KernelSymbols,
  pageTableWriterLevel,
  signedHex,
} from "./kallsyms.ts";
import type { Delivery, DeviceAccess, NicEvent, QemuLog } from "./qemu_log.ts";
import type { PageSnapshot } from "./page_hash.ts";
import { RequestInference } from "./io_requests.ts";
import { COUNT_INDEX as C, COUNT_NAMES, type CountName, countsRecord } from "./trace_counts.ts";
import {
  parsePluginStream,
  type PluginStreamSink,
  STREAM_MEM_IO,
  STREAM_MEM_SIZE_MASK,
  STREAM_MEM_STORE,
  STREAM_REP_IO,
  STREAM_REP_STORE,
  StreamOp,
} from "./plugin_stream.ts";

/** What a conversion produced besides the trace. */
export interface ConversionResult {
  /** Counts for each recorded iteration (index = iteration). */
  perIteration: Record<CountName, number>[];
  /** Totals over the window. */
  totals: Record<CountName, number>;
  /** Alignment problems (deliveries or device accesses that could not be matched). */
  unmatched: {
    deliveries: number;
    accesses: number;
    blocksWithoutDelivery: number;
    /** Transmit demands without a captured frame, plus captured window frames no demand took. */
    transmits: number;
  };
  /** Bytes of plugin stream read. */
  streamBytes: number;
  /** Guest instructions the stream covered, including the dropped first iteration. */
  streamInstructions: number;
}

/** Kernel-symbol facts attached to each instruction of a block. */
const PT_NONE = -1;

/** A translation block as defined by the plugin, resolved to a code-table block. */
interface BlockInfo {
  /** Writer block id, or -1 until first emitted. */
  id: number;
  addr: number;
  cpl: number;
  n: number;
  instrs: CodeInstruction[];
  /** Address of each instruction. */
  pcs: Float64Array;
  /** Sensitive class of each instruction. */
  sens: Uint8Array;
  /** Operand register of each instruction (CR number, immediate port), -1 none. */
  reg: Int32Array;
  /** Operand size of each instruction (port I/O). */
  size: Uint8Array;
  /** Page-table writer level of the function each instruction belongs to (-1 none). */
  ptLevel: Int8Array;
  /** Whether each instruction's function is a leaf page-table setter. */
  ptLeaf: Uint8Array;
  /** Whether each instruction's function clears whole pages. */
  clearer: Uint8Array;
  /** Indexes of sensitive instructions. */
  sensIdx: number[];
  /** The block starts an IDT entry point. */
  handler: boolean;
  /** Number of MOV-to-CR3 instructions. */
  cr3Writes: number;
}

/** Options of {@link convertStream}. */
export interface ConvertOptions {
  /** The plugin stream file. */
  streamPath: string;
  /** The parsed log. */
  log: QemuLog;
  /** Kernel symbols (null if unavailable: no delivery alignment, no page-table writes). */
  symbols: KernelSymbols | null;
  /** Device table (header `devices`); names not found map to index 0. */
  devices: string[];
  /** Progress callback: bytes of stream consumed so far. */
  onProgress?: (bytes: number) => void;
  /** Page-content snapshots the guest asked for, by index (written at Snapshot markers). */
  snapshots?: PageSnapshot[];
  /** Lengths of the frames the guest's NIC transmitted in the window, in order. */
  netLengths?: readonly number[];
  /** Size of the read buffer (tests use small ones to cross many refills); default 32 MiB. */
  bufferBytes?: number;
}

/** The x86-64 Linux direct map (`page_offset_base` without KASLR): where page tables are written through. */
const DIRECT_MAP_LO = signedHex("ffff888000000000");
const DIRECT_MAP_HI = signedHex("ffffc88000000000");

const FAULT_VECTORS = new Set([0, 5, 6, 7, 10, 11, 12, 13, 14, 16, 17, 19, 20, 21]);

/** Streams the plugin output into `writer`. */
export class StreamConverter {
  readonly #w: TraceWriter;
  readonly #o: ConvertOptions;
  readonly #sym: KernelSymbols | null;
  readonly #blocks: (BlockInfo | undefined)[] = [];
  readonly #dedupe = new Map<string, BlockInfo>();
  readonly #x86 = new X86Info();
  readonly #deviceIndex = new Map<string, number>();
  readonly #ptPages = new Map<number, number>(); // page frame → level (0 unknown)
  readonly #requests: RequestInference;

  // Current block and its buffered events.
  #cur: BlockInfo | null = null;
  #curRan = 0;
  #evKind = new Uint8Array(1 << 12);
  #evIdx = new Uint16Array(1 << 12);
  #evA = new Float64Array(1 << 12);
  #evB = new Float64Array(1 << 12);
  #evRep = new Float64Array(1 << 14); // rep: pc, op, size, flags, count (5 per event)
  #evCount = 0;
  #repCount = 0;
  #pendingMarks: number[] = []; // op, arg pairs

  // Alignment state.
  #segment = 0; // number of marker records passed
  #delivery = 0;
  #access = 0;
  #cr3Seq = 0;
  #recording = false; // inside the window
  #done = false;
  #iteration = 0;
  #counts: Float64Array = new Float64Array(COUNT_NAMES.length);
  readonly #perIteration: Record<CountName, number>[] = [];
  readonly #totals = new Float64Array(COUNT_NAMES.length);
  #unmatchedDeliveries = 0;
  #unmatchedAccesses = 0;
  #blocksWithoutDelivery = 0;
  #streamInstructions = 0;

  /** Prepares a conversion into `writer`. */
  constructor(writer: TraceWriter, options: ConvertOptions) {
    this.#w = writer;
    this.#o = options;
    this.#sym = options.symbols;
    options.devices.forEach((d, i) => this.#deviceIndex.set(d, i));
    this.#requests = new RequestInference(options.netLengths ?? []);
  }

  /** Reads the whole stream and writes the window; returns the counts. */
  run(): ConversionResult {
    const size = parsePluginStream(this.#o.streamPath, this.#sink(), {
      bufferBytes: this.#o.bufferBytes,
      onProgress: this.#o.onProgress,
    });
    if (!this.#done) this.#finishBlock();
    return {
      perIteration: this.#perIteration,
      totals: countsRecord(this.#totals),
      unmatched: {
        deliveries: this.#unmatchedDeliveries,
        accesses: this.#unmatchedAccesses,
        blocksWithoutDelivery: this.#blocksWithoutDelivery,
        transmits: this.#requests.unmatchedTransmits + this.#requests.unusedFrames,
      },
      streamBytes: size,
      streamInstructions: this.#streamInstructions,
    };
  }

  /** The parser's view of this converter (kept private: the sink methods are not its API). */
  #sink(): PluginStreamSink {
    // deno-lint-ignore no-this-alias
    const self = this;
    return {
      get done() {
        return self.#done;
      },
      define: (id, vaddr, body, lengths) => this.#define(id, vaddr, body, lengths),
      exec: (id) => this.#onExec(id),
      cut: (started) => {
        this.#curRan = started;
      },
      rep: (pc, op, size, flags, count, addr, paddr) =>
        this.#onRep(pc, op, size, flags, count, addr, paddr),
      mem: (type, index, vaddr, paddr) => this.#onMem(type, index, vaddr, paddr),
      mark: (op, arg) => {
        this.#pendingMarks.push(op, arg);
      },
      end: () => {
        this.#finishBlock();
        this.#done = true;
      },
    };
  }

  /** Buffers a memory reference of the current block (there is none before the first EXEC). */
  #onMem(type: number, index: number, vaddr: number, paddr: number): void {
    if (this.#cur === null) return;
    const i = this.#evCount;
    if (i === this.#evKind.length) this.#growEvents();
    this.#evKind[i] = type;
    this.#evIdx[i] = index;
    this.#evA[i] = vaddr;
    this.#evB[i] = paddr;
    this.#evCount = i + 1;
  }

  #growEvents(): void {
    const n = this.#evKind.length * 2;
    const k = new Uint8Array(n);
    k.set(this.#evKind);
    this.#evKind = k;
    const x = new Uint16Array(n);
    x.set(this.#evIdx);
    this.#evIdx = x;
    const a = new Float64Array(n);
    a.set(this.#evA);
    this.#evA = a;
    const b = new Float64Array(n);
    b.set(this.#evB);
    this.#evB = b;
  }

  #define(id: number, vaddr: number, body: Uint8Array, lens: number[]): void {
    // One character per byte (an injective key), built in one call rather than per byte.
    const key = `${vaddr}:${String.fromCharCode.apply(null, body as unknown as number[])}`;
    const seen = this.#dedupe.get(key);
    if (seen) {
      this.#blocks[id] = seen;
      return;
    }
    const n = lens.length;
    // One buffer for all per-instruction arrays and one copy of the block's bytes: tens of
    // thousands of blocks would otherwise mean hundreds of thousands of small ArrayBuffers,
    // whose garbage-collector bookkeeping cost more than the conversion's own work.
    const store = new ArrayBuffer(17 * n);
    const code = body.slice();
    const info: BlockInfo = {
      id: -1,
      addr: vaddr,
      cpl: vaddr < 0 ? 0 : 3,
      n,
      instrs: [],
      pcs: new Float64Array(store, 0, n),
      reg: new Int32Array(store, 8 * n, n),
      sens: new Uint8Array(store, 12 * n, n),
      size: new Uint8Array(store, 13 * n, n),
      ptLevel: new Int8Array(store, 14 * n, n).fill(PT_NONE),
      ptLeaf: new Uint8Array(store, 15 * n, n),
      clearer: new Uint8Array(store, 16 * n, n),
      sensIdx: [],
      handler: false,
      cr3Writes: 0,
    };
    let at = 0;
    let pc = vaddr;
    const x = this.#x86;
    for (let i = 0; i < n; i++) {
      const len = lens[i];
      const bytes = code.subarray(at + 1, at + 1 + len);
      at += 1 + len;
      decodeX86Into(bytes, 0, true, x);
      let sens = x.sensitive;
      if (x.length !== len) sens = x.sensitive; // the decoder and QEMU disagree only on invalid bytes
      info.instrs.push({ length: len, sensitive: sens, flow: x.flow, bytes });
      info.pcs[i] = pc;
      info.sens[i] = sens;
      info.reg[i] = x.reg;
      info.size[i] = x.size;
      if (sens !== 0) info.sensIdx.push(i);
      if (sens === SensitiveOp.CrWrite && x.reg === 3) info.cr3Writes++;
      if (this.#sym && pc < 0) {
        const name = this.#sym.functionAt(pc);
        if (name) {
          info.ptLevel[i] = pageTableWriterLevel(name);
          info.ptLeaf[i] = isLeafPageTableSetter(name) ? 1 : 0;
          info.clearer[i] = isPageClearer(name) ? 1 : 0;
          if (i === 0) {
            const si = this.#sym.indexOf(pc);
            if (si >= 0 && this.#sym.addrs[si] === pc && isIdtEntry(this.#sym.names[si])) {
              info.handler = true;
            }
            if (!info.handler) info.handler = this.#isIrqStub(pc);
          }
        }
      }
      pc += len;
    }
    this.#dedupe.set(key, info);
    this.#blocks[id] = info;
  }

  #irqStubs: [number, number][] | null = null;

  /** Whether `pc` lies in the external-interrupt entry stubs (`irq_entries_start` ...). */
  #isIrqStub(pc: number): boolean {
    if (!this.#irqStubs) {
      this.#irqStubs = [];
      const s = this.#sym!;
      for (const [a, b] of [["irq_entries_start", "spurious_entries_start"]]) {
        const lo = s.address(a);
        if (lo === undefined) continue;
        const hiIdx = s.indexOf(lo) + 1;
        const hi = s.address(b) ?? (hiIdx < s.size ? s.addrs[hiIdx] : lo + 4096);
        this.#irqStubs.push([lo, hi > lo ? hi : lo + 4096]);
      }
      const sp = s.address("spurious_entries_start");
      if (sp !== undefined) {
        const next = s.indexOf(sp) + 1;
        this.#irqStubs.push([sp, next < s.size ? s.addrs[next] : sp + 256]);
      }
    }
    for (const [lo, hi] of this.#irqStubs) if (pc >= lo && pc < hi) return true;
    return false;
  }

  #onExec(id: number): void {
    const next = this.#blocks[id];
    if (!next) throw new Error(`plugin stream executes undefined block ${id}`);
    let delivery: Delivery | null = null;
    if (next.handler) {
      delivery = this.#nextDelivery();
      if (
        delivery && this.#cur && !delivery.hardware && !delivery.software &&
        FAULT_VECTORS.has(delivery.vector)
      ) {
        // The faulting instruction did not complete: cut the block before it.
        const cur = this.#cur;
        const ran = this.#curRan;
        for (let k = 0; k < ran; k++) {
          if (cur.pcs[k] === delivery.pc) {
            this.#curRan = k;
            break;
          }
        }
      }
    }
    this.#finishBlock();
    if (delivery && this.#recording) this.#emitDelivery(delivery);
    this.#cur = next;
    this.#curRan = next.n;
  }

  #nextDelivery(): Delivery | null {
    const list = this.#o.log.deliveries;
    // Markers executed earlier in the interrupted block are still pending (they are written
    // after the block), but QEMU logged them before this delivery: count them.
    const segment = this.#segment + this.#pendingMarks.length / 2;
    // Skip entries of earlier segments (taken before the stream caught up after arming).
    while (this.#delivery < list.length && list[this.#delivery].segment < segment) {
      if (segment > 1) this.#unmatchedDeliveries++;
      this.#delivery++;
    }
    if (this.#delivery < list.length && list[this.#delivery].segment === segment) {
      return list[this.#delivery++];
    }
    if (this.#recording) this.#blocksWithoutDelivery++;
    return null;
  }

  #emitDelivery(d: Delivery): void {
    const w = this.#w;
    if (d.hardware || (!d.software && d.vector >= 32)) {
      const source = d.vector === 0xec
        ? InterruptSource.Timer
        : d.vector >= 0xf0
        ? InterruptSource.Ipi
        : InterruptSource.Device;
      w.interrupt(d.vector, source, d.pc);
      this.#counts[C.interrupts]++;
    } else {
      const addr = d.vector === 14 ? d.cr2 : 0;
      w.exception(d.vector, d.error, addr, d.pc, 0);
      this.#counts[C.exceptions]++;
      if (d.vector === 14) this.#counts[C.pageFaults]++;
    }
  }

  #onRep(
    pc: number,
    op: number,
    size: number,
    flags: number,
    count: number,
    addr: number,
    paddr: number,
  ): void {
    const cur = this.#cur;
    if (!cur) return;
    let idx = cur.n - 1;
    for (let k = 0; k < cur.n; k++) {
      if (cur.pcs[k] === pc) {
        idx = k;
        break;
      }
    }
    const i = this.#evCount;
    if (i === this.#evKind.length) this.#growEvents();
    if ((this.#repCount + 1) * 5 > this.#evRep.length) {
      const r = new Float64Array(this.#evRep.length * 2);
      r.set(this.#evRep);
      this.#evRep = r;
    }
    const r = this.#repCount++;
    this.#evRep[r * 5] = pc;
    this.#evRep[r * 5 + 1] = op;
    this.#evRep[r * 5 + 2] = size;
    this.#evRep[r * 5 + 3] = flags;
    this.#evRep[r * 5 + 4] = count;
    this.#evKind[i] = StreamOp.Rep;
    this.#evIdx[i] = idx;
    this.#evA[i] = addr;
    this.#evB[i] = paddr === -1 ? 0 : paddr;
    this.#evCount = i + 1;
  }

  /** Writes the buffered block (if any), its events, then pending markers. */
  #finishBlock(): void {
    const cur = this.#cur;
    if (cur) {
      const ran = Math.min(this.#curRan, cur.n);
      this.#streamInstructions += ran;
      if (this.#recording) this.#emitBlock(cur, ran);
      else this.#trackBlock(cur, ran);
    }
    this.#cur = null;
    this.#evCount = 0;
    this.#repCount = 0;
    if (this.#pendingMarks.length > 0) {
      const marks = this.#pendingMarks;
      this.#pendingMarks = [];
      for (let i = 0; i < marks.length; i += 2) this.#onMarker(marks[i], marks[i + 1]);
    }
  }

  /** Outside the window: keep CR3 sequence numbers and table pages in step. */
  #trackBlock(cur: BlockInfo, ran: number): void {
    if (cur.cr3Writes > 0) {
      for (let k = 0; k < ran; k++) {
        if (cur.sens[k] === SensitiveOp.CrWrite && cur.reg[k] === 3) this.#cr3Seq++;
      }
    }
  }

  /** NIC events logged in the new segment before its first device access. */
  #segmentNic(): void {
    const events = this.#o.log.segmentNic?.get(this.#segment);
    if (events) this.#nicEvents(events);
  }

  #onMarker(op: number, arg: number): void {
    this.#segment++;
    const w = this.#w;
    if (op === 3) {
      if (!this.#recording) {
        this.#recording = true;
        w.marker(MarkerOp.Begin, 0);
        this.#counts.fill(0);
        this.#segmentNic();
        return;
      }
      this.#iteration++;
      w.marker(MarkerOp.Iteration, this.#iteration);
      this.#closeIteration();
      this.#segmentNic();
      return;
    }
    if (!this.#recording) return;
    if (op === 2) {
      w.marker(MarkerOp.End, 0);
      this.#recording = false;
      this.#done = true;
      return;
    }
    if (op === 4) w.marker(MarkerOp.RegionBegin, arg);
    else if (op === 5) w.marker(MarkerOp.RegionEnd, arg);
    else if (op === 6) w.marker(MarkerOp.Point, arg);
    else if (op === 7) {
      w.marker(MarkerOp.Snapshot, arg);
      const snap = this.#o.snapshots?.find((s) => s.index === arg);
      if (snap) {
        const h = snap.hashes;
        for (let p = 0; p < h.length / 2; p++) w.pageHash(p * 4096, h[2 * p], h[2 * p + 1], arg);
      }
    }
  }

  #closeIteration(): void {
    this.#perIteration.push(countsRecord(this.#counts));
    for (let i = 0; i < COUNT_NAMES.length; i++) this.#totals[i] += this.#counts[i];
    this.#counts.fill(0);
  }

  #nextAccess(port: boolean, paddr: number): DeviceAccess | null {
    const list = this.#o.log.accesses;
    while (this.#access < list.length && list[this.#access].segment < this.#segment) {
      // Segment 1 is the dropped first iteration, partly uninstrumented: not a mismatch.
      if (list[this.#access].segment > 1) this.#unmatchedAccesses++;
      this.#access++;
    }
    for (let look = 0; look < 4; look++) {
      const i = this.#access + look;
      if (i >= list.length || list[i].segment !== this.#segment) break;
      const a = list[i];
      if (port ? a.addr <= 0xffff : a.addr === paddr) {
        this.#unmatchedAccesses += look;
        this.#access = i + 1;
        return a;
      }
    }
    this.#unmatchedAccesses++;
    return null;
  }

  #device(name: string): number {
    return this.#deviceIndex.get(name) ?? 0;
  }

  #emitBlock(cur: BlockInfo, ran: number): void {
    const w = this.#w;
    const counts = this.#counts;
    if (ran > 0) {
      if (cur.id < 0) {
        cur.id = w.defineBlock(cur.addr, cur.cpl, cur.instrs);
        cur.instrs = []; // the code table holds them now
      }
      if (ran === cur.n) w.exec(cur.id);
      else w.execPartial(cur.id, ran);
      counts[C.instructions] += ran;
      counts[cur.cpl === 0 ? C.kernelInstructions : C.userInstructions] += ran;
    }
    const sensIdx = cur.sensIdx;
    let s = 0;
    const n = this.#evCount;
    let rep = 0;
    for (let e = 0; e < n; e++) {
      const idx = this.#evIdx[e];
      if (idx >= ran && ran < cur.n) continue; // after the fault: did not happen
      while (s < sensIdx.length && sensIdx[s] < idx && sensIdx[s] < ran) {
        this.#emitSensitive(cur, sensIdx[s++]);
      }
      const kind = this.#evKind[e];
      if (kind === StreamOp.Rep) {
        const r = rep++ * 5;
        const op = this.#evRep[r + 1];
        const size = this.#evRep[r + 2];
        const f = this.#evRep[r + 3];
        const count = this.#evRep[r + 4];
        const flags = (f & STREAM_REP_STORE ? MEM_WRITE : 0) | (f & STREAM_REP_IO ? MEM_IO : 0);
        w.repString(this.#evRep[r], op, count, size, this.#evA[e], this.#evB[e], flags);
        counts[C.repIterations] += count;
        if (op === StringOp.Ins || op === StringOp.Outs) {
          for (let k = 0; k < count; k++) this.#portAccess(op === StringOp.Outs, size);
        }
        if (f & STREAM_REP_STORE && cur.clearer[idx] && size * count >= 4096) {
          // A whole page cleared or copied over: whatever table lived there is gone.
          this.#ptPages.delete(Math.floor(this.#evB[e] / 4096));
        }
        continue;
      }
      const vaddr = this.#evA[e];
      let paddr = this.#evB[e];
      const size = 1 << (kind & STREAM_MEM_SIZE_MASK);
      const store = (kind & STREAM_MEM_STORE) !== 0;
      const io = (kind & STREAM_MEM_IO) !== 0;
      if (paddr < 0) paddr = 0;
      w.mem(vaddr, paddr, size, (store ? MEM_WRITE : 0) | (io ? MEM_IO : 0));
      counts[C.memRefs]++;
      if (io) {
        const a = this.#nextAccess(false, paddr);
        const flags = (store ? FLAG_WRITE : 0) | (a ? FLAG_VALUE_KNOWN : 0);
        w.mmio(paddr, size, a ? a.value : 0, flags, a ? this.#device(a.device) : 0);
        counts[C.mmio]++;
        if (a) this.#inferRequests(a);
      } else if (
        store && cur.ptLevel[idx] !== PT_NONE && vaddr >= DIRECT_MAP_LO && vaddr < DIRECT_MAP_HI
      ) {
        this.#maybePtWrite(cur, idx, paddr);
      }
    }
    while (s < sensIdx.length && sensIdx[s] < ran) this.#emitSensitive(cur, sensIdx[s++]);
  }

  #maybePtWrite(cur: BlockInfo, idx: number, paddr: number): void {
    const frame = Math.floor(paddr / 4096);
    let level = cur.ptLevel[idx];
    const known = this.#ptPages.get(frame);
    if (cur.ptLeaf[idx]) {
      // A leaf setter names the level it writes; the page is a table of that level.
      if (known === undefined || known !== level) this.#ptPages.set(frame, level);
    } else {
      if (known === undefined) return;
      if (known > 0) level = known;
    }
    this.#w.ptWrite(paddr, level, 0, 0, cur.pcs[idx]);
    this.#counts[C.ptWrites]++;
  }

  #portAccess(write: boolean, size: number): DeviceAccess | null {
    const a = this.#nextAccess(true, 0);
    const flags = (write ? FLAG_WRITE : 0) | (a ? FLAG_VALUE_KNOWN : 0);
    this.#w.pio(
      a ? a.addr : 0,
      a ? a.size : size,
      a ? a.value : 0,
      flags,
      a ? this.#device(a.device) : 0,
    );
    this.#counts[C.pio]++;
    if (a) this.#inferRequests(a);
    return a;
  }

  /** Writes the requests a device access started (after its own record). */
  #inferRequests(a: DeviceAccess): void {
    const n = this.#requests.after(a, this.#device(a.device), this.#w);
    this.#counts[C.blockRequests] += n.block;
    this.#counts[C.netRequests] += n.net;
    if (a.nic) this.#nicEvents(a.nic);
  }

  /** Writes the NIC frames (requests and DMA) the log's e1000e events complete. */
  #nicEvents(events: readonly NicEvent[]): void {
    const n = this.#requests.nicEvents(events, this.#device(this.#o.log.nicDevice ?? ""), this.#w);
    this.#counts[C.netRequests] += n.net;
  }

  #emitSensitive(cur: BlockInfo, k: number): void {
    const op = cur.sens[k];
    const pc = cur.pcs[k];
    const w = this.#w;
    const counts = this.#counts;
    switch (op) {
      case SensitiveOp.CrWrite: {
        const cr = cur.reg[k];
        if (cr === 3) {
          const v = this.#o.log.cr3Values[this.#cr3Seq++] ?? -1;
          const flags = FLAG_WRITE | (v >= 0 ? FLAG_VALUE_KNOWN | FLAG_INFERRED : 0);
          w.sensitive(op, pc, 3, v >= 0 ? v : 0, 8, flags);
          counts[C.cr3Writes]++;
        } else {
          w.sensitive(op, pc, cr < 0 ? 0 : cr, 0, 8, FLAG_WRITE);
        }
        return;
      }
      case SensitiveOp.In:
      case SensitiveOp.Out: {
        const write = op === SensitiveOp.Out;
        const a = this.#portAccess(write, cur.size[k] || 1);
        const port = a ? a.addr : (cur.reg[k] >= 0 ? cur.reg[k] : 0);
        const flags = (write ? FLAG_WRITE : 0) | (a ? FLAG_VALUE_KNOWN : 0);
        w.sensitive(op, pc, port, a ? a.value : 0, a ? a.size : (cur.size[k] || 1), flags);
        return;
      }
      case SensitiveOp.Ins:
      case SensitiveOp.Outs: {
        // Repeated forms are counted by their RepString record; a single one moves one element.
        w.sensitive(op, pc, 0, 0, cur.size[k] || 1, op === SensitiveOp.Outs ? FLAG_WRITE : 0);
        return;
      }
      default: {
        const reg = cur.reg[k] < 0 ? 0 : cur.reg[k];
        const write = op === SensitiveOp.Wrmsr || op === SensitiveOp.Lmsw ? FLAG_WRITE : 0;
        w.sensitive(op, pc, reg, 0, cur.size[k], write);
        if (op === SensitiveOp.Syscall) counts[C.syscalls]++;
        else if (op === SensitiveOp.Invlpg) counts[C.invlpg]++;
        else if (op === SensitiveOp.Cli) counts[C.cli]++;
        else if (op === SensitiveOp.Sti) counts[C.sti]++;
        else if (op === SensitiveOp.Pushf) counts[C.pushf]++;
        else if (op === SensitiveOp.Popf) counts[C.popf]++;
        else if (op === SensitiveOp.Iret) counts[C.iret]++;
      }
    }
  }
}
