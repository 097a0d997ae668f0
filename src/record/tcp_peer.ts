/**
 * The host-side TCP peer of a network recipe (`tcpPeer` in recipe.json): a listener on
 * the host's loopback that QEMU's user-mode network forwards the guest's connection to
 * (`guestfwd`). A `sink` reads and discards everything (the guest transmits); a `source`
 * writes a constant byte pattern until the connection closes (the guest receives). It
 * runs inside the recorder's process, so no child process outlives an interrupted
 * recording; {@link TcpPeer.close} ends it.
 *
 * @module
 */

import { onInterrupt } from "../util/interrupt.ts";

/** What the peer does with the connection. */
export type PeerMode = "sink" | "source";

/** The size of the peer's reads and writes. */
const CHUNK = 64 * 1024;

/** A running peer: its port, byte counts, and its end. */
export class TcpPeer {
  readonly #listener: Deno.TcpListener;
  readonly #conns = new Set<Deno.TcpConn>();
  readonly #release: () => void;
  readonly #done: Promise<void>;
  /** Bytes the peer received from the guest. */
  received = 0;
  /** Bytes the peer sent to the guest (accepted by the host's socket). */
  sent = 0;
  /** Connections accepted. */
  connections = 0;

  private constructor(listener: Deno.TcpListener, mode: PeerMode) {
    this.#listener = listener;
    this.#release = onInterrupt(() => this.#closeAll());
    this.#done = this.#serve(mode);
  }

  /** Starts a peer on 127.0.0.1 at a port the system chooses. */
  static start(mode: PeerMode): TcpPeer {
    return new TcpPeer(Deno.listen({ hostname: "127.0.0.1", port: 0, transport: "tcp" }), mode);
  }

  /** The port the peer listens on. */
  get port(): number {
    return this.#listener.addr.port;
  }

  async #serve(mode: PeerMode): Promise<void> {
    const handlers: Promise<void>[] = [];
    try {
      for await (const conn of this.#listener) {
        this.connections++;
        this.#conns.add(conn);
        handlers.push(
          (mode === "sink" ? this.#sink(conn) : this.#source(conn)).finally(() => {
            this.#conns.delete(conn);
            try {
              conn.close();
            } catch { /* closed */ }
          }),
        );
      }
    } catch { /* listener closed */ }
    await Promise.allSettled(handlers);
  }

  async #sink(conn: Deno.TcpConn): Promise<void> {
    const buf = new Uint8Array(CHUNK);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        this.received += n;
      }
    } catch { /* reset by QEMU's exit */ }
  }

  async #source(conn: Deno.TcpConn): Promise<void> {
    const buf = new Uint8Array(CHUNK).fill(0x5a);
    try {
      for (;;) this.sent += await conn.write(buf);
    } catch { /* the guest's side closed: QEMU exited */ }
  }

  #closeAll(): void {
    try {
      this.#listener.close();
    } catch { /* closed */ }
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
  }

  /** Stops listening, closes any connection and waits for the handlers to end. */
  async close(): Promise<void> {
    this.#closeAll();
    await this.#done;
    this.#release();
  }
}
