import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RegistryRequest } from '../../shared/http-types';

/**
 * Turns an API Gateway HTTP API v2 event (or a Lambda function URL event: the same payload format)
 * into the core's request. Pure: no I/O, no clock.
 */
export function eventToRequest(event: APIGatewayProxyEventV2): RegistryRequest {
  return {
    method: event.requestContext.http.method.toUpperCase(),
    // rawPath keeps percent-encoding; the core validates repository names against the raw form.
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString),
    headers: lowerCaseHeaders(event.headers),
    body: bodyOf(event),
    requestId: event.requestContext.requestId,
    remoteAddress: event.requestContext.http.sourceIp,
  };
}

// API Gateway v2 already joins repeated headers with commas; only the names need normalising.
// Cookies arrive separately in event.cookies and are ignored: the registry does not use them.
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

// The event carries the whole body at once (at most the invocation payload limit): one chunk.
function bodyOf(event: APIGatewayProxyEventV2): AsyncIterable<Uint8Array> | undefined {
  if (event.body === undefined || event.body === '') return undefined;
  const bytes: Uint8Array = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return (async function* single() {
    yield bytes;
  })();
}
