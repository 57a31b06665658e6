import type { RegistryRequest, RegistryResponse } from './types';

const EXPOSED = ['Docker-Content-Digest', 'Docker-Distribution-API-Version', 'Docker-Upload-UUID', 'Location', 'Link',
  'Range', 'Content-Range', 'Content-Length', 'OCI-Subject', 'OCI-Filters-Applied', 'OCI-Chunk-Min-Length', 'WWW-Authenticate'];
const ALLOWED_HEADERS = 'Authorization, Accept, Content-Type, Content-Length, Content-Range, Range, Docker-Content-Digest';
const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** The answer to a CORS preflight (OPTIONS), so browser UIs can use the API. */
export function preflight(req: RegistryRequest, origin: string): RegistryResponse {
  return {
    status: 204,
    headers: {
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? ALLOWED_HEADERS,
      'access-control-max-age': '600',
      ...corsHeaders(req, origin),
    },
  };
}

/** Headers that let a browser on another origin read a response. */
export function corsHeaders(req: RegistryRequest, origin: string): Record<string, string> {
  if (!origin) return {};
  const requestOrigin = req.headers.origin;
  const allow = origin === '*' && requestOrigin ? requestOrigin : origin;
  const headers: Record<string, string> = {
    'access-control-allow-origin': allow,
    'access-control-expose-headers': EXPOSED.join(', '),
  };
  if (allow !== '*') {
    headers['access-control-allow-credentials'] = 'true';
    headers.vary = 'Origin';
  }
  return headers;
}
