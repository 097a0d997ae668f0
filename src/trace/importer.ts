/**
 * The importer interface: a converter from another tool's trace format into a `.vmt`.
 * An importer is one module that implements {@link TraceImporter} and calls
 * {@link registerImporter} when loaded; `vmmlab import NAME FILE` then reaches it with the
 * options every importer shares (`--out`, `--workload`, `--chunk-records`), so adding a
 * format (valgrind lackey today; DynamoRIO drmemtrace or ChampSim next) touches that
 * module and one import line in importers.ts, nothing in the command line.
 *
 * @module
 */

import type { TraceSummary } from "./header.ts";
import type { TraceWriterOptions } from "./writer.ts";

/** Options every importer takes; the writer options size the output's chunks. */
export interface ImportOptions extends TraceWriterOptions {
  /** Workload name for the header (default: the input file's base name). */
  workload?: string;
  /** Command that produced the input, for the header's `source.command`. */
  command?: string;
}

/** A converter from one foreign trace format into `.vmt`. */
export interface TraceImporter {
  /** Lowercase-dashed name: the subcommand `vmmlab import NAME`. */
  readonly name: string;
  /** One line for `--help` and docs/importers.md: what the input is and what is lost. */
  readonly summary: string;
  /** What the FILE argument is, for `--help` (e.g. `lackey output (text)`). */
  readonly input: string;
  /**
   * Streams `input` into a `.vmt` at `output` (written atomically: nothing appears there
   * on failure) and returns the trace's summary. Malformed input is an `InputError`
   * naming the file and the line or offset; every size read from the input is bounded
   * before it is allocated or looped over. The header's `source` and `inferred` must say
   * what the format cannot tell (privilege, physical addresses, opcode bytes ...).
   */
  import(input: string, output: string, options: ImportOptions): Promise<TraceSummary>;
}

const registry = new Map<string, TraceImporter>();

/**
 * Makes an importer reachable as `vmmlab import NAME`. Built-in importers call it when
 * their module loads. A name must be lowercase-dashed and registered once.
 */
export function registerImporter(importer: TraceImporter): void {
  if (!/^[a-z][a-z0-9-]*$/.test(importer.name)) {
    throw new Error(`importer name "${importer.name}" must be lowercase-dashed`);
  }
  if (registry.has(importer.name)) {
    throw new Error(`importer "${importer.name}" is already registered`);
  }
  registry.set(importer.name, importer);
}

/** The registered importers, sorted by name. */
export function importers(): TraceImporter[] {
  return [...registry.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
