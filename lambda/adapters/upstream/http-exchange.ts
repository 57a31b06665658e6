import { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UpstreamUnavailableError } from '../../ports/upstream-registry';
import { guardedLookup, refusedHost } from './address-guard';

/** How long an upstream may keep us waiting, per request (each redirect hop and token request is one). */
export interface UpstreamTimeouts {
  /** Time to open the TCP connection. */
  connectMs: number;
  /** Time from sending the request to the response's status and headers (TLS and the upstream's work included). */
  headersMs: number;
  /** Time the reader of a body waits for its next chunk (not the whole download: layers take minutes). */
  idleMs: number;
}

/** Defaults: an upstream that does not answer within these is treated as down (the mirror serves what it has). */
export const UPSTREAM_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, headersMs: 20_000, idleMs: 30_000 };

/** An answer whose body has not been read yet. */
export interface Exchange {
  method: 'GET' | 'HEAD';
  status: number;
  headers: IncomingHttpHeaders;
  response: IncomingMessage;
}

/** Keep-alive agents for one process's upstream requests (free sockets do not keep Node running). */
export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Agents that reuse connections to upstreams across requests and warm Lambda invocations. */
export function keepAliveAgents(): Agents {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

/**
 * Sends one request (no redirects followed) and resolves when the status and headers are in.
 * Connection failures and timeouts become UpstreamUnavailableError; `label` names the upstream in errors
 * (never a URL with its query: a redirect target's query may hold a presigned signature).
 */
export function exchange(
  url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>, timeouts: UpstreamTimeouts, agents: Agents, label: string,
): Promise<Exchange> {
  const refused = refusedHost(url.hostname);
  if (refused) return Promise.reject(new UpstreamUnavailableError(label, refused));
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = url.protocol === 'https:' ? agents.https : agents.http;
    const req = send(url, { method, headers, agent, lookup: guardedLookup as never });
    const fail = (reason: string) => req.destroy(new UpstreamUnavailableError(label, reason));
    const headersTimer = setTimeout(() => fail(`no response from ${url.host} within ${timeouts.headersMs} ms`), timeouts.headersMs);
    let connectTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      if (!socket.connecting) return; // a kept-alive connection
      connectTimer = setTimeout(() => fail(`no connection to ${url.host} within ${timeouts.connectMs} ms`), timeouts.connectMs);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('response', (response) => {
      clearTimeout(headersTimer);
      clearTimeout(connectTimer);
      resolve({ method, status: response.statusCode ?? 0, headers: response.headers, response });
    });
    req.on('error', (err) => {
      clearTimeout(headersTimer);
      clearTimeout(connectTimer);
      reject(err instanceof UpstreamUnavailableError ? err : new UpstreamUnavailableError(label, `${url.host}: ${networkReason(err)}`));
    });
    req.end();
  });
}

/** Frees an answer whose body is not wanted: a HEAD's or a small one is drained (keeps the connection), others are cut. */
export function discard(x: Exchange): void {
  const length = Number(x.headers['content-length']);
  if (x.method === 'HEAD' || (Number.isFinite(length) && length <= 64 * 1024)) {
    x.response.on('error', () => undefined);
    x.response.resume();
  } else {
    x.response.destroy();
  }
}

/** Reads a whole body of at most `max` bytes; null when it is larger (the rest is not read). */
export async function readCapped(x: Exchange, max: number, label: string, timeouts: UpstreamTimeouts): Promise<Uint8Array | null> {
  const declared = Number(x.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    x.response.destroy();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyOf(x, label, timeouts.idleMs)) {
    size += chunk.length;
    if (size > max) {
      x.response.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The body as a stream whose reader waits at most `idleMs` for each chunk (time spent by the reader
 * between chunks does not count: an S3 part upload may take a while). A stall or a cut connection throws
 * UpstreamUnavailableError.
 */
export async function* bodyOf(x: Exchange, label: string, idleMs: number): AsyncGenerator<Uint8Array> {
  const chunks = x.response[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // One coarse timer per body, not one per chunk: a stall is noticed between idleMs and 1.25 idleMs.
  let waitingSince: number | undefined;
  const watch = setInterval(() => {
    if (waitingSince !== undefined && Date.now() - waitingSince >= idleMs) {
      x.response.destroy(new UpstreamUnavailableError(label, `body stalled for ${idleMs} ms`));
    }
  }, Math.max(10, idleMs / 4));
  watch.unref();
  let ended = false;
  try {
    for (;;) {
      waitingSince = Date.now();
      const next = await chunks.next();
      waitingSince = undefined;
      if (next.done) {
        ended = true;
        return;
      }
      yield next.value;
    }
  } catch (err) {
    throw err instanceof UpstreamUnavailableError ? err : new UpstreamUnavailableError(label, `body cut off: ${networkReason(err)}`);
  } finally {
    clearInterval(watch);
    if (!ended) x.response.destroy(); // stalled, cut, or the reader stopped early: free the connection
  }
}

/** Seconds from a Retry-After header (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A network error's code (ECONNREFUSED, ECONNRESET, ...) or message, safe to log. */
function networkReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ELINKLOCAL') return e.message ?? e.code;
  return e?.code ?? e?.message ?? String(err);
}
