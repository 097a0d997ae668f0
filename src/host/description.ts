/**
 * The host description: one JSON file naming the physical machine (pCPUs, memory,
 * platform profile, shared disk and NIC), the scheduler and the memory manager's
 * parameters, and the VMs with their traces, VMM configurations and resource controls.
 * Validated field by field like a platform file, with every size bounded before anything
 * is allocated; docs/host.md is the reference.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "../util/errors.ts";

/** Schema tag of a host description. */
export const HOST_SCHEMA = "vmmlab.host/1";

/** Upper bounds on every size a host file can ask for. */
export const HOST_LIMITS = {
  /** Bytes of a host file. */
  fileBytes: 1 << 20,
  /** Physical CPUs. */
  pcpus: 256,
  /** VMs. */
  vms: 512,
  /** Host memory in MB (1 TB). */
  memoryMB: 1 << 20,
  /** Memory of one VM in MB (64 GB: its page bitmap is sized from it). */
  vmMemoryMB: 1 << 16,
  /** Simulated duration in ms (10 min). */
  durationMs: 600_000,
  /** Points of the time series (per VM). */
  samples: 10_000,
  /** Timer rate of a guest, Hz. */
  timerHz: 10_000,
} as const;

/** ESX-style CPU controls (proportional share, Waldspurger & Weihl 1995; VMware ESX). */
export interface CpuControls {
  /** Relative CPU shares (default 1000, ESX's "normal" per vCPU). */
  shares: number;
  /** Guaranteed CPU in MHz (0 = none). */
  reservationMHz: number;
  /** Most CPU in MHz (0 = unlimited). */
  limitMHz: number;
  /** Xen credit weight (default 256). */
  weight: number;
  /** Xen credit cap, per cent of one pCPU (0 = uncapped). */
  cap: number;
}

/** Memory controls of one VM (Waldspurger 2002, section 5). */
export interface MemoryControls {
  /** Configured guest memory in MB (what the guest believes it has). */
  sizeMB: number;
  /** Guaranteed memory in MB (ESX "min", the reservation). */
  minMB: number;
  /** Most the host grants, MB (≤ size). */
  maxMB: number;
  /** Memory shares. */
  shares: number;
  /**
   * Guest memory touched before time 0, MB (absent: none): pages from guest-physical page
   * 0 up that are backed by host memory from the start, as after a guest that zeroes its
   * memory when it boots (Windows' zero page thread, Waldspurger 2002, section 5.4).
   */
  touchedMB?: number;
  /**
   * Where the VM's page contents come from (absent: nowhere): the latest `PageHash`
   * snapshot of VM index `vm` in `trace` (docs/trace-format.md). With the host's
   * `memory.sharing` on, every page the snapshot lists is backed from time 0 and pages of
   * any VMs with the same content share one host page (src/host/contents.ts).
   */
  contents?: { trace: string; traceAsWritten: string; vm: number };
}

/** The VMM configuration of one VM: the engine's model set. */
export interface VmmChoice {
  /** CPU model. */
  cpu: string;
  /** MMU model. */
  mmu: string;
  /** I/O model. */
  io: string;
  /** Memory model. */
  memory: string;
  /** Model options (`--option` keys). */
  options: Record<string, number | string | boolean>;
}

/** One VM of the host. */
export interface VmDescription {
  /** Name (unique; the table's row label). */
  name: string;
  /** Trace path, resolved against the host file's folder. */
  trace: string;
  /** The trace path as written in the file (echoed in results). */
  traceAsWritten: string;
  /** Model set. */
  vmm: VmmChoice;
  /** CPU controls. */
  cpu: CpuControls;
  /** Memory controls. */
  memory: MemoryControls;
  /** Guest timer rate (a halted guest wakes at its next tick). */
  timerHz: number;
  /**
   * Iterations replayed before the host's time 0 and left out of every figure, as if the
   * VM had been running for a while (translation caches and TLBs warm).
   */
  warmupIterations: number;
}

/** A shared device: requests are served one at a time in arrival order. */
export interface DeviceDescription {
  /** Transfer rate, bytes per second. */
  bytesPerSecond: number;
  /** Fixed service time per request (seek, setup, wire latency), µs. */
  latencyUs: number;
}

/** The host memory manager's parameters (Waldspurger 2002, sections 5 and 6). */
export interface MemoryManagerDescription {
  /** Idle memory tax rate in [0, 1) (ESX default 0.75). */
  taxRate: number;
  /** Working-set sampling period, ms (ESX: 30 s; short runs need shorter periods). */
  samplePeriodMs: number;
  /** Pages sampled per VM per period (ESX: 100). */
  sampleSize: number;
  /**
   * Content-based page sharing across VMs from their recorded contents (present only
   * when on; Waldspurger 2002, section 4).
   */
  sharing?: boolean;
}

