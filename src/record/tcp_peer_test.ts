import assert from "node:assert/strict";
import { TcpPeer } from "./tcp_peer.ts";

Deno.test("tcp peer: a sink counts every byte the guest's side sends, then closes", async () => {
  const peer = TcpPeer.start("sink");
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: peer.port });
    const data = new Uint8Array(300_000).fill(7);
    let off = 0;
    while (off < data.length) off += await conn.write(data.subarray(off));
    conn.close();
    // The sink ends its connection at EOF; wait for it without a wall-clock timeout.
    while (peer.received < data.length) await new Promise((r) => setTimeout(r, 5));
    assert.equal(peer.received, 300_000);
    assert.equal(peer.connections, 1);
  } finally {
    await peer.close();
  }
});

Deno.test("tcp peer: a source streams its pattern until the other side closes", async () => {
  const peer = TcpPeer.start("source");
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: peer.port });
    const buf = new Uint8Array(65536);
    let got = 0;
    while (got < 200_000) {
      const n = await conn.read(buf);
      assert.notEqual(n, null);
      for (let i = 0; i < n!; i++) assert.equal(buf[i], 0x5a);
      got += n!;
    }
    conn.close();
    assert.ok(peer.sent >= 200_000 - 65536, `sent ${peer.sent}`);
  } finally {
    // close() ends the writer blocked on the closed connection: it must not hang.
    await peer.close();
  }
});

Deno.test("tcp peer: close() with no connection ends the listener", async () => {
  const peer = TcpPeer.start("sink");
  const port = peer.port;
  await peer.close();
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }));
});
