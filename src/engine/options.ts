/**
 * Model options, declared once. A model lists each option it reads — name, type, default,
 * allowed range, one line of documentation — in an {@link OptionDecls} object, passes the
 * same object to `registerModel` (so `vmmlab models` and docs/models.md print it), and
 * reads typed values with {@link readOptions}. Every model family reads options through
 * this module, so there is one rule for booleans and one message form for every mistake:
 * `--option: KEY: must be ..., not VALUE` (a {@link ConfigError}, exit status 2).
 *
 * Every option that sizes a table or an allocation (TLB entries, ways, cache lines, memory
 * in MB) declares a finite `max`, and values are checked here, before any model allocates.
 *
 * @module
 */

import { ConfigError } from "../util/errors.ts";

/** Where option errors say they come from: the command-line flag that sets options. */
export const OPTION_SOURCE = "--option";

/** Fields every declaration has. */
export interface DeclBase {
  /** One line: what the option changes. */
  readonly doc: string;
  /**
   * The default in words, when it is not a constant (a platform entry, the trace header):
   * the declaration then has no `default` and the model supplies the value.
   */
  readonly defaultDoc?: string;
}

/** A numeric option: `number` accepts any finite value in range, `integer` whole ones only. */
export interface NumberDecl extends DeclBase {
  /** Numeric kind. */
  readonly type: "number" | "integer";
  /** Value when the option is not given (absent: the model supplies it, see `defaultDoc`). */
  readonly default?: number;
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value (finite for anything that sizes a table). */
  readonly max: number;
  /** Unit shown in the documentation (`entries`, `bytes`, `MB` ...). */
  readonly unit?: string;
}

/** A boolean option: `true`/`false` or `1`/`0`, as JSON values or text. */
export interface BooleanDecl extends DeclBase {
  /** Boolean kind. */
  readonly type: "boolean";
  /** Value when the option is not given. */
  readonly default?: boolean;
}

/** One of a fixed set of names. */
export interface EnumDecl extends DeclBase {
  /** Enumeration kind. */
  readonly type: "enum";
  /** The allowed names. */
  readonly values: readonly string[];
  /** Value when the option is not given. */
  readonly default?: string;
}

/** A comma-separated list of names (`cli,sti,cr8-write`). */
export interface ListDecl extends DeclBase {
  /** List kind. */
  readonly type: "list";
  /** Value when the option is not given. */
  readonly default?: readonly string[];
  /** What each item may be, in words (checked by the model, through {@link optionError}). */
  readonly items?: string;
}

/** Text of a fixed form (`memory.zero-hash=1f2e:3d4c`). */
export interface TextDecl extends DeclBase {
  /** Text kind. */
  readonly type: "text";
  /** The form the whole text must match. */
  readonly pattern: RegExp;
  /** The form in words, for errors and documentation. */
  readonly form: string;
  /** Value when the option is not given. */
  readonly default?: string;
}

/** One option declaration. */
export type OptionDecl = NumberDecl | BooleanDecl | EnumDecl | ListDecl | TextDecl;

/** A model's option declarations by dotted key (`bt.tc-capacity`). */
export type OptionDecls = Readonly<Record<string, OptionDecl>>;

/** The typed value of one declaration. */
export type OptionValue<D extends OptionDecl> = D extends BooleanDecl ? boolean
  : D extends { readonly type: "enum"; readonly values: readonly (infer V)[] } ? V
  : D extends ListDecl ? readonly string[]
  : D extends TextDecl ? string
  : number;

/** The typed values of a declaration set: `undefined` only where no default is declared. */
export type OptionValues<S extends OptionDecls> = {
  readonly [K in keyof S]: S[K] extends { readonly default: unknown } ? OptionValue<S[K]>
    : OptionValue<S[K]> | undefined;
};

/** Option values as a configuration carries them (text from a command line, or JSON values). */
export type RawOptions = Readonly<Record<string, unknown>>;

/**
 * Declares a model's options; returns them unchanged but keeps their literal types, so that
 * {@link readOptions} types each value (an enum's names, a default's presence).
 */
export function declareOptions<const S extends OptionDecls>(decls: S): S {
  for (const [key, d] of Object.entries(decls)) checkDecl(key, d);
  return decls;
}

/** The one error form: `--option: KEY: MESSAGE`. */
export function optionError(key: string, message: string): ConfigError {
  return new ConfigError(OPTION_SOURCE, message, key);
}

