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

/**
 * The machine vmmlab runs on refused an operation: a full disk, a read-only file system, a
 * missing folder, no permission, a device where a file was expected. Not a bug in vmmlab
 * and not a mistake in a trace, but still the user's to fix, so exit status 2 with one line
 * naming the path and the cause.
 */
export class EnvironmentError extends InputError {
  /** The path the operation was on, when known. */
  readonly path: string | undefined;
  /** The operating system's error code (`ENOSPC`, `EROFS`, ...), when known. */
  readonly code: string | undefined;

  /** Creates an environment error from a path, a cause and an OS error code. */
  constructor(path: string | undefined, cause: string, code?: string) {
    super(`${path === undefined ? "" : `${path}: `}${cause}${code ? ` (${code})` : ""}`);
    this.name = "EnvironmentError";
    this.path = path;
    this.code = code;
  }
}

// Deno's OS errors read "Cause (os error N): op 'path'" or "...: rename 'from' -> 'to'".
const OS_MESSAGE = /^(.*?) \(os error \d+\)(?:: \w+ '([^']*)'(?: -> '([^']*)')?)?$/s;

/**
 * `e` as an {@link EnvironmentError} when it is an error of the operating system (it has
 * an `E...` code, or is one of Deno's file-system error classes), else null. `path`, when
 * given, names the file instead of the OS message's path (which may be a temporary file's,
 * or absent: a write to an open file carries no path).
 */
export function environmentError(e: unknown, path?: string): EnvironmentError | null {
  if (e instanceof EnvironmentError) return e;
  if (!(e instanceof Error) || e instanceof InputError) return null;
  const code = (e as { code?: unknown }).code;
  const osCode = typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
  const denoFs = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied ||
    e instanceof Deno.errors.IsADirectory || e instanceof Deno.errors.NotADirectory ||
    e instanceof Deno.errors.AlreadyExists || e instanceof Deno.errors.NotCapable ||
    e instanceof Deno.errors.FilesystemLoop;
  if (osCode === undefined && !denoFs) return null;
  const m = OS_MESSAGE.exec(e.message);
  if (!m) return new EnvironmentError(path, e.message.split("\n")[0], osCode);
  const cause = m[1].charAt(0).toLowerCase() + m[1].slice(1);
  return new EnvironmentError(path ?? m[3] ?? m[2], cause, osCode);
}

/** Runs `fn`, turning an OS error into an {@link EnvironmentError} that names `path`. */
export function naming<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw environmentError(e, path) ?? e;
  }
}
