import type { RegistryRequest, RegistryResponse } from '../../shared/http-types';

const EXPOSED = ['Docker-Content-Digest', 'Docker-Distribution-API-Version', 'Docker-Upload-UUID', 'Location', 'Link',
  'Range', 'Content-Range', 'Content-Length', 'OCI-Subject', 'OCI-Filters-Applied', 'OCI-Chunk-Min-Length', 'WWW-Authenticate'];
// Named, not `*`: a wildcard never covers Authorization, which browser UIs send.
const ALLOWED_HEADERS = 'Authorization, Accept, Content-Type, Content-Length, Content-Range, Range, Docker-Content-Digest';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
/** What a preflight may ask for and get echoed: header names only. */
const HEADER_LIST = /^[A-Za-z0-9-]+(\s*,\s*[A-Za-z0-9-]+)*$/;

/**
 * The CORS policy STRATUS_CORS_ORIGIN describes: `*` (any origin may read, without credentials), a
 * comma-separated allow-list of exact origins (these alone get credentials; `*` in the list answers every
 * other origin without them), or empty (no CORS headers).
 */
export interface CorsPolicy {
  anyOrigin: boolean;
  credentialed: Set<string>;
}

const policies = new Map<string, CorsPolicy>();

/** The setting parsed once: entries trimmed, a trailing slash dropped (an Origin never has one). */
export function policyOf(setting: string): CorsPolicy {
  let policy = policies.get(setting);
  if (!policy) {
    const entries = setting.split(',').map((e) => e.trim().replace(/\/+$/, '')).filter(Boolean);
    policy = { anyOrigin: entries.includes('*'), credentialed: new Set(entries.filter((e) => e !== '*')) };
    policies.set(setting, policy);
  }
  return policy;
}

/** The answer to a CORS preflight (OPTIONS), so browser UIs can use the API; it needs no credentials. */
export function preflight(req: RegistryRequest, origin: string): RegistryResponse {
  const cors = corsHeaders(req, origin);
  if (!cors['access-control-allow-origin']) return { status: 204, headers: cors };
  const asked = req.headers['access-control-request-headers'];
  return {
    status: 204,
    headers: {
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': asked && HEADER_LIST.test(asked) ? asked : ALLOWED_HEADERS,
      'access-control-max-age': '600',
      ...cors,
    },
  };
}

/**
 * Headers that let a browser on another origin read a response. Credentials (cookies, and a browser's
 * own Basic prompt) are granted to listed origins only, by exact match of scheme, host and port: an
 * echoed origin with credentials for everyone would let any web page act as the logged-in user.
 */
export function corsHeaders(req: RegistryRequest, origin: string): Record<string, string> {
  const policy = policyOf(origin);
  const requestOrigin = req.headers.origin;
  const exposed = { 'access-control-expose-headers': EXPOSED.join(', ') };
  if (policy.credentialed.size === 0) return policy.anyOrigin ? { 'access-control-allow-origin': '*', ...exposed } : {};
  // The answer depends on the Origin: caches must keep one per origin.
  if (requestOrigin !== undefined && policy.credentialed.has(requestOrigin)) {
    return { 'access-control-allow-origin': requestOrigin, 'access-control-allow-credentials': 'true', vary: 'Origin', ...exposed };
  }
  return policy.anyOrigin ? { 'access-control-allow-origin': '*', vary: 'Origin', ...exposed } : { vary: 'Origin' };
}

/** Whether the request comes from a page on an origin listed for credentials (a browser UI whose login the registry accepts). */
export function fromCredentialedOrigin(req: RegistryRequest, setting: string): boolean {
  const origin = req.headers.origin;
  return origin !== undefined && policyOf(setting).credentialed.has(origin);
}
