import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RegistryHandler, RegistryRequest } from '../../core/http/types';
import type { Logger } from '../../core/logger';
import { countCallsOf, noCalls } from '../backend-calls';

/**
 * A Node HTTP server in front of the registry core, logging one JSON line per request with the S3 and
 * DynamoDB calls it made (counted at the SDK, attributed to the request through AsyncLocalStorage).
 */
export function createNodeServer(handler: RegistryHandler, logger: Logger): Server {
  const server = createServer((req, res) => void serve(handler, logger, req, res));
  // Layers take minutes to stream: no overall request deadline, but idle headers still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  return server;
}

async function serve(handler: RegistryHandler, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = randomUUID();
  const [path, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
  let bytesIn = 0;
  // destroyOnReturn false: a handler that stops reading early must still be able to answer.
  const chunks = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
  const body = (async function* counted() {
    for await (const chunk of chunks) {
      bytesIn += chunk.length;
      yield chunk as Uint8Array;
    }
  })();
  const request: RegistryRequest = {
    method: req.method ?? 'GET', path, query: new URLSearchParams(rawQuery), headers: flattenHeaders(req), body, requestId,
    remoteAddress: req.socket.remoteAddress,
  };
  const calls = noCalls();
  const response = await countCallsOf(calls, () => handler(request));
  // A client still sending a refused body only sees the answer once it has sent it: read a little
  // more so it can, and close the connection rather than read a large remainder.
  if (!req.complete && !(await drain(req, DRAIN_LIMIT_BYTES))) response.headers.connection = 'close';
  const bytesOut = response.body?.length ?? 0;
  if (!res.destroyed) {
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  }
  logger.info('request', {
    requestId, method: request.method, path, status: response.status,
    durationMs: Math.round(performance.now() - started), bytesIn, bytesOut,
    s3Calls: calls.s3, dynamodbCalls: calls.dynamodb, dynamodbReads: calls.dynamodbReads,
    remote: req.socket.remoteAddress, userAgent: req.headers['user-agent'],
  });
}

const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** Reads and discards the rest of a request body; false when more than `limit` bytes remained. */
function drain(req: IncomingMessage, limit: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (complete: boolean) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (!complete) req.pause();
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    const onClose = () => finish(req.complete);
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
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
