/**
 * Backend failures as the core sees them. Adapters raise these in place of their SDK's errors for what no
 * adapter method can handle (the backend down, cut, stalled or overloaded); the core answers them with
 * 503 and Retry-After. What a port method reports as a value or a domain error (not found, a condition
 * that failed, a multipart upload that is gone) stays inside the adapter; anything else is a bug (500).
 */

/** The storages behind the ports, as named in logs. */
export type Backend = 'S3' | 'DynamoDB';

/** A backend failure that a later retry of the same request may not meet. */
export abstract class BackendError extends Error {
  /** The SDK's or the network's own error, kept for logs. */
  override readonly cause: unknown;

  constructor(readonly backend: Backend, what: string, cause: unknown) {
    super(`${backend} ${what}: ${messageOf(cause)}`);
    this.cause = cause;
  }
}

/** The backend could not be reached or failed: connection refused, reset or timed out, a 5xx answer, a body cut off. */
export class BackendUnavailableError extends BackendError {
  constructor(backend: Backend, cause: unknown) {
    super(backend, 'unavailable', cause);
    this.name = 'BackendUnavailableError';
  }
}

/** The backend refused the request for the rate of requests (throttled, slow down). */
export class BackendThrottledError extends BackendError {
  constructor(backend: Backend, cause: unknown) {
    super(backend, 'throttled', cause);
    this.name = 'BackendThrottledError';
  }
}

function messageOf(err: unknown): string {
  const e = err as { name?: string; message?: string } | undefined;
  return e && typeof e === 'object' ? `${e.name ?? 'Error'}: ${e.message ?? ''}` : String(err);
}
