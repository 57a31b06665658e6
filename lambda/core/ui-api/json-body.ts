import { OciError } from '../../oci/errors';
import type { RegistryRequest } from '../../shared/http-types';
import { readBody } from '../http/request-parts';

/** Largest JSON body an admin request may send. */
const JSON_LIMIT = 16 * 1024;

/**
 * The request's JSON object. Only `Content-Type: application/json` is read: a page on another origin
 * cannot send that without a preflight, which these paths never answer with CORS headers.
 */
export async function jsonBody(req: RegistryRequest): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw invalid('send the request body as application/json');
  const bytes = await readBody(req, JSON_LIMIT, () => new OciError('SIZE_INVALID', `request body is larger than ${JSON_LIMIT} bytes`));
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalid('the request body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid('the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A 400 about a request's body or parameters (the registry's codes have no generic one: NAME_INVALID, saying what). */
export function invalid(message: string, detail?: unknown): OciError {
  return new OciError('NAME_INVALID', message, { detail });
}

/** A string field of a body, required. */
export function stringField(body: Record<string, unknown>, field: string, maxLength = 256): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '' || v.length > maxLength) throw invalid(`${field} must be a non-empty string of at most ${maxLength} characters`, { field });
  return v;
}
