/**
 * The `hosted` I/O model: VMware Workstation's hosted architecture as Sugerman,
 * Venkitachalam and Lim measured it (USENIX ATC 2001). The VMM runs in its own world;
 * devices are emulated partly in the VMM and partly in a user-level VMApp on the host OS,
 * and every real I/O goes through the host's drivers. An access that needs the host pays
 * the path of the paper's Figure 5: VMM processing, a world switch to the host, the
 * VMApp, the host driver, the VMApp's return, a world switch back, and the return to the
 * guest. Every physical interrupt taken while the VMM world runs also switches to the
 * host.
 *
 * The paper's three optimizations are options, so its Table 3 configurations can be
 * replayed one by one:
 * - `io.hosted.vmmPorts`: accesses that need no real I/O are handled in the VMM
 *   (Workstation 2.0 sent every Lance data-port access to the VMApp);
 * - `io.hosted.sendCombining`: while the world-switch rate is high (an exponentially
 *   decaying count of host visits per period of guest instructions, at least
 *   `io.hosted.combineRate` per million instructions; 0 means always), transmits are
 *   queued in the VMM and sent during the next world switch an interrupt forces, or in a
 *   forced switch once `io.hosted.combineLimit` packets wait (3 in the paper);
 * - `io.hosted.irqNotification`: the host driver flags pending work in shared memory, so
 *   the VMApp need not call select() on each interrupt-induced switch.
 *
 * Trace convention: a request record (NetRequest, BlockRequest) follows the access that
 * started it (the "kick"), which is the last access to the same device before it.
 *
 * @module
 */

import { NetOp, RecordKind, type TraceRecord } from "../../trace/record.ts";
import { accessTransition, IoBase } from "./base.ts";
import { DeviceClass, isDataDevice } from "./device_class.ts";
import { perDeviceCosts } from "./device_costs.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";
import { declareOptions, optionError, readOptions } from "../../engine/options.ts";

/** The hosted model's configuration. */
export interface HostedConfig {
  /** Handle accesses that need no real I/O in the VMM (Sugerman section 4.1). */
  vmmPorts: boolean;
  /** Queue transmits and send them on interrupt-induced switches (section 4.2). */
  sendCombining: boolean;
  /** Queued packets that force a world switch (the paper's default is 3). */
  combineLimit: number;
  /** Host visits per million guest instructions above which transmits are combined (0: always). */
  combineRate: number;
  /** Guest instructions per period of the decaying visit-rate counter. */
  ratePeriod: number;
  /** Skip the VMApp's select() on interrupt-induced switches (section 4.3). */
  irqNotification: boolean;
}

/** Reads and checks the hosted options; defaults are Workstation 2.0 (no optimization). */
export function hostedConfig(options: IoOptions): HostedConfig {
  const o = readOptions(options, HOSTED_OPTIONS);
  const c: HostedConfig = {
    vmmPorts: o["io.hosted.vmmPorts"],
    sendCombining: o["io.hosted.sendCombining"],
    combineLimit: o["io.hosted.combineLimit"],
    combineRate: o["io.hosted.combineRate"],
    ratePeriod: o["io.hosted.ratePeriod"],
    irqNotification: o["io.hosted.irqNotification"],
  };
  if (c.sendCombining && !c.vmmPorts) {
    throw optionError(
      "io.hosted.sendCombining",
      "send combining needs io.hosted.vmmPorts: the VMM can delay only a transmit it emulates",
    );
  }
  return c;
}

/** The options of `hosted` (besides the common I/O options); defaults are Workstation 2.0. */
export const HOSTED_OPTIONS = declareOptions({
  "io.hosted.vmmPorts": {
    type: "boolean",
    default: false,
    doc: "handle accesses that need no real I/O in the VMM (Sugerman et al. section 4.1)",
  },
  "io.hosted.sendCombining": {
    type: "boolean",
    default: false,
    doc: "queue transmits in the VMM; every switch to the host (interrupt, forced flush, end " +
      "of trace) sends the queue (section 4.2); needs io.hosted.vmmPorts",
  },
  "io.hosted.combineLimit": {
    type: "integer",
    default: 3,
    min: 1,
    max: 1 << 20,
    unit: "packets",
    doc: "queued packets that force a world switch (the paper's default)",
  },
  "io.hosted.combineRate": {
    type: "number",
    default: 0,
    min: 0,
    max: 1e6,
    doc: "combine only while the decaying host-visit rate is at least this many visits per " +
      "million guest instructions (0: always)",
  },
  "io.hosted.ratePeriod": {
    type: "integer",
    default: 1_000_000,
    min: 1,
    max: 1e15,
    unit: "instructions",
    doc: "guest instructions per period of that counter: each period halves the rate and adds " +
      "half the period's visits",
  },
  "io.hosted.irqNotification": {
    type: "boolean",
    default: false,
    doc: "no select() on interrupt-induced world switches (section 4.3)",
  },
});

