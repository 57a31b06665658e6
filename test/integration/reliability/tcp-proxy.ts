/**
 * A TCP proxy between the registry and one backend (local S3 or DynamoDB Local) that a test can break:
 * refuse new connections, cut (reset) open ones, stall traffic, cut after some more bytes, and heal.
 * It knows nothing of HTTP; it counts bytes in both directions so a test can break "in the middle".
 */
import { createServer, Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** What the proxy does with traffic: forward it, reset every connection, or hold every byte. */
export type ProxyMode = 'pass' | 'refuse' | 'stall';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held while stalled, per direction, flushed on heal. */
  heldUp: Buffer[];
  heldDown: Buffer[];
}

/** A running proxy; `url` replaces the backend's endpoint in the registry's settings. */
export class TcpProxy {
  /** Bytes forwarded client -> backend and backend -> client since start. */
  bytesUp = 0;
  bytesDown = 0;
  /** Connections accepted since start. */
  accepted = 0;
  private mode: ProxyMode = 'pass';
  private readonly pairs = new Set<Pair>();
  private cutUpAt: number | undefined;
  private cutOnResponse = false;

  private constructor(private readonly server: Server, private readonly targetPort: number, readonly url: string) {}

  /** Starts a proxy on an ephemeral 127.0.0.1 port in front of `target` (an http://127.0.0.1:port URL). */
  static async start(target: string): Promise<TcpProxy> {
    const t = new URL(target);
    if (t.hostname !== '127.0.0.1' && t.hostname !== 'localhost') throw new Error(`proxy targets only 127.0.0.1, not ${t.hostname}`);
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    proxy = new TcpProxy(server, Number(t.port), `http://127.0.0.1:${port}`);
    return proxy;
  }

  /** New connections are reset as soon as they are accepted (open ones are left alone; see cut). */
  refuse(): void {
    this.mode = 'refuse';
  }

  /** Resets every open connection (requests in flight fail with ECONNRESET or a truncated answer). */
  cut(): void {
    for (const pair of this.pairs) this.reset(pair);
  }

  /** Refuses new connections and cuts open ones: the backend is gone. */
  down(): void {
    this.refuse();
    this.cut();
  }

  /** Holds every byte in both directions (open and new connections): the backend hangs. */
  stall(): void {
    this.mode = 'stall';
  }

  /** Cuts every open connection once `n` more bytes have gone towards the backend, then refuses new ones. */
  downAfterBytesUp(n: number): void {
    this.cutUpAt = this.bytesUp + n;
  }

  /**
   * Resets the connection that carries the backend's next answer, before any of it reaches the registry,
   * then refuses new connections: the request was done by the backend, but the registry never hears so.
   */
  downOnNextResponse(): void {
    this.cutOnResponse = true;
  }

  /** Forwards traffic again, releasing what a stall held. */
  heal(): void {
    this.mode = 'pass';
    this.cutUpAt = undefined;
    this.cutOnResponse = false;
    for (const pair of this.pairs) {
      for (const b of pair.heldUp.splice(0)) this.forwardUp(pair, b);
      for (const b of pair.heldDown.splice(0)) this.forwardDown(pair, b);
    }
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    for (const pair of this.pairs) this.reset(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = new Socket();
    const pair: Pair = { client, upstream, heldUp: [], heldDown: [] };
    this.pairs.add(pair);
    upstream.connect(this.targetPort, '127.0.0.1');
    client.on('data', (b: Buffer) => (this.mode === 'stall' ? pair.heldUp.push(b) : this.forwardUp(pair, b)));
    upstream.on('data', (b: Buffer) => (this.mode === 'stall' ? pair.heldDown.push(b) : this.forwardDown(pair, b)));
    const close = () => {
      this.pairs.delete(pair);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', () => this.reset(pair)).on('close', close);
  }

  private forwardUp(pair: Pair, b: Buffer): void {
    if (this.cutUpAt !== undefined && this.bytesUp + b.length >= this.cutUpAt) {
      const room = Math.max(this.cutUpAt - this.bytesUp, 0);
      if (room > 0) pair.upstream.write(b.subarray(0, room));
      this.bytesUp += room;
      this.cutUpAt = undefined;
      this.down();
      return;
    }
    this.bytesUp += b.length;
    pair.upstream.write(b);
  }

  private forwardDown(pair: Pair, b: Buffer): void {
    if (this.cutOnResponse) {
      this.cutOnResponse = false;
      this.down();
      return;
    }
    this.bytesDown += b.length;
    pair.client.write(b);
  }

  private reset(pair: Pair): void {
    this.pairs.delete(pair);
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (!pair.upstream.destroyed) pair.upstream.destroy();
  }
}
