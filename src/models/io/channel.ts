/**
 * The `channel` I/O model: mainframe channel I/O as a VMM such as VM/370's CP virtualizes
 * it. The guest describes a whole operation as a channel program and starts it with one
 * privileged instruction; the VMM intercepts that single start, translates the program
 * (each command word, and each page of the data area from guest to host addresses, pinning
 * it), and starts the real channel, which moves the data without the CPU. The register
 * accesses the trace's native driver made to a network or disk device are the commands
 * such a program carries: they are folded into the program of the device's next request
 * instead of trapping one by one (DMA costs the CPU nothing: the channel moves the data).
 * Devices without channels (interrupt controller, timer, ...) stay fully emulated, and so
 * do data-device accesses that no request follows.
 *
 * @module
 */

import { BlockOp, type TraceRecord } from "../../trace/record.ts";
import { Transition } from "../../engine/model.ts";
import { accessTransition, IoBase } from "./base.ts";
import { isDataDevice } from "./device_class.ts";
import type { IoCostSource, IoEnv } from "./env.ts";
import type { IoOptions } from "./options.ts";
import { PAGE_SIZE } from "../../trace/page.ts";

/** Bytes addressed by one indirect-data-address word: the unit of data-area translation. */

/** One trap per channel program; accesses to data devices are folded into programs. */
export class ChannelIo extends IoBase {
  readonly #data: Uint8Array;
  readonly #folded: Float64Array;
  readonly #firstPc: Float64Array;
  readonly #firstReason: Uint8Array;
  readonly #start: number;
  readonly #ccw: number;
  readonly #page: number;
  readonly #cStart: number;
  readonly #cCcw: number;
  readonly #cPage: number;
  readonly #ePrograms: number;
  readonly #eCcws: number;
  readonly #ePages: number;
  readonly #eFolded: number;

  /** Reads `io.channel.*` and `io.emulate.<class>`. */
  constructor(env: IoEnv, costs: IoCostSource, devices: readonly string[], options: IoOptions) {
    super(env, costs, devices, options);
    const n = this.classes.length;
    this.#data = new Uint8Array(n);
    for (let i = 0; i < n; i++) this.#data[i] = isDataDevice(this.classes[i]) ? 1 : 0;
    this.enableEmulation();
    this.#folded = new Float64Array(n);
    this.#firstPc = new Float64Array(n);
    this.#firstReason = new Uint8Array(n);
    this.#start = costs.cycles("io.channel.start");
    this.#ccw = costs.cycles("io.channel.ccw");
    this.#page = costs.cycles("io.channel.page");
    this.#cStart = env.category("io.channel.start");
    this.#cCcw = env.category("io.channel.ccw");
    this.#cPage = env.category("io.channel.translate");
    this.#ePrograms = env.counter("io.channel.programs");
    this.#eCcws = env.counter("io.channel.ccws");
    this.#ePages = env.counter("io.channel.pages");
    this.#eFolded = env.counter("io.channel.folded-accesses");
  }

  #access(r: TraceRecord): void {
    this.countAccess();
    const slot = this.slot(r);
    const pc = this.env.currentPc();
    if (this.#data[slot] === 0) {
      this.emulateAccess(slot, accessTransition(r), pc);
      return;
    }
    if (this.#folded[slot] === 0) {
      this.#firstPc[slot] = pc;
      this.#firstReason[slot] = accessTransition(r);
    }
    this.#folded[slot] += 1;
    this.env.events[this.#eFolded] += 1;
  }

  /** A data device's command goes into its next channel program; other devices trap. */
  pio(r: TraceRecord): void {
    this.#access(r);
  }

  /** As for port accesses. */
  mmio(r: TraceRecord): void {
    this.#access(r);
  }

  /** A disk request is one channel program. */
  override blockRequest(r: TraceRecord): void {
    super.blockRequest(r);
    this.#program(this.slot(r), r.op === BlockOp.Flush ? 0 : r.length);
  }

  /** A packet is one channel program. */
  override netRequest(r: TraceRecord): void {
    super.netRequest(r);
    this.#program(this.slot(r), r.length);
  }

  /** One start trap, translation of every command word and of every data page. */
  #program(slot: number, bytes: number): void {
    const folded = this.#folded[slot];
    const pc = folded > 0 ? this.#firstPc[slot] : this.env.currentPc();
    this.#folded[slot] = 0;
    const ccws = folded > 0 ? folded : 1;
    const pages = Math.ceil(bytes / PAGE_SIZE);
    this.env.vmmTransition(folded > 0 ? this.#firstReason[slot] : Transition.Pio, pc);
    const cy = this.env.cycles;
    const ev = this.env.events;
    ev[this.evTraps] += 1;
    ev[this.#ePrograms] += 1;
    ev[this.#eCcws] += ccws;
    ev[this.#ePages] += pages;
    cy[this.#cStart] += this.#start;
    cy[this.#cCcw] += ccws * this.#ccw;
    cy[this.#cPage] += pages * this.#page;
  }

  /** Commands never followed by a request (status reads at the end) trap one by one. */
  override finish(): void {
    for (let s = 0; s < this.#folded.length; s++) {
      const n = this.#folded[s];
      this.#folded[s] = 0;
      for (let i = 0; i < n; i++) this.emulateAccess(s, this.#firstReason[s], this.#firstPc[s]);
    }
  }
}
