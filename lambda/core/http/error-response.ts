import { OciError, wireCode } from '../../oci/errors';
import type { Logger } from '../../shared/logger';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';

/** Backend errors that mean "try again" rather than "we are broken". */
const RETRYABLE_NAMES = new Set([
  'TimeoutError', 'RequestTimeout', 'ThrottlingException', 'ProvisionedThroughputExceededException',
  'RequestLimitExceeded', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'TransactionConflictException',
]);
const RETRYABLE_SYSCALLS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND',
  // a backend's answer cut off mid-body (an S3 object stream, a truncated response)
  'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED',
]);

/**
 * The AWS SDK's retry layer rethrows anything that is not an `Error` of its own realm (errors made in
 * another V8 context: a vm sandbox, a test runner) as `new Error('AWS SDK error wrapper for <name>: <message>')`,
 * losing name and code: what is left of them is read from the message.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for (\w+)/;

/** The one place that turns any thrown value into the spec's error JSON. */
export function errorResponse(err: unknown, requestId: string, logger: Logger): RegistryResponse {
  if (err instanceof OciError) {
    return jsonResponse(err.status, {
      errors: [{ code: wireCode(err.code), message: err.message, detail: err.detail ?? null }],
    }, err.headers);
  }
  const retryable = isRetryable(err);
  logger.error('request failed', { requestId, error: describe(err) });
  const code = retryable ? 'UNAVAILABLE' : 'UNKNOWN';
  const status = retryable ? 503 : 500;
  const message = retryable
    ? `storage backend unavailable, retry later (request id ${requestId})`
    : `internal error (request id ${requestId})`;
  return jsonResponse(status, { errors: [{ code, message, detail: { requestId } }] }, retryable ? { 'retry-after': '1' } : {});
}

function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number } };
  if (!e || typeof e !== 'object') return false;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_SYSCALLS.has(e.code)) return true;
  if (e.cause?.code && RETRYABLE_SYSCALLS.has(e.cause.code)) return true;
  const message = (e as { message?: string }).message ?? '';
  const wrapped = SDK_WRAPPER.exec(message);
  if (wrapped) {
    if (RETRYABLE_NAMES.has(wrapped[1]!) || /socket hang up/.test(message)) return true;
    if ((message.match(/\bE[A-Z_]+\b/g) ?? []).some((code) => RETRYABLE_SYSCALLS.has(code))) return true;
  }
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}
