/**
 * The replay engine: streams a trace once and drives the native baseline and the
 * configured model set side by side, then assembles the result. The record loop
 * allocates nothing: the cursor reuses one record, guest state is a handful of fields,
 * and models charge typed arrays by id.
 *
 * @module
 */

import type { CodeTable } from "../trace/code_table.ts";
import { TraceReader } from "../trace/reader.ts";
import {
  Field,
  MarkerOp,
  MEM_IO,
  MEM_WRITE,
  RecordKind,
  SensitiveOp,
  TraceRecord,
} from "../trace/record.ts";
import { PAGE_SIZE } from "../trace/page.ts";
import { loadPlatform, withOverrides } from "../platforms/load.ts";
import type { RecordSource } from "./array_cursor.ts";
import { type FlatBatch, LAYOUTS } from "./flat_records.ts";
import { type ReplayConfig, resolveConfig, type ResolvedConfig } from "./config.ts";
import { type ModelChoice, SetContext } from "./context.ts";
import { ConfigError, InputError } from "../util/errors.ts";
import {
  checkOptionKeys,
  FAMILIES,
  modelInfo,
  MutableGuestState,
  type Platform,
  type TraceHeaderLike,
} from "./model.ts";
import { nonFinitePath, type Result, RESULT_SCHEMA } from "./result.ts";
import { ERA_OPTIONS, eraOmissions } from "../models/cpu/era.ts";
import { className } from "../models/cpu/sensitive_class.ts";
import { readOptions } from "./options.ts";
import { steadyState } from "./steady_state.ts";
import { type SanityHeader, sanityWarnings } from "./sanity.ts";
import "./builtins.ts";

/** A trace the engine can replay: a reader, or a hand-built {@link ArrayTrace}-like object. */
export interface ReplayInput {
  /** Header (workload, devices, page sizes). */
  readonly header: TraceHeaderLike & { readonly workload: string };
  /** Code table. */
  readonly code: CodeTable;
  /** A fresh cursor over the records to replay. */
  cursor(): RecordSource;
}

/** Identity of the replayed trace, echoed in the result. */
export interface TraceIdentity {
  /** Path or name as the user gave it. */
  path: string;
  /** Content hash (`sha256:...`), or "" for hand-built traces. */
  hash: string;
}

/** Records per call of the engine's inner loop (see {@link ReplayMachine.run}). */
const BATCH = 16384;

/** The models of the native baseline every slowdown is measured against. */
export const NATIVE_BASELINE: Readonly<ModelChoice> = {
  cpu: "native",
  mmu: "native",
  memory: "none",
  io: "native",
};

/** Whether `config` selects exactly the models of {@link NATIVE_BASELINE}. */
export function isNativeBaseline(config: ModelChoice): boolean {
  return config.cpu === NATIVE_BASELINE.cpu && config.mmu === NATIVE_BASELINE.mmu &&
    config.memory === NATIVE_BASELINE.memory && config.io === NATIVE_BASELINE.io;
}

/** The two model sets, their shared guest state, and the counters the loop keeps. */
export class ReplayMachine {
  /** Engine-kept guest state. */
  readonly guest: MutableGuestState = new MutableGuestState();
  /**
   * Native baseline set this machine steps: idle when another machine runs its baseline, or
   * when the configuration is the native baseline's own models and the caller asked for
   * `selfBaseline` ({@link native} is then {@link conf}).
   */
  readonly base: SetContext;
  /**
   * The native baseline the result measures against: {@link base}; {@link conf} in the
   * `selfBaseline` case; or the set another machine of a group replay runs for this one
   * (src/engine/group.ts).
   */
  readonly native: SetContext;
  /** Configured set. */
  readonly conf: SetContext;
  /** Records replayed. */
  records = 0;
  /** Iteration markers seen after the warm-up. */
  iterations = 0;
  /** Iterations whose charges are left out (models still see their records). */
  readonly warmup: number;
  /** Guest instructions of the warm-up. */
  warmupInstructions = 0;
  /** Measured iterations after which the replay stops (0: never; config `maxIterations`). */
  readonly maxIterations: number;
  /** Whether the replay stopped at {@link maxIterations} before the trace ended. */
  stopped = false;
  /** Per sensitive op: 1 when the run's era (option `cpu.era`) did not execute it. */
  readonly #omit: Uint8Array;
  /** Per sensitive op: the `era.omitted.CLASS` counter id in each set (-1: not omitted). */
  readonly #omitBase: Int32Array;
  readonly #omitConf: Int32Array;
  /**
   * The record {@link stepBatch} hands to models: each record's defined fields are written
   * into it, the others keep earlier records' values, as a trace cursor's record does.
   */
  readonly #record: TraceRecord = new TraceRecord();

