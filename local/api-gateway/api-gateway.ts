import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../../lambda/shared/logger';
import { apiGatewayEvent } from './api-gateway-event';

/** A Lambda handler for HTTP API (payload format 2.0) events. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The limits AWS enforces between a client and the function. */
export interface ApiGatewayLimits {
  /** HTTP API request body limit: 10 MB. */
  maxBodyBytes: number;
  /** Synchronous Lambda invocation payload limit (the whole event JSON): 6 MB. */
  maxEventBytes: number;
  /** HTTP API integration timeout: 30 s. */
  timeoutMs: number;
}

/** The limits of AWS as of this writing. */
export const AWS_LIMITS: ApiGatewayLimits = { maxBodyBytes: 10 * 1024 * 1024, maxEventBytes: 6 * 1024 * 1024, timeoutMs: 30_000 };

/**
 * A local stand-in for API Gateway's HTTP API in front of a Lambda function: buffers each request,
 * turns it into the 2.0 event, enforces AWS's size and time limits, invokes the handler and turns
 * its result back into an HTTP response.
 */
export function createApiGateway(handler: HttpApiHandler, logger: Logger, limits: ApiGatewayLimits = AWS_LIMITS): Server {
  return createServer((req, res) => void serve(handler, logger, limits, req, res));
}

async function serve(handler: HttpApiHandler, logger: Logger, limits: ApiGatewayLimits, req: IncomingMessage, res: ServerResponse) {
  const started = performance.now();
  const body = await readUpTo(req, limits.maxBodyBytes);
  let result: APIGatewayProxyStructuredResultV2;
  if (body === null) {
    result = tooLarge(`request body is over API Gateway's ${mb(limits.maxBodyBytes)} limit`, res);
  } else {
    const event = apiGatewayEvent(req, body);
    const eventBytes = Buffer.byteLength(JSON.stringify(event));
    result = eventBytes > limits.maxEventBytes
      ? tooLarge(`request of ${body.length} bytes makes a ${eventBytes}-byte Lambda event, over the ${mb(limits.maxEventBytes)} invocation limit ` +
        `(binary bodies are base64-encoded: about ${mb(Math.floor(limits.maxEventBytes * 0.74))} of data at most)`, res)
      : await invoke(handler, event, limits.timeoutMs, logger);
  }
  const payload = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  const headers = { ...(result.headers ?? {}) } as Record<string, string>;
  if (payload && headers['content-length'] === undefined) headers['content-length'] = String(payload.length);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
  logger.info('api-gateway', {
    method: req.method, path: req.url?.split('?')[0], status: result.statusCode, bytesIn: body?.length ?? null,
    durationMs: Math.round(performance.now() - started),
  });
}

async function invoke(handler: HttpApiHandler, event: APIGatewayProxyEventV2, timeoutMs: number, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const outcome = await Promise.race([handler(event), timeout]);
    // What API Gateway answers when the integration does not answer in time.
    if (outcome === 'timeout') return gatewayError(503, 'Service Unavailable');
    return outcome;
  } catch (err) {
    logger.error('lambda invocation failed', { error: String(err) });
    return gatewayError(500, 'Internal Server Error');
  } finally {
    clearTimeout(timer);
  }
}

/**
 * AWS answers 413 before the function runs. The local stand-in says which limit was hit in the spec's
 * error JSON so clients print something useful; API Gateway itself sends a bare {"message"} body.
 */
function tooLarge(message: string, res: ServerResponse): APIGatewayProxyStructuredResultV2 {
  res.setHeader('connection', 'close');
  const hint = 'push large layers through the upload service, or in smaller chunks';
  return {
    statusCode: 413,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errors: [{ code: 'SIZE_INVALID', message: `${message}; ${hint}`, detail: null }] }),
  };
}

function gatewayError(statusCode: number, message: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) };
}

/** The whole body, or null once it passes `limit` bytes (the rest is not read). */
function readUpTo(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data').removeAllListeners('end').pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
}
