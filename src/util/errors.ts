/**
 * Error classes for a user's mistakes. Each carries the data that locates the mistake
 * and an exit status, so the CLI can print one line and exit without a stack trace;
 * any other exception is a bug in vmmlab and keeps its stack.
 *
 * @module
 */

/** A mistake in what the user gave vmmlab: a trace, a configuration, a model file. Exit status 2. */
export class InputError extends Error {
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number = 2;

  /** Creates an input error with a one-line, sentence-case message. */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** A configuration the engine cannot run: unknown model, bad cost, missing platform field. */
export class ConfigError extends InputError {
  /** Where the configuration came from (a file path, `--cpu`, a platform name). */
  readonly source: string;
  /** The offending field, in dotted form, when there is one. */
  readonly field: string | undefined;

  /** Creates a configuration error naming its source and field. */
  constructor(source: string, message: string, field?: string) {
    super(`${source}: ${field ? `${field}: ` : ""}${message}`);
    this.name = "ConfigError";
    this.source = source;
    this.field = field;
  }
}

/** A command-line usage mistake (missing argument, unknown option). Exit status 1. */
export class UsageError extends Error {
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number = 1;

  /** Creates a usage error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
