import { Backend, BackendThrottledError, BackendUnavailableError } from '../ports/backend-errors';

/** AWS error names meaning the service is overloaded or asks for fewer requests. */
const THROTTLED_NAMES = new Set([
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'SlowDown',
]);
/** AWS error names meaning the service failed or timed out; a later retry may succeed. */
const UNAVAILABLE_NAMES = new Set([
  'TimeoutError', 'RequestTimeout', 'ServiceUnavailable', 'InternalError', 'TransactionConflictException',
]);
/** Node's codes for a connection that failed, or a backend answer cut off mid-body. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

interface SdkError {
  name?: string;
  code?: string;
  cause?: { code?: string };
  $metadata?: { httpStatusCode?: number };
}

/**
 * The port's typed error for an SDK or network failure that no adapter method handles (unreachable,
 * failing or throttling backend), or undefined: then the error goes on as it is, so adapter methods still
 * catch what they expect by name (NoSuchKey, ConditionalCheckFailedException, ...).
 */
export function backendFailure(backend: Backend, err: unknown): Error | undefined {
  const e = err as SdkError;
  if (!e || typeof e !== 'object') return undefined;
  if (e.name && THROTTLED_NAMES.has(e.name)) return new BackendThrottledError(backend, err);
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return new BackendUnavailableError(backend, err);
  if ((e.code && CONNECTION_CODES.has(e.code)) || (e.cause?.code && CONNECTION_CODES.has(e.cause.code))) {
    return new BackendUnavailableError(backend, err);
  }
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500 ? new BackendUnavailableError(backend, err) : undefined;
}

/** The part of an AWS SDK client this needs: its middleware stack. */
interface WithMiddleware {
  middlewareStack: {
    add: (
      mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      opts: { step: 'initialize'; priority: 'high'; name: string },
    ) => void;
  };
}

/**
 * Makes a client throw the ports' backend errors (backend-errors.ts) for the failures backendFailure
 * names, also from a streamed answer (an S3 object's body) cut off mid-way. Outermost in the stack, so it
 * sees each command's final error, after the SDK's retries.
 */
export function translateBackendFailures<T>(client: T, backend: Backend): T {
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next) => async (args) => {
      let result: unknown;
      try {
        result = await next(args);
      } catch (err) {
        throw backendFailure(backend, err) ?? err;
      }
      translateStreamFailures(backend, (result as { output?: { Body?: unknown } }).output?.Body);
      return result;
    },
    { step: 'initialize', priority: 'high', name: 'stratusBackendFailures' },
  );
  return client;
}

/**
 * A streamed body fails through its `destroy(err)` (Node calls it when the socket is reset or times out):
 * that error is translated on the way in. Wrapping the body in another stream instead would add a hop to
 * every byte of a proxied pull. A premature close is left alone: it is what the reader's own end (a client
 * that went away) looks like, and readers tell it apart by its code.
 */
function translateStreamFailures(backend: Backend, body: unknown): void {
  const stream = body as { destroy?: (err?: Error, ...rest: unknown[]) => unknown } | undefined;
  if (!stream || typeof stream.destroy !== 'function') return;
  const destroy = stream.destroy;
  stream.destroy = function (this: unknown, err?: Error, ...rest: unknown[]) {
    const failure = err && (err as SdkError).code !== 'ERR_STREAM_PREMATURE_CLOSE' ? backendFailure(backend, err) : undefined;
    return destroy.call(this, failure ?? err, ...rest);
  };
}
