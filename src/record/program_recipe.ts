/**
 * `vmmlab record -- PROGRAM [ARGS..]`: turns a program of the user's (a C source, a static
 * binary, or a program of a Debian package) into a recipe folder, so the recorder records
 * it exactly as it records a committed recipe. A program that executes the markers of
 * `vmmlab_marker.h` marks its own window; any other program's window is its whole run,
 * marked by the guest's script around it.
 *
 * @module
 */

import { basename, join } from "node:path";
import { InputError } from "../util/errors.ts";
import { loadRecipe, type Recipe } from "./recipe.ts";

/** What the user gave on the command line. */
export interface ProgramSpec {
  /** A `.c` file, a static executable, or (with `debianPackage`) a path inside the package. */
  program: string;
  /** Arguments passed to the program in the guest. */
  args: string[];
  /** Debian package the program comes from (copied with its shared libraries). */
  debianPackage?: string;
  /** Extra files copied into the guest's working folder. */
  files: string[];
  /** Runs of the program (whole-run window) or VMMLAB_ITERATIONS (self-marked program). */
  iterations: number;
  /** Guest memory in MiB. */
  memoryMiB: number;
  /** Host-time limit in seconds. */
  timeoutSeconds: number;
}

/** The begin marker's bytes (`nopl 0x4d560001(%rax)`), as `vmmlab_marker.h` emits them. */
const BEGIN_MARKER = [0x0f, 0x1f, 0x80, 0x01, 0x00, 0x56, 0x4d];

/** Whether an executable contains the begin marker of `vmmlab_marker.h`. */
export function hasBeginMarker(bytes: Uint8Array): boolean {
  outer: for (let i = 0; i + BEGIN_MARKER.length <= bytes.length; i++) {
    for (let k = 0; k < BEGIN_MARKER.length; k++) {
      if (bytes[i + k] !== BEGIN_MARKER[k]) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Checks that bytes are a 64-bit x86 ELF executable without a program interpreter (a
 * static binary the guest can run with nothing beside it); throws an InputError naming
 * the file otherwise.
 */
export function checkStaticElf(bytes: Uint8Array, file: string): void {
  const isElf = bytes.length >= 64 && bytes[0] === 0x7f && bytes[1] === 0x45 &&
    bytes[2] === 0x4c && bytes[3] === 0x46;
  if (!isElf) {
    throw new InputError(
      `${file}: neither a C source (.c) nor an ELF executable; give a .c file, a static binary, or --package NAME`,
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[4] !== 2 || bytes[5] !== 1 || v.getUint16(18, true) !== 62) {
    throw new InputError(`${file}: not a 64-bit little-endian x86-64 executable`);
  }
  const phoff = Number(v.getBigUint64(32, true));
  const phentsize = v.getUint16(54, true);
  const phnum = v.getUint16(56, true);
  if (phentsize < 4 || phoff + phnum * phentsize > bytes.length) {
    throw new InputError(`${file}: program header table at offset ${phoff} lies outside the file`);
  }
  for (let i = 0; i < phnum; i++) {
    if (v.getUint32(phoff + i * phentsize, true) === 3) { // PT_INTERP
      throw new InputError(
        `${file}: dynamically linked; give a static binary (gcc -static), its C source, or --package NAME for a Debian program`,
      );
    }
  }
}

/** Quotes a word for the guest's shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The guest script of a program recipe. A self-marked program runs once, as is. Any other
 * runs `iterations` times between markers the script executes with `vmark`: begin, then
 * an iteration marker before each run and one after the last, then end; the recorder
 * drops the stretch from begin to the first iteration marker (it arms the recorder), so
 * each recorded iteration is one whole run of the program (with the shell's fork and
 * exec of it).
 */
export function programScript(command: string[], selfMarked: boolean): string {
  const cmd = command.map(shellQuote).join(" ");
  if (selfMarked) {
    return `#!/bin/sh\n# The program marks its own window (vmmlab_marker.h).\nexec ${cmd}\n`;
  }
  return [
    "#!/bin/sh",
    "# The program's whole run is the window: one iteration per run.",
    'n="${VMMLAB_ITERATIONS:-1}"',
    "vmark begin",
    "i=0",
    'while [ "$i" -lt "$n" ]; do',
    "  vmark iteration",
    `  ${cmd} || exit $?`,
    "  i=$((i + 1))",
    "done",
    "vmark iteration",
    "vmark end",
    "",
  ].join("\n");
}

function readInput(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as Error).message})`);
  }
}

/**
 * Writes the recipe folder of a program into `parent` and loads it. The workload name is
 * the program's file name without `.c`.
 */
export function writeProgramRecipe(
  spec: ProgramSpec,
  parent: string,
): { recipe: Recipe; selfMarked: boolean } {
  const base = basename(spec.program).replace(/\.c$/, "").replace(/[^A-Za-z0-9_.-]/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "") || "program";
  const dir = join(parent, base);
  Deno.mkdirSync(dir, { recursive: true });
  const recipeJson: Record<string, unknown> = {
    description: spec.debianPackage
      ? `${spec.program} from the Debian package ${spec.debianPackage}, run as: ${
        [spec.program, ...spec.args].join(" ")
      }`
      : `${basename(spec.program)}, run as: ${[basename(spec.program), ...spec.args].join(" ")}`,
    iterations: spec.iterations,
    memoryMiB: spec.memoryMiB,
    timeoutSeconds: spec.timeoutSeconds,
    icountShift: 0,
  };
  let command: string[];
  let selfMarked = false;
  if (spec.debianPackage) {
    const path = spec.program.startsWith("/") ? spec.program : `/usr/bin/${spec.program}`;
    // NAME=VERSION pins the package; NAME alone takes a pin from the lock file, else the newest.
    const [pkg, version] = spec.debianPackage.split("=", 2);
    recipeJson.debian = [{ package: pkg, paths: [path] }];
    if (version !== undefined) recipeJson.versions = { [pkg]: version };
    command = [path, ...spec.args];
  } else if (spec.program.endsWith(".c")) {
    const text = new TextDecoder().decode(readInput(spec.program));
    Deno.writeTextFileSync(join(dir, `${base}.c`), text);
    recipeJson.programs = { [base]: [`${base}.c`] };
    selfMarked = /\bVMMLAB_BEGIN\s*\(/.test(text);
    command = [`./${base}`, ...spec.args];
  } else {
    const bytes = readInput(spec.program);
    checkStaticElf(bytes, spec.program);
    Deno.writeFileSync(join(dir, base), bytes, { mode: 0o755 });
    selfMarked = hasBeginMarker(bytes);
    command = [`./${base}`, ...spec.args];
  }
  for (const f of spec.files) {
    const name = basename(f);
    if (name === "recipe.json" || name === "run.sh" || name === base || name === `${base}.c`) {
      throw new InputError(`--file ${f}: the name ${name} is taken by the program's recipe`);
    }
    Deno.writeFileSync(join(dir, name), readInput(f), { mode: Deno.statSync(f).mode ?? 0o644 });
  }
  Deno.writeTextFileSync(join(dir, "recipe.json"), JSON.stringify(recipeJson, null, 2) + "\n");
  Deno.writeTextFileSync(join(dir, "run.sh"), programScript(command, selfMarked));
  const recipe = loadRecipe(dir);
  recipe.ref = "generated by vmmlab record -- PROGRAM (see the command)";
  return { recipe, selfMarked };
}
