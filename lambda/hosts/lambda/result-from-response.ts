import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { RegistryResponse } from '../../shared/http-types';

/**
 * Turns the core's response into an API Gateway v2 / function URL result. Pure: no I/O.
 * Bodies are bytes (blobs, manifests, JSON), so they always travel base64-encoded.
 */
export function resultFromResponse(response: RegistryResponse): APIGatewayProxyStructuredResultV2 {
  // Headers are copied as-is: a HEAD response keeps the content-length of the body it omits.
  const result: APIGatewayProxyStructuredResultV2 = { statusCode: response.status, headers: { ...response.headers } };
  if (response.body !== undefined && response.body.length > 0) {
    result.body = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64');
    result.isBase64Encoded = true;
  }
  return result;
}