/** A value quoted for an error message (JSON form, cut short). */
function shown(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** What a declaration accepts, in words (used in errors and documentation). */
export function describeRange(d: OptionDecl): string {
  switch (d.type) {
    case "boolean":
      return "true or false (or 1 or 0)";
    case "enum":
      return `one of ${d.values.join(", ")}`;
    case "list":
      return `a comma-separated list${d.items ? ` of ${d.items}` : ""}`;
    case "text":
      return d.form;
    case "integer":
      return `an integer from ${d.min} to ${d.max}`;
    case "number":
      return `a number from ${d.min} to ${d.max}`;
  }
}

/** A number from a JSON number or from text that is one (as a config file may give it). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/**
 * Checks one raw value against its declaration and returns it typed; anything else is one
 * {@link ConfigError} in the module's message form.
 */
export function parseOption(key: string, decl: OptionDecl, v: unknown): OptionValue<OptionDecl> {
  const bad = () => optionError(key, `must be ${describeRange(decl)}, not ${shown(v)}`);
  switch (decl.type) {
    case "boolean":
      if (v === true || v === 1 || v === "true" || v === "1") return true;
      if (v === false || v === 0 || v === "false" || v === "0") return false;
      throw bad();
    case "enum":
      if (typeof v === "string" && decl.values.includes(v)) return v;
      // A command line's `=2097152` arrives as a number; an enum of sizes names it as text.
      if (typeof v === "number" && decl.values.includes(String(v))) return String(v);
      throw bad();
    case "list":
      if (typeof v === "number") return [String(v)];
      if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
      if (Array.isArray(v) && v.every((s) => typeof s === "string")) return [...v];
      throw bad();
    case "text":
      if (typeof v === "string" && decl.pattern.test(v)) return v;
      throw bad();
    case "integer":
    case "number": {
      const n = toNumber(v);
      if (n === undefined || !Number.isFinite(n) || n < decl.min || n > decl.max) throw bad();
      if (decl.type === "integer" && !Number.isInteger(n)) throw bad();
      return n;
    }
  }
}

/**
 * Reads every declared option from `options`: a given value is checked and typed, an absent
 * one takes its declared default (or `undefined` when the model supplies it). Keys that are
 * not declared here are left alone: the engine rejects keys no registered model declares.
 */
export function readOptions<const S extends OptionDecls>(
  options: RawOptions,
  decls: S,
): OptionValues<S> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(decls)) {
    const d = decls[key];
    const v = Object.hasOwn(options, key) ? options[key] : undefined;
    out[key] = v === undefined
      ? (d.type === "list" && d.default ? [...d.default] : d.default)
      : parseOption(key, d, v);
  }
  return out as OptionValues<S>;
}

/**
 * A numeric default that comes from elsewhere (a platform entry, the trace header), held to
 * the option's declared range so that a profile cannot size a table the option could not:
 * out of range is a {@link ConfigError} naming `source` and `field`.
 */
export function checkDefault(
  decl: NumberDecl,
  value: number,
  source: string,
  field: string,
): number {
  if (
    !Number.isFinite(value) || value < decl.min || value > decl.max ||
    (decl.type === "integer" && !Number.isInteger(value))
  ) {
    throw new ConfigError(source, `must be ${describeRange(decl)}, not ${value}`, field);
  }
  return value;
}

/** Where a model reads structural parameters: a platform profile, or an I/O model's cost source. */
export interface ParamSource {
  /** The profile's name or file, for error messages. */
  readonly origin: string;
  /** A structural parameter; a missing key is a {@link ConfigError}. */
  param(key: string): number;
}

/**
 * An option's value, or when it is not given the platform entry `key` held to the option's
 * declared range, so that a profile (or `--set platform.KEY`) cannot size a table the
 * option could not.
 */
export function optionOrPlatform(
  platform: ParamSource,
  decl: NumberDecl,
  value: number | undefined,
  key: string,
): number {
  if (value !== undefined) return value;
  return checkDefault(decl, platform.param(key), platform.origin, `entries.${key}`);
}

/** Rejects a declaration that could never be satisfied or documented. */
function checkDecl(key: string, d: OptionDecl): void {
  const bad = (why: string) => new ConfigError("declareOptions", why, key);
  if (!/^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/.test(key)) {
    throw bad("an option key is dotted and starts with its model family or name");
  }
  if (typeof d.doc !== "string" || d.doc === "") throw bad("an option needs a one-line doc");
  if (d.type === "number" || d.type === "integer") {
    if (!Number.isFinite(d.min) || !Number.isFinite(d.max) || d.min > d.max) {
      throw bad("a numeric option needs a finite range");
    }
    if (d.default !== undefined) checkDefault(d, d.default, "declareOptions", key);
  }
  if (d.type === "enum" && d.default !== undefined && !d.values.includes(d.default)) {
    throw bad("the default is not one of the values");
  }
}

/** The documented default of a declaration, in words. */
export function defaultText(d: OptionDecl): string {
  if (d.default === undefined) return d.defaultDoc ?? "none";
  if (d.type === "list") return d.default.length === 0 ? "(empty)" : d.default.join(",");
  return String(d.default);
}
