import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RegistryHandler, RegistryRequest } from '../../shared/http-types';
import type { Logger } from '../../shared/logger';
import type { AbandonableBody } from '../../core/uploads/abandonable-body';
import { countCallsOf, noCalls } from '../backend-calls';

/** Options of the Node host's HTTP server. */
export interface NodeServerOptions {
  /**
   * A request body that sends nothing for this long while the registry waits for its next bytes is
   * abandoned and its connection closed: a stalled client must not hold its upload session (chunks of a
   * session are written one at a time), its buffers and its socket forever. Time the registry spends
   * elsewhere (S3, hashing, a long completion) does not count. @default 120000
   */
  bodyIdleTimeoutMs?: number;
  /** Serve HTTPS with this certificate (chain) and key, PEM. @default plain HTTP */
  tls?: { cert: Buffer; key: Buffer };
}

/** Default of NodeServerOptions.bodyIdleTimeoutMs. */
export const BODY_IDLE_TIMEOUT_MS = 120_000;

/**
 * A Node HTTP server in front of the registry core, logging one JSON line per request with the S3 and
 * DynamoDB calls it made (counted at the SDK, attributed to the request through AsyncLocalStorage).
 */
export function createNodeServer(handler: RegistryHandler, logger: Logger, opts: NodeServerOptions = {}): Server {
  const listener: RequestListener = (req, res) => {
    // The host terminates TLS itself: say so as a TLS proxy in front would (the auth realm's scheme follows).
    if (opts.tls) req.headers['x-forwarded-proto'] = 'https';
    void serve(handler, logger, req, res, opts.bodyIdleTimeoutMs ?? BODY_IDLE_TIMEOUT_MS);
  };
  const server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : createServer(listener);
  // Layers take minutes to stream: no overall request deadline, but idle headers still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return server;
}

async function serve(handler: RegistryHandler, logger: Logger, req: IncomingMessage, res: ServerResponse, bodyIdleMs: number): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const [path, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
  let bytesIn = 0;
  // destroyOnReturn false: a handler that stops reading early must still be able to answer.
  const chunks = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
  const body = (async function* counted() {
    const it = chunks[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await within(it.next(), bodyIdleMs, () => req.destroy(bodyIdleError(bodyIdleMs)));
        if (next.done) return;
        bytesIn += next.value.length;
        yield next.value as Uint8Array;
      }
    } finally {
      await it.return?.();
    }
  })();
  // The client going away before its answer: an upload waiting for a part buffer gives its place up.
  const abandoned = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abandoned.abort();
  });
  const request: RegistryRequest = {
    method: req.method ?? 'GET', path, query: new URLSearchParams(rawQuery), headers: flattenHeaders(req),
    body: Object.assign(body, { abandoned: abandoned.signal }) satisfies AbandonableBody, requestId,
    remoteAddress: req.socket.remoteAddress,
  };
  const calls = noCalls();
  const response = await countCallsOf(calls, () => handler(request));
  // A client still sending a refused body only sees the answer once it has sent it: read a little
  // more so it can, and close the connection rather than read a large remainder.
  // A request already torn down (the client went away mid-body) has nothing left to read.
  const rest = req.complete ? 'read' : req.destroyed ? 'large' : await drain(req, DRAIN_LIMIT_BYTES, bodyIdleMs);
  if (rest !== 'read') response.headers.connection = 'close';
  let bytesOut = response.body?.length ?? 0;
  if (res.destroyed) await response.stream?.[Symbol.asyncIterator]().return?.();
  else {
    res.writeHead(response.status, response.headers);
    if (response.stream) bytesOut = await sendStream(response.stream, res, logger, requestId);
    // a stalled client may never read the answer nor close: the connection is let go once it is written
    else res.end(response.body, () => { if (rest === 'idle') req.socket.destroy(); });
  }
  logger.info('request', {
    requestId, method: request.method, path, status: response.status,
    durationMs: Math.round(performance.now() - started), bytesIn, bytesOut,
    s3Calls: calls.s3, dynamodbCalls: calls.dynamodb, dynamodbReads: calls.dynamodbReads,
    remote: req.socket.remoteAddress, userAgent: req.headers['user-agent'],
  });
}

const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * Writes a streamed body (blob bytes) at the pace the client reads it: the source is only pulled when the
 * socket takes more, so memory stays bounded whatever the size. A source that fails, or a client that goes
 * away, ends both sides (the client sees a cut body, never a short one that looks complete). Resolves to
 * the bytes written.
 */
async function sendStream(stream: AsyncIterable<Uint8Array>, res: ServerResponse, logger: Logger, requestId: string): Promise<number> {
  // The S3 adapter's body is already a Node stream: piped as it is. Measured on a 1 GiB GET: 2.6-3.6 s
  // piped, 4.0-4.3 s with an async generator in between.
  const source = stream instanceof Readable ? stream : Readable.from(stream, { objectMode: false });
  let sent = 0;
  source.on('data', (chunk: Uint8Array) => (sent += chunk.length));
  try {
    await pipeline(source, res);
  } catch (err) {
    if (!res.writableFinished && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      logger.warn('response body cut off', { requestId, error: String(err), bytesOut: sent });
    }
  }
  return sent;
}

/** `step`, or `onIdle` called if it has not settled within `ms` (which should make it reject). */
function within<T>(step: Promise<T>, ms: number, onIdle: () => void): Promise<T> {
  if (!(ms > 0)) return step;
  const timer = setTimeout(onIdle, ms);
  return step.finally(() => clearTimeout(timer));
}

/** Why a stalled body was dropped: the client sent nothing (a connection fault, like a reset). */
function bodyIdleError(ms: number): Error {
  return Object.assign(new Error(`request body idle for ${ms} ms: client stalled, connection closed`), { code: 'ECONNRESET' });
}

/**
 * Reads and discards the rest of a request body: 'read' when it all came, 'large' when more than `limit`
 * bytes remained, 'idle' when nothing came for `idleMs`.
 */
function drain(req: IncomingMessage, limit: number, idleMs: number): Promise<'read' | 'large' | 'idle'> {
  return new Promise((resolve) => {
    let seen = 0;
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      if (idleMs > 0) timer = setTimeout(() => finish('idle'), idleMs);
    };
    const finish = (outcome: 'read' | 'large' | 'idle') => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (outcome !== 'read') req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      clearTimeout(timer);
      if (seen > limit) finish('large');
      else idle();
    };
    const onEnd = () => finish('read');
    const onError = () => finish('large');
    const onClose = () => finish(req.complete ? 'read' : 'large');
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
    idle();
    req.resume();
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