/** No access is waiting to be resolved. */
const NONE = 0;
/** The last access is handled in the VMM unless a request upgrades it. */
const IN_VMM = 1;
/** The last access goes to the VMApp (a world switch) unless a request upgrades it. */
const TO_VMAPP = 2;

/**
 * Port offset of the Lance (PCnet) register address port in word I/O mode. The register
 * address latch has memory semantics, so Workstation handled it in the VMM even before the
 * optimizations (Sugerman section 3.4).
 */
const LANCE_RAP_OFFSET = 0x12;

/** Hosted I/O: world switches to the host OS for real I/O and for physical interrupts. */
export class HostedIo extends IoBase {
  /** The configuration in force. */
  readonly config: HostedConfig;
  // Costs (cycles).
  readonly #vmmOut: number;
  readonly #toHost: number;
  readonly #vmapp: number;
  readonly #driver: number;
  readonly #vmappReturn: number;
  readonly #toVmm: number;
  readonly #returnToVm: number;
  readonly #vmmAccess: Float64Array;
  readonly #driverRx: number;
  readonly #hostBlock: number;
  readonly #hostIrq: number;
  readonly #select: number;
  // Categories.
  readonly #cVmmOut: number;
  readonly #cToHost: number;
  readonly #cVmapp: number;
  readonly #cDriver: number;
  readonly #cVmappReturn: number;
  readonly #cToVmm: number;
  readonly #cReturnToVm: number;
  readonly #cVmmAccess: number;
  readonly #cHostIrq: number;
  readonly #cSelect: number;
  // Events.
  readonly #eSwitches: number;
  readonly #eVisits: number;
  readonly #eQueued: number;
  readonly #eForced: number;
  readonly #eSelect: number;
  readonly #eUnkicked: number;
  // Which device slots the VMApp emulates (data devices), and which are Lance-like.
  readonly #vmappDevice: Uint8Array;
  readonly #lance: Uint8Array;
  // State.
  #pending = NONE;
  #pendingSlot = 0;
  #queued = 0;
  #periodStart = 0;
  #periodVisits = 0;
  #rate = 0;

