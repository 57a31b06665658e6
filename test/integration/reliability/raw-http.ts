/**
 * HTTP/1.1 over a bare socket, for requests no HTTP client will send: a Content-Length that lies, a
 * body cut off mid-stream, paths and header bytes sent exactly as given.
 */
import { connect } from 'node:net';
import type { Answer } from './invariants';

/** How a raw request ends after its bytes are written. */
export type RawEnding =
  /** keep the socket open and wait for an answer */
  | 'wait'
  /** half-close (FIN): the client has nothing more to send */
  | 'half-close'
  /** reset the connection at once: the client is gone */
  | 'destroy';

/** A raw exchange: the first response parsed (status 0 when none came), and what followed it. */
export interface RawAnswer extends Answer {
  /** Bytes received after the first response (a second response to leftover request bytes, ...). */
  rest: string;
  /** The server closed the connection. */
  closed: boolean;
}

/** Sends `head` (the request line and headers, CRLF-joined, no blank line) and `body`, then ends as told. */
export function rawExchange(base: string, head: string[], body: Buffer | string = '', ending: RawEnding = 'wait', timeoutMs = 10_000): Promise<RawAnswer> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    const received: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(received).toString('latin1')), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk) => {
      received.push(chunk);
      const parsed = parseResponse(Buffer.concat(received).toString('latin1'));
      if (parsed.status && parsed.complete && ending === 'wait') setTimeout(() => finish(false), 100);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`, 'latin1');
      socket.write(body);
      if (ending === 'half-close') socket.end();
      if (ending === 'destroy') setTimeout(() => socket.destroy(), 50);
    });
  });
}

function parseResponse(text: string): RawAnswer & { complete: boolean } {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '', rest: '', closed: false, complete: false };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const bodyStart = end + 4;
  const complete = text.length - bodyStart >= length;
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0),
    headers,
    body: text.slice(bodyStart, bodyStart + length),
    rest: text.slice(bodyStart + length),
    closed: false,
    complete,
  };
}

/** The request line and Host header of a raw request to `base`. */
export function requestHead(base: string, method: string, path: string, headers: Record<string, string | number> = {}): string[] {
  const u = new URL(base);
  return [`${method} ${path} HTTP/1.1`, `Host: ${u.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
}
