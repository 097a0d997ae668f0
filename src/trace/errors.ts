/**
 * The error every malformed trace ends in. It carries where the problem is, so the CLI
 * can print one line ("file: chunk 3 at byte 81920: CRC mismatch") and exit with 2.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";

/** A trace file that cannot be read: truncated, corrupt, or of an unknown version. */
export class TraceFormatError extends InputError {
  /** The file (or in-memory name) being read. */
  readonly file: string;
  /** Index of the chunk being read, or -1 outside chunks (header, code table, index). */
  readonly chunk: number;
  /** Byte offset in the file where the problem was found (-1 when unknown). */
  readonly offset: number;
  /** The problem itself, without location. */
  readonly reason: string;

  /** Creates the error; the message combines file, chunk, offset and reason. */
  constructor(file: string, reason: string, offset = -1, chunk = -1) {
    const where = [
      chunk >= 0 ? `chunk ${chunk}` : "",
      offset >= 0 ? `byte ${offset}` : "",
    ].filter((s) => s !== "").join(" at ");
    super(`${file}: ${where ? `${where}: ` : ""}${reason}`);
    this.name = "TraceFormatError";
    this.file = file;
    this.chunk = chunk;
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * A trace that would break a format limit (docs/trace-format.md, "Limits") if written: a
 * writer refuses it rather than produce a file no reader accepts.
 */
export class TraceLimitError extends InputError {
  /** The file being written (or `<memory>`). */
  readonly file: string;
  /** The limit's name, as in the specification. */
  readonly limit: string;
  /** The limit's value. */
  readonly max: number;

  /** Creates the error; `what` says what would exceed the limit. */
  constructor(file: string, limit: string, max: number, what: string) {
    super(`${file}: cannot write the trace: ${what} (the format's ${limit} is ${max})`);
    this.name = "TraceLimitError";
    this.file = file;
    this.limit = limit;
    this.max = max;
  }
}
