import { UpstreamDeniedError, UpstreamUnavailableError } from '../../ports/upstream-registry';
import { discard, Exchange, parseRetryAfter, readCapped, UpstreamTimeouts } from './http-exchange';

/** The error codes by which an upstream says it does not have what was asked for. */
const UNKNOWN_CODES = new Set(['MANIFEST_UNKNOWN', 'BLOB_UNKNOWN', 'NAME_UNKNOWN']);
/** An error body larger than this is not read for its codes. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * What an upstream's final answer (after authentication and redirects) means: true for a 2xx (its body
 * still to read); false when the upstream does not know the thing (404, or a 4xx whose OCI error codes
 * say *_UNKNOWN), the answer freed; else it throws UpstreamDeniedError (401/403) or
 * UpstreamUnavailableError (429 and 5xx with their Retry-After, any other status).
 */
export async function settle(x: Exchange, label: string, timeouts: UpstreamTimeouts): Promise<boolean> {
  const status = x.status;
  if (status >= 200 && status < 300) return true;
  if (status === 404) {
    discard(x);
    return false;
  }
  if (status === 401 || status === 403) {
    discard(x);
    throw new UpstreamDeniedError(label, `refused (${status})`, status);
  }
  if (status === 429 || status >= 500) {
    discard(x);
    const reason = status === 429 ? 'rate limited (429)' : `failed (${status})`;
    throw new UpstreamUnavailableError(label, reason, parseRetryAfter(x.headers['retry-after']));
  }
  if (status >= 400 && status < 500 && (await errorCodes(x, timeouts, label)).some((c) => UNKNOWN_CODES.has(c))) return false;
  throw new UpstreamUnavailableError(label, `unexpected status ${status}`);
}

/** The `errors[].code` of an OCI error body (empty when there is none, or it is too large or not JSON). */
async function errorCodes(x: Exchange, timeouts: UpstreamTimeouts, label: string): Promise<string[]> {
  try {
    const body = await readCapped(x, MAX_ERROR_BODY, label, timeouts);
    if (!body) return [];
    const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    return Array.isArray(parsed?.errors) ? parsed.errors.map((e) => String(e?.code ?? '')) : [];
  } catch {
    return [];
  }
}
