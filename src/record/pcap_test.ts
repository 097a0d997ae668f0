import assert from "node:assert/strict";
import { parsePcap, windowTransmits } from "./pcap.ts";

/** A pcap file (little-endian, microseconds) holding the given frames. */
function pcap(frames: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number) => out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const u16 = (v: number) => out.push(v & 0xff, v >>> 8);
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(1);
  frames.forEach((f, i) => {
    u32(i);
    u32(0);
    u32(f.length);
    u32(f.length);
    out.push(...f);
  });
  return Uint8Array.from(out);
}

/** An Ethernet/IPv4/UDP frame whose payload is `payload` padded to `size` bytes. */
function udpFrame(payload: number[], size: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + size);
  f[12] = 0x08;
  f[14] = 0x45;
  f[14 + 9] = 17;
  f.set(payload, 42);
  return f;
}

function tagged(seq: number, size: number): Uint8Array {
  const tag = [...new TextEncoder().encode("vmmlab-w"), seq & 0xff, seq >> 8, 0, 0];
  return udpFrame(tag, size);
}

Deno.test("pcap: frames and their wire lengths in capture order", () => {
  const frames = parsePcap(pcap([udpFrame([1], 20), udpFrame([2], 100)]));
  assert.deepEqual(frames.map((f) => f.length), [62, 142]);
  assert.equal(frames[1].data[42], 2);
});

Deno.test("pcap: window transmits are the tagged datagrams after sequence 0, by sequence", () => {
  const frames = parsePcap(pcap([
    udpFrame([0x5a], 1472), // warm-up, untagged
    tagged(0, 1472), // the dropped iteration
    tagged(2, 100),
    tagged(1, 1472),
  ]));
  assert.deepEqual(windowTransmits(frames), [1514, 142]);
});

Deno.test("pcap: a file that is not a capture is refused with its name", () => {
  assert.throws(() => parsePcap(new Uint8Array(30), "net.pcap"), /net\.pcap: not a pcap file/);
});
