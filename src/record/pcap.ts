/**
 * Reads the packet capture QEMU's `filter-dump` object writes (classic pcap), so the
 * recorder knows the length of each frame the guest's NIC transmitted: the NIC's
 * registers say only that a transmit was started, and QEMU 7.2 traces no transmit event.
 *
 * @module
 */

import { InputError } from "../util/errors.ts";

/** One captured frame. */
export interface CapturedFrame {
  /** Length of the frame on the wire, in bytes. */
  length: number;
  /** The captured bytes (at most the capture's snap length). */
  data: Uint8Array;
}

/** Parses a classic pcap file (either byte order, microsecond or nanosecond stamps). */
export function parsePcap(bytes: Uint8Array, file = "capture"): CapturedFrame[] {
  if (bytes.length < 24) throw new InputError(`${file}: too short for a pcap header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, true);
  let little: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) little = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) little = false;
  else throw new InputError(`${file}: not a pcap file (magic ${magic.toString(16)})`);
  const frames: CapturedFrame[] = [];
  let at = 24;
  while (at + 16 <= bytes.length) {
    const incl = dv.getUint32(at + 8, little);
    const orig = dv.getUint32(at + 12, little);
    if (at + 16 + incl > bytes.length) break; // a frame cut short by the end of the run
    frames.push({ length: orig, data: bytes.subarray(at + 16, at + 16 + incl) });
    at += 16 + incl;
  }
  return frames;
}

/** The tag the guest's udpsend program puts at the start of each datagram in the window. */
const WINDOW_TAG = new TextEncoder().encode("vmmlab-w");

/**
 * Lengths of the window's transmits in order: IPv4/UDP frames whose payload starts with
 * the window tag and a sequence number of 1 or more (0 is the iteration the recorder
 * drops), sorted by sequence number.
 */
export function windowTransmits(frames: readonly CapturedFrame[]): number[] {
  const tagged: [number, number][] = [];
  for (const f of frames) {
    const d = f.data;
    if (d.length < 14 + 20 + 8 + 12) continue;
    if (d[12] !== 0x08 || d[13] !== 0x00) continue; // IPv4
    const ihl = (d[14] & 0x0f) * 4;
    if (d[14 + 9] !== 17) continue; // UDP
    const payload = 14 + ihl + 8;
    if (payload + 12 > d.length) continue;
    let match = true;
    for (let i = 0; i < WINDOW_TAG.length; i++) {
      if (d[payload + i] !== WINDOW_TAG[i]) match = false;
    }
    if (!match) continue;
    const seq = new DataView(d.buffer, d.byteOffset + payload + 8, 4).getUint32(0, true);
    if (seq >= 1) tagged.push([seq, f.length]);
  }
  tagged.sort((a, b) => a[0] - b[0]);
  return tagged.map(([, len]) => len);
}