/** The scheduler and its parameters. */
export interface SchedulerDescription {
  /** Registered scheduler name. */
  name: string;
  /** Time slice, ms (round robin; proportional share's quantum; Xen's tslice, default 30). */
  sliceMs: number;
}

/** A validated host description. */
export interface HostDescription {
  /** Name (from the file, else the file's name). */
  name: string;
  /** Where it came from (a path or `<data>`). */
  origin: string;
  /** Platform profile: a built-in name or a path resolved against the host file. */
  platform: string;
  /** Physical CPUs. */
  pcpus: number;
  /** Host memory, MB. */
  memoryMB: number;
  /** Simulated time, ms. */
  durationMs: number;
  /** Time-series interval, ms. */
  sampleMs: number;
  /** Seed of every random choice (working-set samples). */
  seed: number;
  /**
   * Sampled simulation: replay only the first `detailUs` µs of every slice and credit the
   * rest at the rate measured (0 = replay everything; see docs/host.md).
   */
  detailUs: number;
  /**
   * With `detailUs`, sample once per this many µs of a slice rather than once per slice
   * (0: once per slice). Must exceed `detailUs`.
   */
  detailPeriodUs: number;
  /**
   * Start VM i of n a fraction i/n of the way into its trace's loop (to the nearest
   * chunk), so that identical VMs are not in lockstep.
   */
  stagger: boolean;
  /** CPU scheduler. */
  scheduler: SchedulerDescription;
  /** Memory manager. */
  memory: MemoryManagerDescription;
  /** Shared disk. */
  disk: DeviceDescription;
  /** Shared NIC. */
  nic: DeviceDescription;
  /** The VMs, in file order (the order every tie is broken in). */
  vms: VmDescription[];
}

type Json = Record<string, unknown>;

class Fields {
  constructor(readonly origin: string, readonly at: string, readonly o: Json) {}

  static of(origin: string, at: string, v: unknown): Fields {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new ConfigError(origin, "must be an object", at || undefined);
    }
    return new Fields(origin, at, v as Json);
  }

  path(key: string): string {
    return this.at ? `${this.at}.${key}` : key;
  }

  only(keys: readonly string[]): void {
    for (const k of Object.keys(this.o)) {
      if (!keys.includes(k)) {
        throw new ConfigError(
          this.origin,
          `unknown field (known: ${keys.join(", ")})`,
          this.path(k),
        );
      }
    }
  }

  num(key: string, fallback: number | undefined, min: number, max: number, int = false): number {
    const v = this.o[key];
    if (v === undefined) {
      if (fallback === undefined) throw new ConfigError(this.origin, "is required", this.path(key));
      return fallback;
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      throw new ConfigError(
        this.origin,
        `must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`,
        this.path(key),
      );
    }
    if (int && !Number.isInteger(v)) {
      throw new ConfigError(this.origin, `must be an integer, got ${v}`, this.path(key));
    }
    return v;
  }

  str(key: string, fallback: string | undefined): string {
    const v = this.o[key];
    if (v === undefined) {
      if (fallback === undefined) throw new ConfigError(this.origin, "is required", this.path(key));
      return fallback;
    }
    if (typeof v !== "string" || v === "" || v.length > 4096) {
      throw new ConfigError(this.origin, "must be a non-empty string", this.path(key));
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.o[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") {
      throw new ConfigError(this.origin, "must be true or false", this.path(key));
    }
    return v;
  }

  sub(key: string): Fields {
    const v = this.o[key];
    return Fields.of(this.origin, this.path(key), v === undefined ? {} : v);
  }
}

const MODEL_NAME = /^[a-z][a-z0-9-]*$/;

function parseVmm(f: Fields): VmmChoice {
  f.only(["cpu", "mmu", "io", "memory", "options"]);
  const out: VmmChoice = {
    cpu: f.str("cpu", "native"),
    mmu: f.str("mmu", "native"),
    io: f.str("io", "native"),
    memory: f.str("memory", "none"),
    options: {},
  };
  for (const fam of ["cpu", "mmu", "io", "memory"] as const) {
    if (!MODEL_NAME.test(out[fam])) {
      throw new ConfigError(f.origin, "must be a lowercase model name", f.path(fam));
    }
  }
  const opts = f.sub("options");
  for (const k of Object.keys(opts.o).sort()) {
    const v = opts.o[k];
    if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean") {
      throw new ConfigError(f.origin, "must be a number, string or boolean", opts.path(k));
    }
    out.options[k] = v;
  }
  return out;
}

