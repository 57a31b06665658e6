import { OciError, wireCode } from '../../oci/errors';
import { BackendError } from '../../ports/backend-errors';
import type { Logger } from '../../shared/logger';
import { jsonResponse, RegistryResponse } from '../../shared/http-types';

/** The one place that turns any thrown value into the spec's error JSON. */
export function errorResponse(err: unknown, requestId: string, logger: Logger): RegistryResponse {
  if (err instanceof OciError) {
    return jsonResponse(err.status, {
      errors: [{ code: wireCode(err.code), message: err.message, detail: err.detail ?? null }],
    }, err.headers);
  }
  logger.error('request failed', { requestId, error: describe(err) });
  // A backend that is down, cut off, stalled or throttling: the same request can succeed later.
  if (err instanceof BackendError) {
    const message = `storage backend unavailable, retry later (request id ${requestId})`;
    return jsonResponse(503, { errors: [{ code: 'UNAVAILABLE', message, detail: { requestId } }] }, { 'retry-after': '1' });
  }
  const message = `internal error (request id ${requestId})`;
  return jsonResponse(500, { errors: [{ code: 'UNKNOWN', message, detail: { requestId } }] });
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof BackendError) return { name: err.name, message: err.message, cause: describe(err.cause) };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}