  /**
   * Builds both sets for `input` under `config` on `platform`. `baseline` replaces the
   * native baseline's models (benchmarks measure the engine alone with it), or is the
   * baseline set of another machine that replays the same records under a configuration
   * with the same baseline (group.ts `baselineKey`): that machine runs it, and this one
   * steps an idle set in its place and reads its totals from it.
   *
   * With `selfBaseline`, a configuration of exactly the native baseline's models (and the
   * default `baseline`) is measured against its own configured set and the baseline set
   * stays idle: both would see the same calls and charge the same cycles (they differ only
   * in their random stream, which no baseline model draws from), so the native models run
   * once. Only a caller that touches neither set from outside may ask for it: the host
   * simulation flushes a VM's configured TLBs on a world switch, which the baseline must
   * not see, so it leaves this off.
   */
  constructor(
    input: ReplayInput,
    config: ResolvedConfig,
    platform: Platform,
    baseline: ModelChoice | SetContext = NATIVE_BASELINE,
    selfBaseline = false,
  ) {
    this.warmup = config.warmup;
    this.maxIterations = config.maxIterations;
    // A key no registered model declares is a typo: one line, before any model allocates.
    checkOptionKeys(config.options);
    const common = {
      platform,
      code: input.code,
      header: input.header,
      guest: this.guest,
      options: config.options,
      seed: config.seed,
    };
    const shared = baseline instanceof SetContext;
    const own = selfBaseline && !shared && baseline === NATIVE_BASELINE &&
      isNativeBaseline(config);
    this.base = new SetContext({
      ...common,
      baseline: true,
      models: shared || own ? null : baseline,
    });
    this.conf = new SetContext({
      ...common,
      baseline: false,
      models: { cpu: config.cpu, mmu: config.mmu, memory: config.memory, io: config.io },
    });
    this.native = shared ? baseline : own ? this.conf : this.base;
    this.#omit = eraOmissions(readOptions(config.options, ERA_OPTIONS)["cpu.era"]);
    this.#omitBase = new Int32Array(this.#omit.length).fill(-1);
    this.#omitConf = new Int32Array(this.#omit.length).fill(-1);
    for (let op = 0; op < this.#omit.length; op++) {
      if (this.#omit[op] === 0) continue;
      this.#omitBase[op] = this.base.counter(`era.omitted.${className(op)}`);
      this.#omitConf[op] = this.conf.counter(`era.omitted.${className(op)}`);
    }
    for (const w of sanityWarnings(config, platform, input.header as SanityHeader)) {
      this.conf.warn(w.key, w.message);
    }
    // A key only models outside this configuration declare is not an error (experiments
    // pass one option set to several configurations), but the result says it was unused.
    const declared = new Set<string>();
    for (const family of FAMILIES) {
      for (const key of Object.keys(modelInfo(family, config[family]).options ?? {})) {
        declared.add(key);
      }
    }
    for (const key of Object.keys(config.options)) {
      if (!declared.has(key)) {
        this.conf.warn(
          `option.${key}`,
          `option ${key} is not read by any model of this configuration (an option of a model not selected)`,
        );
      }
    }
  }

  /**
   * Replays every record of `source` through both sets, in batches of {@link BATCH}
   * records: a function called many times is compiled by the optimizing tier from its
   * entry and keeps that code, while one long loop runs in lower tiers until on-stack
   * replacement catches up, and those tiers box every address passed to a model.
   */
  run(source: RecordSource, code: CodeTable): void {
    while (this.#batch(source, code, BATCH) === BATCH && !this.stopped) { /* next batch */ }
  }

  /**
   * Replays up to `limit` records of `source` and returns how many there were: fewer
   * when the source ends (or stops). The host simulation drives a VM with it, slice by
   * slice, resuming where the last call stopped.
   */
  step(source: RecordSource, code: CodeTable, limit: number): number {
    return this.#batch(source, code, limit);
  }

  /**
   * Replays every record of `batch` (or up to where the replay stops), reading the hot
   * kinds (Exec, memory references) straight from the batch's arrays: a group replay
   * (src/engine/group.ts) steps several machines through one batch, and copying each
   * record through a cursor cost a tenth of their time. Models see the same record
   * fields, in the same order, as with {@link step} over a cursor of the same records.
   */
  stepBatch(batch: FlatBatch, code: CodeTable): number {
    const g = this.guest;
    const r = this.#record;
    const f = r.f;
    const kinds = batch.kinds, v = batch.values, length = batch.length;
    const bCpu = this.base.cpu, bMmu = this.base.mmu, bMem = this.base.memory;
    const cCpu = this.conf.cpu, cMmu = this.conf.mmu, cMem = this.conf.memory;
    const blockCpl = code.blockCpl;
    const bMemAccess = bMem.access ? bMem : null;
    const cMemAccess = cMem.access ? cMem : null;
    const bCaches = this.base.caches, cCaches = this.conf.caches;
    // An idle baseline (another machine runs it) skips the hot kinds' calls: its models
    // do nothing, and a call site seeing one model class less stays cheaper.
    const bLive = this.native === this.base;
    let records = 0, o = 0;
    while (records < length) {
      const kind = kinds[records++];
      if (kind >= 0x80 && kind <= 0x9f) {
        const va = v[o], pa = v[o + 1], size = v[o + 2], fl = v[o + 3];
        o += 4;
        f[Field.Addr] = va;
        f[Field.Paddr] = pa;
        f[Field.Size] = size;
        f[Field.Flags] = fl;
        if (bLive) bMmu.access(va, pa, size, fl);
        cMmu.access(va, pa, size, fl);
        if (bMemAccess !== null) bMemAccess.access!(va, pa, size, fl);
        if (cMemAccess !== null) cMemAccess.access!(va, pa, size, fl);
        if (cCaches !== null && (fl & MEM_IO) === 0) {
          if (bCaches !== null) bCaches.data(pa, (fl & MEM_WRITE) !== 0);
          cCaches.data(pa, (fl & MEM_WRITE) !== 0);
        }
        continue;
      }
      if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) {
        const b = v[o], n = v[o + 1];
        o += 2;
        f[Field.Block] = b;
        f[Field.Count] = n;
        g.block = b;
        g.cpl = blockCpl[b];
        g.instructions += n;
        if (bLive) bCpu.exec(b, n);
        cCpu.exec(b, n);
        if (cCaches !== null) {
          if (bCaches !== null) bCaches.fetch(b, n);
          cCaches.fetch(b, n);
        }
        continue;
      }
      const layout = LAYOUTS[kind];
      r.kind = kind;
      for (let j = 0; j < layout.length; j++) f[layout[j]] = v[o++];
      if (kind >= 0x80) {
        // A kind code past the memory-reference range: the cursor loop takes it for one.
        this.#reference(f[Field.Addr], f[Field.Paddr], f[Field.Size], f[Field.Flags]);
        continue;
      }
      if (this.#other(kind, r)) break;
    }
    this.records += records;
    return records;
  }

  /** Replays up to `limit` records; returns how many there were. */
  #batch(source: RecordSource, code: CodeTable, limit: number): number {
    const g = this.guest;
    const r = source.record;
    const f = r.f;
    const bCpu = this.base.cpu, bMmu = this.base.mmu, bMem = this.base.memory;
    const cCpu = this.conf.cpu, cMmu = this.conf.mmu, cMem = this.conf.memory;
    const blockCpl = code.blockCpl;
    const bMemAccess = bMem.access ? bMem : null;
    const cMemAccess = cMem.access ? cMem : null;
    const bCaches = this.base.caches, cCaches = this.conf.caches;
    let records = 0;
    while (records < limit && source.next()) {
      records++;
      const kind = r.kind;
      if (kind >= 0x80) {
        const va = f[Field.Addr], pa = f[Field.Paddr], size = f[Field.Size], fl = f[Field.Flags];
        bMmu.access(va, pa, size, fl);
        cMmu.access(va, pa, size, fl);
        if (bMemAccess !== null) bMemAccess.access!(va, pa, size, fl);
        if (cMemAccess !== null) cMemAccess.access!(va, pa, size, fl);
        // Device references are uncached; RAM references go through each set's caches.
        // (Both sets have caches or neither, unless the baseline is idle.)
        if (cCaches !== null && (fl & MEM_IO) === 0) {
          if (bCaches !== null) bCaches.data(pa, (fl & MEM_WRITE) !== 0);
          cCaches.data(pa, (fl & MEM_WRITE) !== 0);
        }
        continue;
      }
      if (kind === RecordKind.Exec || kind === RecordKind.ExecPartial) {
        const b = f[Field.Block];
        const n = f[Field.Count];
        g.block = b;
        g.cpl = blockCpl[b];
        g.instructions += n;
        bCpu.exec(b, n);
        cCpu.exec(b, n);
        if (cCaches !== null) {
          if (bCaches !== null) bCaches.fetch(b, n);
          cCaches.fetch(b, n);
        }
        continue;
      }
      if (this.#other(kind, r)) break;
    }
    this.records += records;
    return records;
  }

  /**
   * Every record kind but Exec, ExecPartial and memory references (the hot kinds each
   * loop handles inline), from the fields of `r`; true when the replay stops here.
   */
  #other(kind: number, r: TraceRecord): boolean {
    const g = this.guest;
    const f = r.f;
    const bCpu = this.base.cpu, bMmu = this.base.mmu, bMem = this.base.memory, bIo = this.base.io;
    const cCpu = this.conf.cpu, cIo = this.conf.io, cMmu = this.conf.mmu, cMem = this.conf.memory;
    const omit = this.#omit;
    switch (kind) {
      case RecordKind.Sensitive: {
        const op = f[Field.Op];
        g.pc = f[Field.Pc];
        if (op < omit.length && omit[op] !== 0) {
          this.base.events[this.#omitBase[op]] += 1;
          this.conf.events[this.#omitConf[op]] += 1;
          break;
        }
        if (op === SensitiveOp.Cli) g.interruptsEnabled = false;
        else if (op === SensitiveOp.Sti) g.interruptsEnabled = true;
        bCpu.sensitive(r);
        cCpu.sensitive(r);
        if (op === SensitiveOp.CrWrite && f[Field.Reg] === 3) {
          g.cr3 = f[Field.Value];
          bMmu.switchRoot(g.cr3);
          cMmu.switchRoot(g.cr3);
        } else if (op === SensitiveOp.Invlpg || op === SensitiveOp.Invpcid) {
          bMmu.invlpg(f[Field.Value]);
          cMmu.invlpg(f[Field.Value]);
        }
        break;
      }
      case RecordKind.PtWrite:
        g.pc = f[Field.Pc];
        bMmu.ptWrite(r);
        cMmu.ptWrite(r);
        break;
      case RecordKind.Exception:
        g.pc = f[Field.Pc];
        if (f[Field.Vector] === 14) {
          bMmu.pageFault(r);
          cMmu.pageFault(r);
        }
        bCpu.exception(r);
        cCpu.exception(r);
        break;
      case RecordKind.Interrupt:
        g.pc = f[Field.Pc];
        bCpu.interrupt(r);
        cCpu.interrupt(r);
        bIo.interrupt(r);
        cIo.interrupt(r);
        break;
      case RecordKind.Pio:
        bIo.pio(r);
        cIo.pio(r);
        break;
      case RecordKind.Mmio:
        bIo.mmio(r);
        cIo.mmio(r);
        break;
      case RecordKind.Dma:
        bIo.dma(r);
        cIo.dma(r);
        break;
      case RecordKind.BlockRequest:
        bIo.blockRequest(r);
        cIo.blockRequest(r);
        break;
      case RecordKind.NetRequest:
        bIo.netRequest(r);
        cIo.netRequest(r);
        break;
      case RecordKind.Marker:
        if (f[Field.Op] === MarkerOp.Iteration) {
          g.iteration++;
          if (g.iteration > this.warmup) this.iterations++;
          else if (g.iteration === this.warmup) this.#endWarmup();
        }
        bMem.marker(r);
        cMem.marker(r);
        // The window ends with the marker that ends its last iteration (markers end
        // iterations: docs/trace-format.md), so it holds whole iterations only.
        if (this.iterations === this.maxIterations && this.maxIterations > 0) {
          this.stopped = true;
          return true;
        }
        break;
      case RecordKind.PageHash:
        bMem.pageHash(r);
        cMem.pageHash(r);
        break;
      case RecordKind.PageRun:
        bMem.pageRun?.(r);
        cMem.pageRun?.(r);
        break;
      case RecordKind.RepString: {
        g.pc = f[Field.Pc];
        bCpu.repString(r);
        cCpu.repString(r);
        this.#repPages(
          f[Field.Addr],
          f[Field.Paddr],
          f[Field.Count] * f[Field.Size],
          f[Field.Flags],
        );
        break;
      }
      default:
        break;
    }
    return false;
  }

  /**
   * One memory reference through both sets, as the loops handle it inline: their hot
   * copies stay inline for speed, the rare kinds past the memory range come here.
   */
  #reference(va: number, pa: number, size: number, fl: number): void {
    this.base.mmu.access(va, pa, size, fl);
    this.conf.mmu.access(va, pa, size, fl);
    this.base.memory.access?.(va, pa, size, fl);
    this.conf.memory.access?.(va, pa, size, fl);
    const bCaches = this.base.caches, cCaches = this.conf.caches;
    if (cCaches !== null && (fl & MEM_IO) === 0) {
      if (bCaches !== null) bCaches.data(pa, (fl & MEM_WRITE) !== 0);
      cCaches.data(pa, (fl & MEM_WRITE) !== 0);
    }
  }

  #endWarmup(): void {
    this.base.endWarmup();
    this.conf.endWarmup();
    this.warmupInstructions = this.guest.instructions;
  }

