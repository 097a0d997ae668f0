/**
 * Import of valgrind lackey memory traces (`valgrind --tool=lackey --trace-mem=yes`).
 * Lackey sees one user process: instruction addresses and sizes, and loads, stores and
 * modifies with virtual addresses. It knows no opcode bytes, privilege changes or
 * physical memory, and the header says so.
 *
 * Lines look like `I  0400d7d4,8`, ` L 7ff0000a8,8`, ` S 04222cac,4`, ` M 0421ce60,4`;
 * lines starting with `==` are valgrind's own messages. Blocks are formed from maximal
 * runs of sequential instructions (at most 64), deduplicated by address and lengths.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";
import { type CodeInstruction, CPL_USER } from "./code_table.ts";
import type { TraceSummary } from "./header.ts";
import { ControlFlow, MEM_WRITE } from "./record.ts";
import { TraceWriter } from "./writer.ts";
import { type ImportOptions, registerImporter, type TraceImporter } from "./importer.ts";
import { PAGE_SIZE } from "./page.ts";

const MAX_BLOCK = 64;

/** Options of a lackey import (those of every importer). */
export type LackeyImportOptions = ImportOptions;

/** `vmmlab import lackey`. */
export const lackeyImporter: TraceImporter = {
  name: "lackey",
  summary: "import a valgrind lackey --trace-mem=yes text trace (user mode only)",
  input: "lackey output (text)",
  import: (input, output, options) => importLackey(input, output, options),
};
registerImporter(lackeyImporter);

/** Streams `input` (a lackey text trace) into a `.vmt` at `output`. */
export async function importLackey(
  input: string,
  output: string,
  options: LackeyImportOptions = {},
): Promise<TraceSummary> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(input, { read: true });
  } catch (e) {
    throw new InputError(`${input}: cannot be opened (${(e as Error).message})`);
  }
  const base = input.split("/").pop() ?? input;
  const w = TraceWriter.create(output, {
    workload: options.workload ?? base.replace(/\.[^.]*$/, ""),
    description: "user-mode memory trace imported from valgrind lackey",
    source: {
      kind: "lackey",
      method: "valgrind --tool=lackey --trace-mem=yes; user mode only",
      command: options.command,
      recorder: "vmmlab import lackey 0.1.0",
      input: base,
    },
    guest: { arch: "x86_64" },
    pageSizes: [PAGE_SIZE],
    devices: [],
    inferred: [
      "user mode only: lackey traces one process, so there are no kernel, privileged or sensitive instructions",
      "physical addresses equal virtual addresses: lackey sees no physical memory",
      "blocks are maximal runs of sequential instructions (at most 64); opcode bytes are unknown",
      "access sizes that are not a power of two are rounded up",
    ],
  }, options);
  try {
    const parser = new LackeyParser(w, input);
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      parser.feed(buf, n);
    }
    parser.end();
    return w.close();
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    file.close();
  }
}

interface PendingMem {
  addr: number;
  size: number;
  flags: number;
}

/** Byte-level line parser that groups instructions into blocks and emits records. */
class LackeyParser {
  readonly #w: TraceWriter;
  readonly #name: string;
  readonly #blocks = new Map<string, number>();
  #line = new Uint8Array(256);
  #lineLen = 0;
  #lineNo = 0;
  // The block being accumulated: instruction addresses/lengths and its memory references.
  #start = -1;
  #next = -1;
  #lens: number[] = [];
  #mems: PendingMem[] = [];

  constructor(w: TraceWriter, name: string) {
    this.#w = w;
    this.#name = name;
  }

  feed(buf: Uint8Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const c = buf[i];
      if (c === 0x0a) {
        this.#lineNo++;
        this.#parseLine();
        this.#lineLen = 0;
      } else if (this.#lineLen < this.#line.length) {
        this.#line[this.#lineLen++] = c;
      } else {
        throw this.#error("line is too long for a lackey trace");
      }
    }
  }

  end(): void {
    if (this.#lineLen > 0) {
      this.#lineNo++;
      this.#parseLine();
    }
    this.#flushBlock();
  }

  #error(what: string): InputError {
    return new InputError(`${this.#name}: line ${this.#lineNo}: ${what}`);
  }

  #parseLine(): void {
    const l = this.#line;
    const len = this.#lineLen;
    let p = 0;
    while (p < len && l[p] === 0x20) p++;
    if (p === len || (l[p] === 0x3d && l[p + 1] === 0x3d)) return; // blank or "==" message
    const tag = l[p++];
    if (l[p] !== 0x20) throw this.#error("expected a space after the record letter");
    while (p < len && l[p] === 0x20) p++;
    let addr = 0;
    let digits = 0;
    for (; p < len && l[p] !== 0x2c; p++, digits++) {
      const d = hexDigit(l[p]);
      if (d < 0) throw this.#error("address is not hexadecimal");
      addr = addr * 16 + d;
    }
    if (digits === 0 || digits > 13 || l[p] !== 0x2c) throw this.#error("expected ADDRESS,SIZE");
    p++;
    let size = 0;
    let sdigits = 0;
    for (; p < len && l[p] >= 0x30 && l[p] <= 0x39; p++, sdigits++) size = size * 10 + l[p] - 0x30;
    while (p < len && (l[p] === 0x20 || l[p] === 0x0d)) p++;
    if (sdigits === 0 || p !== len || size === 0) {
      throw this.#error("size is not a positive number");
    }
    switch (tag) {
      case 0x49: // I
        if (size > 15) throw this.#error(`instruction size ${size} is over 15 bytes`);
        if (addr !== this.#next || this.#lens.length >= MAX_BLOCK) this.#flushBlock();
        if (this.#start < 0) this.#start = addr;
        this.#lens.push(size);
        this.#next = addr + size;
        return;
      case 0x4c: // L
        this.#mems.push({ addr, size, flags: 0 });
        return;
      case 0x53: // S
        this.#mems.push({ addr, size, flags: MEM_WRITE });
        return;
      case 0x4d: // M: a load and a store of the same location
        this.#mems.push({ addr, size, flags: 0 }, { addr, size, flags: MEM_WRITE });
        return;
      default:
        throw this.#error(`unknown record letter ${JSON.stringify(String.fromCharCode(tag))}`);
    }
  }

  #flushBlock(): void {
    if (this.#start < 0) {
      if (this.#mems.length > 0) throw this.#error("memory access before any instruction");
      return;
    }
    const key = `${this.#start}:${this.#lens.join(",")}`;
    let id = this.#blocks.get(key);
    if (id === undefined) {
      // Lackey gives no opcodes, so control flow is unknown: every instruction says None.
      const instrs: CodeInstruction[] = this.#lens.map((length) => ({
        length,
        sensitive: 0,
        flow: ControlFlow.None,
      }));
      id = this.#w.defineBlock(this.#start, CPL_USER, instrs);
      this.#blocks.set(key, id);
    }
    this.#w.exec(id);
    for (const m of this.#mems) this.#w.mem(m.addr, m.addr, m.size, m.flags);
    this.#start = -1;
    this.#next = -1;
    this.#lens = [];
    this.#mems = [];
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
