/**
 * What an I/O mechanism needs from its surroundings, kept as two small interfaces so the
 * mechanisms are testable without the engine: a sink for cycles and events (the engine's
 * `ModelContext` satisfies it through a thin adapter) and a source of platform costs.
 *
 * @module
 */

/**
 * The accounting and transition services an I/O mechanism charges into. Categories and
 * counters are registered once by name at construction and then charged by id, so the
 * replay loop touches only typed arrays.
 */
export interface IoEnv {
  /** Registers (or finds) a cycle category by its stable dotted name and returns its id. */
  category(name: string): number;
  /** Registers (or finds) an event counter by its stable dotted name and returns its id. */
  counter(name: string): number;
  /** Cycles by category id; read through the env on every charge because it may be replaced. */
  readonly cycles: Float64Array;
  /** Event counts by counter id. */
  readonly events: Float64Array;
  /**
   * Charges getting from the guest into the VMM and back for `reason` (a `Transition`
   * code of src/engine/model.ts) under the CPU technique in use (a trap, a callout, a
   * hypercall, a VM exit): the I/O model decides *when* the guest must leave, the CPU
   * model knows what leaving costs and counts the exit.
   */
  vmmTransition(reason: number, pc: number): void;
  /** The guest code address of the instruction being replayed (0 when the engine does not know). */
  currentPc(): number;
  /** Guest instructions replayed so far: the models' clock for rates measured over time. */
  currentInstructions(): number;
}

/**
 * Platform costs as the I/O models read them: every value in cycles of the platform's
 * clock (profiles given in microseconds or nanoseconds are converted by the platform).
 */
export interface IoCostSource {
  /** The profile's name or file, for error messages. */
  readonly origin: string;
  /** Whether the profile defines `key`; used only to fall back from a per-class key to a default. */
  has(key: string): boolean;
  /** The cost of `key` in cycles; throws `ConfigError` naming the key when it is missing. */
  cycles(key: string): number;
  /** A structural parameter (IOTLB entries, walk levels); a missing key is a `ConfigError`. */
  param(key: string): number;
}
