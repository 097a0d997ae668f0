/**
 * A writer for "newc" cpio archives, the format the Linux kernel unpacks as an
 * initramfs. Writing it here keeps the recorder free of a host `cpio` dependency and
 * makes the archive a pure function of its entries (fixed mtimes, inode numbers in
 * order of addition), so the same recipe always yields the same guest.
 *
 * @module
 */

/**
 * Every member's modification time: 2020-01-01 00:00 UTC, the instant the recorder's guest
 * clock starts at. Not 0, which programs such as gzip reject as out of range.
 */
export const MTIME = 1577836800;

/** File type bits of `mode`. */
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** One archive member. */
export interface CpioEntry {
  /** Path inside the archive, without a leading slash (e.g. `bin/busybox`). */
  path: string;
  /** Kind of member. */
  type: "file" | "dir" | "symlink" | "chardev";
  /** Permission bits (e.g. 0o755). */
  perm: number;
  /** File content, or the link target for a symlink. */
  data?: Uint8Array | string;
  /** Device major and minor numbers for a character device. */
  rdev?: [number, number];
}

const encoder = new TextEncoder();

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** Builds newc cpio archives in memory. */
export class CpioWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;
  #ino = 1;
  readonly #seen = new Set<string>();

  /** Total bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  #pad4(): void {
    const r = this.#length % 4;
    if (r !== 0) this.#push(new Uint8Array(4 - r));
  }

  #member(name: string, mode: number, data: Uint8Array, rdev: [number, number], nlink: number) {
    const nameBytes = encoder.encode(name);
    const header = "070701" + hex8(this.#ino++) + hex8(mode) + hex8(0) + hex8(0) + hex8(nlink) +
      hex8(MTIME) + hex8(data.length) + hex8(0) + hex8(0) + hex8(rdev[0]) + hex8(rdev[1]) +
      hex8(nameBytes.length + 1) + hex8(0);
    this.#push(encoder.encode(header));
    this.#push(nameBytes);
    this.#push(new Uint8Array(1));
    this.#pad4();
    if (data.length > 0) {
      this.#push(data);
      this.#pad4();
    }
  }

  /** Adds one member. Parent folders must be added first; a path may appear only once. */
  add(entry: CpioEntry): void {
    const path = entry.path.replace(/^\/+/, "");
    if (path === "" || path.split("/").some((p) => p === ".." || p === "")) {
      throw new RangeError(`bad archive path ${JSON.stringify(entry.path)}`);
    }
    if (this.#seen.has(path)) throw new RangeError(`archive path ${path} added twice`);
    this.#seen.add(path);
    const perm = entry.perm & 0o7777;
    const data = typeof entry.data === "string"
      ? encoder.encode(entry.data)
      : (entry.data ?? new Uint8Array(0));
    switch (entry.type) {
      case "file":
        this.#member(path, S_IFREG | perm, data, [0, 0], 1);
        break;
      case "dir":
        this.#member(path, S_IFDIR | perm, new Uint8Array(0), [0, 0], 2);
        break;
      case "symlink":
        this.#member(path, S_IFLNK | perm, data, [0, 0], 1);
        break;
      case "chardev":
        this.#member(path, S_IFCHR | perm, new Uint8Array(0), entry.rdev ?? [0, 0], 1);
        break;
    }
  }

  /** Whether a path was already added. */
  has(path: string): boolean {
    return this.#seen.has(path.replace(/^\/+/, ""));
  }

  /** Appends the trailer and returns the archive bytes. */
  finish(): Uint8Array {
    this.#member("TRAILER!!!", 0, new Uint8Array(0), [0, 0], 1);
    const r = this.#length % 512;
    if (r !== 0) this.#push(new Uint8Array(512 - r));
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
