/** A request as the core sees it, whatever transport carried it. Header names are lower-case. */
export interface RegistryRequest {
  method: string;
  /** The raw (still percent-encoded) path, e.g. /v2/team/app/manifests/latest. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  /** The body as a stream of bytes; absent for requests without one. */
  body?: AsyncIterable<Uint8Array>;
  /** Correlates the request's log lines and error bodies. */
  requestId: string;
  /** The client's address, when the host knows it (logged on failed logins). */
  remoteAddress?: string;
}

/** A response as the core produces it. Bodies are whole, except blob bytes the Node host streams (`stream`). */
export interface RegistryResponse {
  status: number;
  headers: Record<string, string>;
  body?: Uint8Array;
  /**
   * A body to stream instead of `body`: blob bytes on the Node host's proxy delivery. Only hosts that can
   * stream are configured for it (the Lambda host always redirects).
   */
  stream?: AsyncIterable<Uint8Array>;
}

/** The core as a function: what every host calls. */
export type RegistryHandler = (request: RegistryRequest) => Promise<RegistryResponse>;

/** A JSON response with the right Content-Type. */
export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): RegistryResponse {
  const body = new TextEncoder().encode(JSON.stringify(value));
  return {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
    body,
  };
}

/** A response without a body. */
export function emptyResponse(status: number, headers: Record<string, string> = {}): RegistryResponse {
  return { status, headers: { 'content-length': '0', ...headers } };
}
