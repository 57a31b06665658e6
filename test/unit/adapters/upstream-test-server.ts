/** A small HTTP server on 127.0.0.1 for the upstream client's tests: a handler per test, every request recorded. */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A started test server: its base URL, the requests it saw, a handler to swap, and close(). */
export interface TestServer {
  url: string;
  seen: SeenRequest[];
  handle: Handler;
  /** Requests whose path starts with `prefix`. */
  count(prefix: string): number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 on a free port. */
export async function startServer(handle: Handler = (_, res) => { res.statusCode = 404; res.end(); }): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const state: TestServer = {
    url: '',
    seen,
    handle,
    count: (prefix) => seen.filter((r) => r.url.startsWith(prefix)).length,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    state.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** Answers with a status, headers and an optional body (Content-Length set). */
export function reply(res: ServerResponse, status: number, headers: Record<string, string> = {}, body?: string | Buffer): void {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  res.writeHead(status, { ...headers, ...(bytes ? { 'content-length': String(bytes.length) } : {}) });
  res.end(bytes);
}