  /** Reads the Sugerman cost components and the options. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    const c = this.config = hostedConfig(options);
    this.#vmmOut = costs.cycles("io.hosted.vmm-out");
    this.#toHost = costs.cycles("io.hosted.world-switch-to-host");
    this.#vmapp = costs.cycles("io.hosted.vmapp");
    this.#driver = costs.cycles("io.hosted.host-driver");
    this.#vmappReturn = costs.cycles("io.hosted.vmapp-return");
    this.#toVmm = costs.cycles("io.hosted.world-switch-to-vmm");
    this.#returnToVm = costs.cycles("io.hosted.return-to-vm");
    this.#vmmAccess = perDeviceCosts(costs, "io.hosted.vmm-access", this.classes);
    this.#driverRx = costs.cycles("io.hosted.host-driver-rx");
    this.#hostBlock = costs.cycles("io.hosted.host-block");
    this.#hostIrq = costs.cycles("io.hosted.host-irq");
    this.#select = c.irqNotification ? 0 : costs.cycles("io.hosted.select");

    this.#cVmmOut = env.category("io.hosted.vmm-out");
    this.#cToHost = env.category("io.world-switch.to-host");
    this.#cVmapp = env.category("io.hosted.vmapp");
    this.#cDriver = env.category("io.hosted.host-driver");
    this.#cVmappReturn = env.category("io.hosted.vmapp-return");
    this.#cToVmm = env.category("io.world-switch.to-vmm");
    this.#cReturnToVm = env.category("io.hosted.return-to-vm");
    this.#cVmmAccess = env.category("io.hosted.vmm-access");
    this.#cHostIrq = env.category("io.hosted.host-irq");
    this.#cSelect = env.category("io.hosted.select");

    this.#eSwitches = env.counter("world-switches");
    this.#eVisits = env.counter("io.host-visits");
    this.#eQueued = env.counter("io.hosted.packets-combined");
    this.#eForced = env.counter("io.hosted.forced-flushes");
    this.#eSelect = env.counter("io.hosted.select-calls");
    this.#eUnkicked = env.counter("io.requests-without-kick");

    const n = this.classes.length;
    this.#vmappDevice = new Uint8Array(n);
    this.#lance = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.#vmappDevice[i] = isDataDevice(this.classes[i]) ? 1 : 0;
      const name = i < devices.length ? devices[i].toLowerCase() : "";
      this.#lance[i] = this.classes[i] === DeviceClass.Nic && /lance|pcnet/.test(name) ? 1 : 0;
    }
  }

  // --- the pieces of a host visit -------------------------------------------------

  #switchToHost(): void {
    this.env.cycles[this.#cToHost] += this.#toHost;
    this.env.events[this.#eSwitches] += 1;
    this.env.events[this.#eVisits] += 1;
    this.#periodVisits += 1;
  }

  /**
   * Whether the VMM is in send-combining mode: the decaying host-visit rate, brought up to
   * date with the guest's instruction clock, is at least `combineRate`. Each elapsed period
   * halves the rate and adds half of that period's visits per million instructions.
   */
  #combining(): boolean {
    const c = this.config;
    if (c.combineRate === 0) return true;
    const elapsed = Math.floor((this.env.currentInstructions() - this.#periodStart) / c.ratePeriod);
    if (elapsed > 0) {
      this.#rate = this.#rate / 2 + (this.#periodVisits * 1e6 / c.ratePeriod) / 2;
      this.#periodVisits = 0;
      for (let i = 1; i < elapsed && i < 64; i++) this.#rate /= 2;
      if (elapsed >= 64) this.#rate = 0;
      this.#periodStart += elapsed * c.ratePeriod;
    }
    return this.#rate >= c.combineRate;
  }

  #switchToVmm(): void {
    this.env.cycles[this.#cToVmm] += this.#toVmm;
    this.env.events[this.#eSwitches] += 1;
  }

  /** The host driver sends every queued packet plus `extra` more; then the VMApp returns. */
  #sendPackets(extra: number): void {
    const n = this.#queued + extra;
    this.#queued = 0;
    if (n === 0) return;
    this.env.cycles[this.#cDriver] += n * this.#driver;
    this.env.cycles[this.#cVmappReturn] += this.#vmappReturn;
  }

  /**
   * A trapped access that needs the VMApp: VMM processing, switch, VMApp, optional host
   * work (`packets` transmits, or a disk request when `block`), switch back, return to
   * the guest. `trapped` is false for a request whose kick the trace did not record.
   */
  #visit(trapped: boolean, packets: number, block: boolean): void {
    const cy = this.env.cycles;
    if (trapped) cy[this.#cVmmOut] += this.#vmmOut;
    this.#switchToHost();
    cy[this.#cVmapp] += this.#vmapp;
    if (block) {
      cy[this.#cDriver] += this.#hostBlock;
      cy[this.#cVmappReturn] += this.#vmappReturn;
    }
    // Any switch to the host empties the send-combining queue.
    this.#sendPackets(packets);
    this.#switchToVmm();
    if (trapped) cy[this.#cReturnToVm] += this.#returnToVm;
  }

  /** Charges the waiting access as what it turned out to be: handled in the VMM, or a VMApp visit. */
  #resolve(): void {
    if (this.#pending === IN_VMM) {
      this.env.cycles[this.#cVmmAccess] += this.#vmmAccess[this.#pendingSlot];
    } else if (this.#pending === TO_VMAPP) {
      this.#visit(true, 0, false);
    }
    this.#pending = NONE;
  }

  /** Whether the waiting access is the kick of a request to `slot` (and takes it if so). */
  #takeKick(slot: number): boolean {
    if (this.#pending !== NONE && this.#pendingSlot === slot) {
      this.#pending = NONE;
      return true;
    }
    this.#resolve();
    this.env.events[this.#eUnkicked] += 1;
    return false;
  }

  #access(r: TraceRecord): void {
    this.#resolve();
    this.countAccess();
    const slot = this.slot(r);
    this.env.vmmTransition(accessTransition(r), this.env.currentPc());
    this.env.events[this.evTraps] += 1;
    const latched = this.#lance[slot] === 1 && r.kind === RecordKind.Pio &&
      (r.reg & 0x1f) === LANCE_RAP_OFFSET;
    this.#pending = this.#vmappDevice[slot] === 1 && !this.config.vmmPorts && !latched
      ? TO_VMAPP
      : IN_VMM;
    this.#pendingSlot = slot;
  }

  /** A port access: always a trap; the host is involved only if it turns out to need it. */
  pio(r: TraceRecord): void {
    this.#access(r);
  }

  /** An MMIO access, treated like a port access. */
  mmio(r: TraceRecord): void {
    this.#access(r);
  }

  /** A packet: a transmit needs the host driver (now, or later when send combining queues it). */
  override netRequest(r: TraceRecord): void {
    super.netRequest(r);
    if (r.op === NetOp.Receive) {
      // The VMApp reads the packet from the host driver during the interrupt-induced visit.
      this.#resolve();
      this.env.cycles[this.#cDriver] += this.#driverRx;
      return;
    }
    const kicked = this.#takeKick(this.slot(r));
    if (!this.config.sendCombining || !this.#combining()) {
      this.#visit(kicked, 1, false);
      return;
    }
    this.#queued += 1;
    this.env.events[this.#eQueued] += 1;
    if (this.#queued >= this.config.combineLimit) {
      this.env.events[this.#eForced] += 1;
      this.#visit(kicked, 0, false);
    } else if (kicked) {
      // The VMM queued the packet itself: the kick was handled without leaving the VMM world.
      this.#pending = IN_VMM;
      this.#resolve();
    }
  }

  /** A disk request: the VMApp reads or writes the disk image through the host. */
  override blockRequest(r: TraceRecord): void {
    super.blockRequest(r);
    this.#visit(this.#takeKick(this.slot(r)), 0, true);
  }

  /** DMA is part of the host driver's work here: counted, not charged. */
  override dma(r: TraceRecord): void {
    this.#resolve();
    super.dma(r);
  }

  /**
   * A device interrupt: the physical interrupt hit while the VMM world ran, so the host
   * takes it (switch, host handler), the VMApp polls with select() unless notified through
   * shared memory, and queued transmits go out. The VMM's own fielding of the interrupt
   * and the injection of the virtual one are the CPU model's (`cpu.interrupt`).
   */
  override interrupt(r: TraceRecord): void {
    this.#resolve();
    super.interrupt(r);
    const cy = this.env.cycles;
    this.#switchToHost();
    cy[this.#cHostIrq] += this.#hostIrq;
    if (!this.config.irqNotification) {
      cy[this.#cSelect] += this.#select;
      this.env.events[this.#eSelect] += 1;
    }
    this.#sendPackets(0);
    this.#switchToVmm();
  }

  /** Charges the last access and flushes queued packets (the next timer tick would). */
  override finish(): void {
    this.#resolve();
    if (this.#queued > 0) {
      this.env.events[this.#eForced] += 1;
      this.#visit(false, 0, false);
    }
  }
}

/**
 * The configurations of Sugerman et al.'s Table 3 (idle time while transmitting), keyed
 * like `sugerman2001.table3_idle_percent` in the published reference, as option maps for
 * `--io hosted`; the experiment replays one trace under each and derives idle time from
 * busy cycles per packet (`io.packets.tx`). `native` is the `--io native` baseline.
 */
export const SUGERMAN_TABLE3_OPTIONS: Readonly<Record<string, Readonly<Record<string, boolean>>>> =
  {
    workstation_2_0: {
      "io.hosted.vmmPorts": false,
      "io.hosted.sendCombining": false,
      "io.hosted.irqNotification": false,
    },
    without_send_combining_and_irq_notification: {
      "io.hosted.vmmPorts": true,
      "io.hosted.sendCombining": false,
      "io.hosted.irqNotification": false,
    },
    without_irq_notification: {
      "io.hosted.vmmPorts": true,
      "io.hosted.sendCombining": true,
      "io.hosted.irqNotification": false,
    },
    optimized_vm: {
      "io.hosted.vmmPorts": true,
      "io.hosted.sendCombining": true,
      "io.hosted.irqNotification": true,
    },
  };
