/**
 * The CPU scheduler contract of the host simulation and its registry. A scheduler is a
 * pluggable model like the engine's families: a module registers a factory by name
 * (built-ins at load, a user's file when `vmmlab host --model FILE` imports it), and the
 * host builds one per run. Every decision must be a pure function of the calls it saw:
 * ties go to the lowest VM index, never to host state.
 *
 * The host calls, per physical CPU in simulated-time order: `wake` for VMs whose wait
 * ended, `pick` (a VM index, or -1 to idle until `nextEvent`), `slice` for how long the
 * pick may run, then `charge` with the cycles it used, and `block` if it halted or waits
 * on I/O. A scheduler with `preempts` cuts a slice short where a waiting VM wakes that
 * should take the pCPU.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";
import type { CpuControls } from "./description.ts";

/** What a scheduler is built with. */
export interface SchedulerContext {
  /** Physical CPUs. */
  readonly pcpus: number;
  /** Cycles per second of every pCPU. */
  readonly clockHz: number;
  /** CPU controls of every VM, by VM index (each VM has one virtual CPU). */
  readonly vms: readonly CpuControls[];
  /** Time slice asked for in the host file, in cycles (0 = the scheduler's default). */
  readonly sliceCycles: number;
}

/** Documentation of a scheduler. */
export interface SchedulerInfo {
  /** One-line summary. */
  summary: string;
  /** The algorithm's source. */
  source: string;
}

/** A CPU scheduler for single-vCPU VMs on `pcpus` physical CPUs. */
export interface Scheduler {
  /** VM `vm` became runnable at `now` (its halt or I/O wait ended; all start runnable). */
  wake(vm: number, now: number): void;
  /** VM `vm` stopped being runnable at `now` (halted, or waits on I/O). */
  block(vm: number, now: number): void;
  /**
   * The VM to run on `pcpu` at `now`, chosen among those with `runnable[vm] === 1` (runnable
   * and on no pCPU), or -1 to leave the pCPU idle.
   */
  pick(pcpu: number, now: number, runnable: Uint8Array): number;
  /** Cycles `vm` (just picked) may run before the scheduler decides again. */
  slice(vm: number, now: number): number;
  /** `vm` ran `cycles` on a pCPU, ending at `now`. */
  charge(vm: number, cycles: number, now: number): void;
  /**
   * Earliest time after `now` at which a VM the scheduler holds back (a limit, a cap)
   * becomes eligible again; `Infinity` when none is held back.
   */
  nextEvent(now: number): number;
  /**
   * Whether `woken`, waking at `now`, takes the pCPU from `running` at once rather than
   * waiting for the end of its slice (Xen credit tickles a pCPU when a VM of strictly
   * higher priority wakes). Optional: a scheduler without it never preempts, and a VM
   * that wakes waits for the running slice to end.
   */
  preempts?(woken: number, running: number, now: number): boolean;
  /** Fraction of the whole host's CPU `vm` is entitled to when every VM competes. */
  entitlement(vm: number): number;
  /** Documentation. */
  describe(): SchedulerInfo;
}

/** Builds a scheduler for one host run. */
export type SchedulerFactory = (ctx: SchedulerContext) => Scheduler;

const registry = new Map<string, SchedulerFactory>();

/**
 * Makes a scheduler available by name. Built-ins call it at module load; a user's file
 * calls it when `vmmlab host --model FILE` imports it. A name twice is a {@link ConfigError}.
 */
export function registerScheduler(name: string, factory: SchedulerFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new ConfigError("registerScheduler", `scheduler name "${name}" must be lowercase-dashed`);
  }
  if (registry.has(name)) {
    throw new ConfigError("registerScheduler", `scheduler "${name}" is already registered`);
  }
  registry.set(name, factory);
}

/** Registered scheduler names, sorted. */
export function schedulerNames(): string[] {
  return [...registry.keys()].sort();
}

/** Builds scheduler `name`; an unknown name is a {@link ConfigError}. */
export function createScheduler(name: string, ctx: SchedulerContext): Scheduler {
  const f = registry.get(name);
  if (!f) {
    throw new ConfigError(
      "scheduler",
      `unknown scheduler "${name}" (known: ${schedulerNames().join(", ")})`,
      "name",
    );
  }
  return f(ctx);
}

/**
 * Entitlements as ESX documents them (VMware, "Resource Management Guide", ESX Server 3:
 * shares, reservation, limit): each VM first gets its reservation, the rest of the host
 * is divided in proportion to shares, and no VM gets more than its limit or than one
 * pCPU (a single vCPU); what a capped VM cannot use goes to the others by their shares
 * (water-filling). Returns fractions of the whole host (sum ≤ 1).
 */
export function entitlements(ctx: SchedulerContext): number[] {
  const n = ctx.vms.length;
  const mhz = ctx.clockHz / 1e6;
  const capacity = ctx.pcpus * mhz;
  const lo = ctx.vms.map((v) => Math.min(v.reservationMHz, mhz));
  const hi = ctx.vms.map((v, i) =>
    Math.max(lo[i], v.limitMHz > 0 ? Math.min(v.limitMHz, mhz) : mhz)
  );
  const out = new Array<number>(n).fill(0);
  const fixed = new Uint8Array(n);
  // Fix VMs at a bound until the proportional split respects every bound.
  for (let round = 0; round <= n; round++) {
    let free = capacity;
    let shares = 0;
    for (let i = 0; i < n; i++) {
      if (fixed[i]) free -= out[i];
      else shares += ctx.vms[i].shares;
    }
    // Reservations first (they take from the rest), then limits (they give to the rest).
    let changed = false;
    for (const pass of [0, 1]) {
      for (let i = 0; i < n; i++) {
        if (fixed[i]) continue;
        const want = shares > 0 ? Math.max(0, free) * ctx.vms[i].shares / shares : 0;
        if (pass === 0 ? want < lo[i] : want > hi[i]) {
          out[i] = pass === 0 ? lo[i] : hi[i];
          fixed[i] = 1;
          changed = true;
        } else out[i] = want;
      }
      if (changed) break;
    }
    if (!changed) break;
  }
  return out.map((x) => x / capacity);
}
