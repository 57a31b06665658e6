/**
 * Every error the registry can answer with, registered once with its HTTP status and message
 * (the OCI Distribution Spec's error codes plus distribution's operational ones).
 */
export const ERROR_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  TAG_INVALID: { status: 400, message: 'invalid tag' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  MANIFEST_TOO_LARGE: { status: 413, message: 'manifest exceeds the size limit' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  NOT_FOUND: { status: 404, message: 'no such route' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  UNKNOWN: { status: 500, message: 'internal error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable, try again' },
} as const;

/** One of the registered error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A registry error: code, a message for the user, optional detail and extra response headers. */
export class OciError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: unknown;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, opts: { detail?: unknown; headers?: Record<string, string> } = {}) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'OciError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
  }
}

/** The spec's wire code: MANIFEST_TOO_LARGE and NOT_FOUND are ours, sent as spec codes. */
export function wireCode(code: ErrorCode): string {
  if (code === 'MANIFEST_TOO_LARGE') return 'SIZE_INVALID';
  if (code === 'NOT_FOUND') return 'UNSUPPORTED';
  return code;
}