function parseDevice(
  f: Fields,
  fallback: DeviceDescription,
): DeviceDescription {
  f.only(["bytesPerSecond", "latencyUs"]);
  return {
    bytesPerSecond: f.num("bytesPerSecond", fallback.bytesPerSecond, 1, 1e12),
    latencyUs: f.num("latencyUs", fallback.latencyUs, 0, 1e6),
  };
}

/**
 * Default disk: a 2003-era SCSI disk (Barham et al. §4 used Dell 2650s with Ultra-160
 * disks): 50 MB/s sequential and a 5 ms average positioning time. Assumed values; a host
 * file that studies I/O should give its own.
 */
export const DEFAULT_DISK: Readonly<DeviceDescription> = { bytesPerSecond: 50e6, latencyUs: 5000 };

/** Default NIC: gigabit Ethernet (Barham et al. §4.2's Intel e1000), 125 MB/s, 20 µs per packet. */
export const DEFAULT_NIC: Readonly<DeviceDescription> = { bytesPerSecond: 125e6, latencyUs: 20 };

function parseVm(f: Fields, baseDir: string, index: number): VmDescription {
  f.only(["name", "trace", "vmm", "cpu", "memory", "timerHz", "warmupIterations"]);
  const name = f.str("name", `vm${index}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new ConfigError(
      f.origin,
      "must be 1-64 letters, digits, dot, dash or underscore",
      f.path("name"),
    );
  }
  const traceAsWritten = f.str("trace", undefined);
  const trace = isAbsolute(traceAsWritten) ? traceAsWritten : resolve(baseDir, traceAsWritten);
  const cpu = f.sub("cpu");
  cpu.only(["shares", "reservationMHz", "limitMHz", "weight", "cap"]);
  const controls: CpuControls = {
    shares: cpu.num("shares", 1000, 1, 1e9),
    reservationMHz: cpu.num("reservationMHz", 0, 0, 1e7),
    limitMHz: cpu.num("limitMHz", 0, 0, 1e7),
    weight: cpu.num("weight", 256, 1, 65535, true),
    cap: cpu.num("cap", 0, 0, 100 * HOST_LIMITS.pcpus),
  };
  if (controls.limitMHz > 0 && controls.limitMHz < controls.reservationMHz) {
    throw new ConfigError(f.origin, "limit is below the reservation", cpu.path("limitMHz"));
  }
  const mem = f.sub("memory");
  mem.only(["sizeMB", "minMB", "maxMB", "shares", "touchedMB", "contents"]);
  const sizeMB = mem.num("sizeMB", 256, 1, HOST_LIMITS.vmMemoryMB, true);
  const memory: MemoryControls = {
    sizeMB,
    minMB: mem.num("minMB", 0, 0, sizeMB, true),
    maxMB: mem.num("maxMB", sizeMB, 1, sizeMB, true),
    shares: mem.num("shares", sizeMB * 10, 1, 1e12),
  };
  const touchedMB = mem.num("touchedMB", 0, 0, sizeMB);
  if (touchedMB > 0) memory.touchedMB = touchedMB;
  if (mem.o.contents !== undefined) {
    const c = mem.sub("contents");
    c.only(["trace", "vm"]);
    const asWritten = c.str("trace", undefined);
    memory.contents = {
      trace: isAbsolute(asWritten) ? asWritten : resolve(baseDir, asWritten),
      traceAsWritten: asWritten,
      vm: c.num("vm", 0, 0, 4095, true),
    };
  }
  if (memory.maxMB < memory.minMB) {
    throw new ConfigError(f.origin, "max is below min", mem.path("maxMB"));
  }
  return {
    name,
    trace,
    traceAsWritten,
    vmm: parseVmm(f.sub("vmm")),
    cpu: controls,
    memory,
    timerHz: f.num("timerHz", 250, 1, HOST_LIMITS.timerHz, true),
    warmupIterations: f.num("warmupIterations", 0, 0, 10_000, true),
  };
}

/** `detailPeriodUs`: 0, or longer than `detailUs` (a period no longer than its window samples nothing). */
function detailPeriod(f: Fields): number {
  const period = f.num("detailPeriodUs", 0, 0, 1e7);
  const detail = f.num("detailUs", 0, 0, 1e7);
  if (period > 0 && !(period > detail && detail > 0)) {
    throw new ConfigError(
      f.origin,
      "must be 0 or longer than a non-zero detailUs",
      f.path("detailPeriodUs"),
    );
  }
  return period;
}

/**
 * Validates parsed host data. `origin` names it in errors; relative trace and platform
 * paths resolve against `baseDir` (the host file's folder).
 */
export function parseHost(data: unknown, origin: string, baseDir: string): HostDescription {
  const f = Fields.of(origin, "", data);
  f.only([
    "schema",
    "name",
    "platform",
    "pcpus",
    "memoryMB",
    "durationMs",
    "sampleMs",
    "seed",
    "detailUs",
    "detailPeriodUs",
    "stagger",
    "scheduler",
    "memory",
    "disk",
    "nic",
    "vms",
  ]);
  const schema = f.str("schema", undefined);
  if (schema !== HOST_SCHEMA) {
    throw new ConfigError(
      origin,
      `must be "${HOST_SCHEMA}", got ${JSON.stringify(schema)}`,
      "schema",
    );
  }
  const platformRaw = f.str("platform", "p4-prescott");
  const platform = platformRaw.endsWith(".json") || platformRaw.includes("/")
    ? (isAbsolute(platformRaw) ? platformRaw : resolve(baseDir, platformRaw))
    : platformRaw;
  const durationMs = f.num("durationMs", 100, 0.001, HOST_LIMITS.durationMs);
  const sampleMs = f.num("sampleMs", Math.max(durationMs / 100, 0.001), 0.001, durationMs);
  if (durationMs / sampleMs > HOST_LIMITS.samples) {
    throw new ConfigError(
      origin,
      `${Math.ceil(durationMs / sampleMs)} samples exceed ${HOST_LIMITS.samples}`,
      "sampleMs",
    );
  }
  const sched = f.sub("scheduler");
  sched.only(["name", "sliceMs"]);
  const schedName = sched.str("name", "proportional-share");
  if (!MODEL_NAME.test(schedName)) {
    throw new ConfigError(origin, "must be a lowercase scheduler name", sched.path("name"));
  }
  const mm = f.sub("memory");
  mm.only(["taxRate", "samplePeriodMs", "sampleSize", "sharing"]);
  const vmsRaw = f.o.vms;
  if (!Array.isArray(vmsRaw) || vmsRaw.length === 0) {
    throw new ConfigError(origin, "must be a non-empty list", "vms");
  }
  if (vmsRaw.length > HOST_LIMITS.vms) {
    throw new ConfigError(origin, `${vmsRaw.length} VMs exceed ${HOST_LIMITS.vms}`, "vms");
  }
  const vms = vmsRaw.map((v, i) => parseVm(Fields.of(origin, `vms[${i}]`, v), baseDir, i));
  const seen = new Set<string>();
  for (const [i, vm] of vms.entries()) {
    if (seen.has(vm.name)) {
      throw new ConfigError(origin, `duplicate VM name "${vm.name}"`, `vms[${i}].name`);
    }
    seen.add(vm.name);
  }
  const name = f.str("name", origin.replace(/^.*\//, "").replace(/\.json$/, ""));
  return {
    name,
    origin,
    platform,
    pcpus: f.num("pcpus", 1, 1, HOST_LIMITS.pcpus, true),
    memoryMB: f.num("memoryMB", 1024, 1, HOST_LIMITS.memoryMB, true),
    durationMs,
    sampleMs,
    seed: f.num("seed", 1, 0, Number.MAX_SAFE_INTEGER, true),
    detailUs: f.num("detailUs", 0, 0, 1e7),
    detailPeriodUs: detailPeriod(f),
    stagger: f.bool("stagger", false),
    scheduler: { name: schedName, sliceMs: sched.num("sliceMs", 0, 0, 10_000) },
    memory: {
      taxRate: mm.num("taxRate", 0.75, 0, 0.99),
      samplePeriodMs: mm.num("samplePeriodMs", 30_000, 0.01, HOST_LIMITS.durationMs),
      sampleSize: mm.num("sampleSize", 100, 1, 1 << 20, true),
      ...(mm.bool("sharing", false) ? { sharing: true } : {}),
    },
    disk: parseDevice(f.sub("disk"), DEFAULT_DISK),
    nic: parseDevice(f.sub("nic"), DEFAULT_NIC),
    vms,
  };
}

/** Reads and validates a host file; every mistake is one {@link ConfigError} naming the file. */
export function loadHost(path: string): HostDescription {
  let size: number;
  try {
    const st = Deno.statSync(path);
    if (!st.isFile) throw new ConfigError(path, "host file is not a regular file");
    size = st.size;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(path, `cannot read host file (${(e as Error).message})`);
  }
  if (size > HOST_LIMITS.fileBytes) {
    throw new ConfigError(path, `host file is ${size} bytes, more than ${HOST_LIMITS.fileBytes}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(Deno.readTextFileSync(path));
  } catch (e) {
    throw new ConfigError(path, `host file is not JSON (${(e as Error).message.split("\n")[0]})`);
  }
  return parseHost(data, path, dirname(resolve(path)));
}
