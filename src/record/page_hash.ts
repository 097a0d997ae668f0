/**
 * Page-content snapshots for page-sharing studies: at a guest's snapshot request the
 * recorder saves guest-physical memory through QEMU's monitor (`pmemsave`) and hashes
 * every 4 KiB page with a 64-bit hash. Identical pages (within a guest or across guests)
 * get identical hashes, which is all a content-based sharing model needs.
 *
 * @module
 */

import { join } from "node:path";
import type { Monitor } from "./qemu_run.ts";
import { PAGE_SIZE } from "../trace/page.ts";

/** The hashes of one snapshot. */
export interface PageSnapshot {
  /** Snapshot index (the guest's argument). */
  index: number;
  /** High and low 32 bits of each page's hash, interleaved (page i at 2i, 2i+1). */
  hashes: Uint32Array;
}

/**
 * A 64-bit page hash: two 32-bit multiply-xorshift lanes over the page's 32-bit words
 * (different seeds and multipliers), finalised with an avalanche step. Not cryptographic;
 * collisions between different 4 KiB pages are vanishingly unlikely at 2^-64.
 */
export function hashPage(words: Uint32Array, out: Uint32Array, at: number): void {
  let h1 = 0x9e3779b9 | 0;
  let h2 = 0x85ebca6b | 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 + w, 0xc2b2ae35);
    h2 ^= h2 >>> 13;
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0x27d4eb2f);
  h2 ^= h2 >>> 15;
  out[at] = h1 >>> 0;
  out[at + 1] = h2 >>> 0;
}

/** Hashes every 4 KiB page of a memory image. */
export function hashImage(image: Uint8Array): Uint32Array {
  const pages = Math.floor(image.length / PAGE_SIZE);
  const out = new Uint32Array(pages * 2);
  const aligned = image.byteOffset % 4 === 0 ? image : image.slice();
  for (let p = 0; p < pages; p++) {
    const words = new Uint32Array(
      aligned.buffer,
      aligned.byteOffset + p * PAGE_SIZE,
      PAGE_SIZE / 4,
    );
    hashPage(words, out, p * 2);
  }
  return out;
}

/** Saves guest memory through the monitor and hashes it. */
export async function hashPhysicalMemory(
  monitor: Monitor,
  workDir: string,
  index: number,
  memoryMiB: number,
): Promise<PageSnapshot> {
  const path = join(workDir, `memory-${index}.bin`);
  const size = Math.min(memoryMiB, 3072) * 1024 * 1024;
  const out = await monitor.command(`pmemsave 0 ${size} "${path}"`);
  if (out !== "") throw new Error(`pmemsave failed: ${out}`);
  const image = Deno.readFileSync(path);
  Deno.removeSync(path);
  return { index, hashes: hashImage(image) };
}