  /** A collapsed string instruction touches each page it spans once per MMU. */
  #repPages(va: number, pa: number, bytes: number, flags: number): void {
    if (!(bytes > 0)) return;
    const fl = flags & 3;
    let off = 0;
    while (off < bytes) {
      const inPage = Math.min(
        PAGE_SIZE - ((va + off) % PAGE_SIZE + PAGE_SIZE) % PAGE_SIZE,
        bytes - off,
      );
      this.base.mmu.access(va + off, pa + off, inPage, fl);
      this.conf.mmu.access(va + off, pa + off, inPage, fl);
      this.base.memory.access?.(va + off, pa + off, inPage, fl);
      this.conf.memory.access?.(va + off, pa + off, inPage, fl);
      this.base.caches?.stream(pa + off, inPage);
      this.conf.caches?.stream(pa + off, inPage);
      off += inPage;
    }
  }

  /** Ends the run: every model's `finish()`, baseline first. */
  finish(): void {
    this.base.finish();
    this.conf.finish();
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Host measurements of one run (the only non-deterministic part of a result). */
export interface HostFigures {
  /** Wall-clock seconds of the record loop. */
  wallSeconds: number;
}

/**
 * Assembles the result object with the fixed key order of DESIGN.md "Results": schema,
 * trace, config, cycles, slowdown, breakdown, events, then engine extras, `host` last.
 */
export function buildResult(
  machine: ReplayMachine,
  input: ReplayInput,
  identity: TraceIdentity,
  config: ResolvedConfig,
  platform: Platform,
  host: HostFigures,
): Result {
  const native = machine.native.totalCycles();
  const virt = machine.conf.totalCycles();
  const it = machine.iterations;
  const div = it > 0 ? it : 1;
  const instructions = machine.guest.instructions - machine.warmupInstructions;
  const seconds = host.wallSeconds;
  const trace = {
    path: identity.path,
    hash: identity.hash,
    workload: input.header.workload,
    iterations: it,
  };
  const cycles = {
    native: round2(native),
    virtualized: round2(virt),
    perIteration: { native: round2(native / div), virtualized: round2(virt / div) },
  };
  const breakdown = machine.conf.breakdown(round2);
  const events = machine.conf.eventCounts();
  const result: Result = {
    schema: RESULT_SCHEMA,
    trace,
    config: {
      cpu: config.cpu,
      mmu: config.mmu,
      memory: config.memory,
      io: config.io,
      // A profile read from a file names the file too: a copy of a built-in profile with
      // edited costs must not pass for the built-in one in a result.
      platform: platform.origin === `platform ${platform.name}`
        ? platform.name
        : `${platform.name} (${platform.origin})`,
      seed: config.seed,
      warmup: config.warmup,
      // Only when set, so that results of whole traces keep their shape.
      ...(config.maxIterations > 0 ? { maxIterations: config.maxIterations } : {}),
      options: { ...config.options },
      // Only when set, so that results without overrides keep their shape.
      ...(Object.keys(config.platformSet).length > 0
        ? { platformSet: { ...config.platformSet } }
        : {}),
    },
    cycles,
    slowdown: native > 0 ? round6(virt / native) : 0,
    breakdown,
    events,
    // The window's figures above; the same without the one-time translation a long run
    // pays once, as the experiments report them (src/engine/steady_state.ts). First of
    // the engine's extras: DESIGN.md fixes the order of the keys before it.
    steady: steadyState({ trace, cycles, breakdown, events }),
    nativeBreakdown: machine.native.breakdown(round2),
    instructions,
    records: machine.records,
    warnings: machine.conf.warnings(),
    host: {
      wallSeconds: round6(seconds),
      recordsPerSecond: seconds > 0 ? Math.round(machine.records / seconds) : 0,
      instructionsPerSecond: seconds > 0 ? Math.round(instructions / seconds) : 0,
    },
  };
  // JSON would write NaN or an infinity as null, which reads as a value: refuse instead.
  const bad = nonFinitePath(result);
  if (bad !== null) {
    throw new InputError(
      `${identity.path}: replay gives a non-finite ${bad} (a cost or count overflowed)`,
    );
  }
  return result;
}

/** Replays an already-open input synchronously (tests, workers, the CLI all end here). */
export function replayInput(
  input: ReplayInput,
  config: ReplayConfig,
  identity: TraceIdentity = { path: input.header.workload, hash: "" },
): Result {
  const resolved = resolveConfig(config);
  const platform = withOverrides(loadPlatform(resolved.platform), resolved.platformSet);
  const machine = new ReplayMachine(input, resolved, platform, NATIVE_BASELINE, true);
  const t0 = performance.now();
  machine.run(input.cursor(), input.code);
  if (resolved.warmup > 0 && machine.guest.iteration <= resolved.warmup) {
    throw new ConfigError(
      "--warmup",
      `${resolved.warmup} warm-up iterations leave none of the trace's ${machine.guest.iteration} to measure`,
    );
  }
  machine.finish();
  const wall = (performance.now() - t0) / 1000;
  return buildResult(machine, input, identity, resolved, platform, { wallSeconds: wall });
}

/** Adapts an open {@link TraceReader} to a replay input. */
export function readerInput(reader: TraceReader): ReplayInput {
  return {
    header: reader.header,
    code: reader.code,
    cursor: () => reader.cursor(),
  };
}

/**
 * Opens a trace file (path) or trace bytes, runs `run` on it with the trace's identity,
 * and closes it again: the one way the library entry points read a trace, so that a
 * bad file rejects the promise instead of throwing.
 */
export function withTrace<T>(
  trace: string | Uint8Array,
  run: (input: ReplayInput, identity: TraceIdentity) => T,
): Promise<T> {
  try {
    const reader = typeof trace === "string"
      ? TraceReader.open(trace)
      : TraceReader.fromBytes(trace, "<memory>");
    try {
      const identity = {
        path: typeof trace === "string" ? trace : "<memory>",
        hash: reader.summary.contentHash,
      };
      return Promise.resolve(run(readerInput(reader), identity));
    } finally {
      reader.close();
    }
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * The library entry point: replays a trace file (path) or trace bytes under `config`
 * and returns the result. Bad input throws `InputError` subclasses (`ConfigError`,
 * `TraceFormatError`) with one-line messages.
 */
export function replay(trace: string | Uint8Array, config: ReplayConfig = {}): Promise<Result> {
  return withTrace(trace, (input, identity) => replayInput(input, config, identity));
}
