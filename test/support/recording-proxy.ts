/**
 * A tiny HTTP proxy that records every request it forwards (method, path, status), so tests can count
 * exactly what a registry asked its upstream. It can also stand in for an upstream in trouble: refuse
 * connections (stopped), or answer every request with one status (e.g. 429 with Retry-After).
 */
import { createServer, request as httpRequest, IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { AuthGate, UpstreamAuth } from './upstream-auth';

/** One request as the upstream saw it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string, e.g. `/v2/library/busybox/manifests/latest`. */
  path: string;
  /** The status the proxy answered (502 when the target could not be reached). */
  status: number;
}

/** A proxy listening on 127.0.0.1 that forwards to `target()` (looked up per request, so it may change). */
export class RecordingProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly log: RecordedRequest[] = [];
  private failure?: { status: number; retryAfterSeconds?: number };
  private readonly gate?: AuthGate;
  private port = 0;

  /** `auth`: answer 401 (and, for bearer, tokens) in front of the target, which itself has no auth. */
  constructor(private readonly target: () => { host: string; port: number }, auth?: UpstreamAuth) {
    if (auth) this.gate = new AuthGate(auth, () => `http://127.0.0.1:${this.port}`);
  }

  /** Listens on `port` (0: any free port) and resolves to the port. Rejects with EADDRINUSE if taken. */
  async listen(port = 0): Promise<number> {
    const server = createServer((req, res) => this.forward(req, res));
    server.on('connection', (s: Socket) => (this.sockets.add(s), s.once('close', () => this.sockets.delete(s))));
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', () => ok()));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Stops listening and cuts open connections, so the next connection attempt is refused. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  }

  /** Requests recorded since the start or the last {@link clearRequests}, oldest first. */
  requests(): RecordedRequest[] {
    return [...this.log];
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  /** While set, every request is answered with `status` (recorded) without reaching the target. */
  setFailure(failure?: { status: number; retryAfterSeconds?: number }): void {
    this.failure = failure;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    const entry: RecordedRequest = { method: req.method ?? 'GET', path, status: 0 };
    this.log.push(entry); // in arrival order; the status is filled in when the answer starts
    if (this.failure) return this.fail(req, res, entry, this.failure);
    const denied = this.gate?.handle(req, res, path);
    if (denied !== undefined) return void (entry.status = denied);

    const { host, port } = this.target();
    // Host is forwarded unchanged, so distribution's absolute Location URLs point back at this proxy.
    const upstream = httpRequest({ host, port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      entry.status = up.statusCode ?? 0;
      res.writeHead(entry.status, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (res.headersSent) return res.destroy();
      entry.status = 502;
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  }

  private fail(req: IncomingMessage, res: ServerResponse, entry: RecordedRequest, f: { status: number; retryAfterSeconds?: number }): void {
    entry.status = f.status;
    req.resume();
    const body = JSON.stringify({ errors: [{ code: f.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'test failure' }] });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (f.retryAfterSeconds !== undefined) headers['retry-after'] = String(f.retryAfterSeconds);
    res.writeHead(f.status, headers).end(req.method === 'HEAD' ? undefined : body);
  }
}
