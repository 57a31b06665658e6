import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import type { RegistryRequest } from '../../../lambda/shared/http-types';
import type { Logger } from '../../../lambda/shared/logger';
import { eventToRequest } from '../../../lambda/hosts/lambda/event-to-request';
import { handler, lambdaAdapter } from '../../../lambda/hosts/lambda/handler';
import { resultFromResponse } from '../../../lambda/hosts/lambda/result-from-response';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';

/** The parts of a request a test chooses; the rest of the event is what AWS sends. */
interface EventInput {
  method?: string;
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestId?: string;
}

// API Gateway also passes the query decoded, with repeated keys comma-joined; the adapter must not use it.
function queryStringParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = k in out ? `${out[k]},${v}` : v;
  return out;
}

/** An HTTP API (API Gateway v2, payload format 2.0) event, as API Gateway sends it to the function. */
function apiGatewayEvent(input: EventInput = {}): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const rawPath = input.rawPath ?? '/v2/';
  const rawQueryString = input.rawQueryString ?? '';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies: ['session=abc'],
    headers: {
      accept: '*/*',
      'content-length': String(input.body === undefined ? 0 : Buffer.from(input.body, input.isBase64Encoded ? 'base64' : 'utf8').length),
      host: 'r2d2c3po.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'docker/20.10.24 go/go1.19.10',
      'x-amzn-trace-id': 'Root=1-65f1c2a3-1a2b3c4d5e6f7a8b9c0d1e2f',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...input.headers,
    },
    queryStringParameters: queryStringParameters(rawQueryString),
    requestContext: {
      accountId: '123456789012',
      apiId: 'r2d2c3po',
      domainName: 'r2d2c3po.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'r2d2c3po',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'docker/20.10.24 go/go1.19.10' },
      requestId: input.requestId ?? 'JKJaXmPLvHcESHA=',
      routeKey: '$default',
      stage: '$default',
      time: '12/Mar/2026:19:03:58 +0000',
      timeEpoch: 1773342238390,
    },
    body: input.body,
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** A Lambda function URL event: the same payload format, with the function URL's own context. */
function functionUrlEvent(input: EventInput = {}): APIGatewayProxyEventV2 {
  const base = apiGatewayEvent(input);
  const host = 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.eu-west-1.on.aws';
  return {
    ...base,
    headers: { ...base.headers, host, 'x-amzn-tls-version': 'TLSv1.3', 'x-amzn-tls-cipher-suite': 'TLS_AES_128_GCM_SHA256' },
    requestContext: {
      ...base.requestContext,
      accountId: 'anonymous',
      apiId: 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6',
      domainName: host,
      domainPrefix: 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6',
      requestId: input.requestId ?? 'c2f4e8a0-6f1d-4b5e-9a3c-7d2e1f0a9b8c',
    },
  };
}

async function bodyBytes(req: RegistryRequest): Promise<Buffer | undefined> {
  if (!req.body) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of req.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function decodedBody(result: APIGatewayProxyStructuredResultV2): Buffer | undefined {
  return result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
}

describe('eventToRequest (API Gateway v2 event -> core request)', () => {
  it('a base64 binary body arrives byte-exact', async () => {
    // Prepare
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096)]);
    const event = apiGatewayEvent({ method: 'PATCH', body: bytes.toString('base64'), isBase64Encoded: true });
    // Act
    const body = await bodyBytes(eventToRequest(event));
    // Assess
    expect(body?.equals(bytes)).toBe(true);
  });

  it('a text body is read as utf-8', async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, annotations: { title: 'café ☕' } });
    const body = await bodyBytes(eventToRequest(apiGatewayEvent({ method: 'PUT', body: manifest })));
    expect(body?.toString('utf8')).toBe(manifest);
  });

  it('an event without a body gives a request without a body', async () => {
    const request = eventToRequest(apiGatewayEvent({ method: 'GET' }));
    expect(request.body).toBeUndefined();
  });

  it('takes method and request id from the request context, and ignores cookies', () => {
    const request = eventToRequest(apiGatewayEvent({ method: 'DELETE', requestId: 'req-42' }));
    expect(request.method).toBe('DELETE');
    expect(request.requestId).toBe('req-42');
    expect(Object.values(request.headers).join(' ')).not.toContain('session=abc');
  });

  it('lower-cases header names and keeps comma-joined repeated values', () => {
    const event = apiGatewayEvent({ headers: { Accept: 'application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json', 'Content-Type': 'application/octet-stream' } });
    delete event.headers.accept;
    const request = eventToRequest(event);
    expect(request.headers.accept).toBe('application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json');
    expect(request.headers['content-type']).toBe('application/octet-stream');
    expect(Object.keys(request.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('parses the raw query string: percent-encoded values decoded once, repeated keys kept apart', () => {
    const request = eventToRequest(apiGatewayEvent({ rawPath: '/v2/team/app/tags/list', rawQueryString: 'last=a%2Fb&n=2&tag=a&tag=b' }));
    expect(request.query.get('last')).toBe('a/b');
    expect(request.query.get('n')).toBe('2');
    expect(request.query.getAll('tag')).toEqual(['a', 'b']);
  });

  it('keeps a percent-encoded path raw', () => {
    const event = apiGatewayEvent({ rawPath: '/v2/team%2Fapp/manifests/v%31' });
    // The adapter must read rawPath, whatever the decoded path in the context says.
    event.requestContext.http.path = '/v2/team/app/manifests/v1';
    expect(eventToRequest(event).path).toBe('/v2/team%2Fapp/manifests/v%31');
  });
});

describe('resultFromResponse (core response -> API Gateway v2 result)', () => {
  it('a 307 redirect carries its Location and no body', () => {
    const result = resultFromResponse({ status: 307, headers: { location: 'https://bucket.s3.amazonaws.com/blobs/x?X-Amz-Signature=abc', 'content-length': '0' } });
    expect(result.statusCode).toBe(307);
    expect(result.headers?.location).toBe('https://bucket.s3.amazonaws.com/blobs/x?X-Amz-Signature=abc');
    expect(result.body).toBeUndefined();
    expect(result.isBase64Encoded).toBeUndefined();
  });

  it('a JSON error body is base64-encoded and decodes to the same JSON', () => {
    const error = { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] };
    const body = new TextEncoder().encode(JSON.stringify(error));
    const result = resultFromResponse({ status: 404, headers: { 'content-type': 'application/json' }, body });
    expect(result.isBase64Encoded).toBe(true);
    expect(JSON.parse(decodedBody(result)!.toString('utf8'))).toEqual(error);
  });

  it('encodes only the bytes of a body that is a view into a larger buffer', () => {
    const backing = Buffer.from('xxxxHELLOyyyy');
    const result = resultFromResponse({ status: 200, headers: {}, body: backing.subarray(4, 9) });
    expect(decodedBody(result)?.toString()).toBe('HELLO');
  });

  it('a HEAD response has no body but keeps its content-length', () => {
    const result = resultFromResponse({ status: 200, headers: { 'content-length': '1048576', 'docker-content-digest': sha256('x') } });
    expect(result.body).toBeUndefined();
    expect(result.headers?.['content-length']).toBe('1048576');
  });
});

describe.each([
  ['API Gateway HTTP API v2', apiGatewayEvent],
  ['Lambda function URL', functionUrlEvent],
])('lambdaAdapter over %s events, against the core on fakes', (_format, makeEvent) => {
  function setUp() {
    const lines: Record<string, unknown>[] = [];
    const logger: Logger = { info: (m, f) => lines.push({ message: m, ...f }), warn: () => undefined, error: () => undefined };
    const core = registryOnFakes();
    return { core, lines, invoke: lambdaAdapter(core.registry, logger) };
  }

  it('GET /v2/ -> 200 {} and one log line for the request', async () => {
    // Prepare
    const { invoke, lines } = setUp();
    // Act
    const result = await invoke(makeEvent({ requestId: 'req-base' }));
    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(decodedBody(result)!.toString())).toEqual({});
    expect(result.headers?.['docker-distribution-api-version']).toBe('registry/2.0');
    expect(lines).toEqual([expect.objectContaining({ message: 'request', method: 'GET', path: '/v2/', status: 200, requestId: 'req-base', durationMs: expect.any(Number) })]);
  });

  it('POST ?digest= with a base64 body pushes the blob; HEAD -> 200 with its Content-Length, GET -> 307', async () => {
    // Prepare
    const { invoke, core } = setUp();
    const blob = randomBytes(70_000);
    const digest = sha256(blob);
    // Act
    const pushed = await invoke(makeEvent({
      method: 'POST', rawPath: '/v2/team/app/blobs/uploads/', rawQueryString: `digest=${encodeURIComponent(digest)}`,
      headers: { 'content-type': 'application/octet-stream' }, body: blob.toString('base64'), isBase64Encoded: true,
    }));
    const head = await invoke(makeEvent({ method: 'HEAD', rawPath: `/v2/team/app/blobs/${digest}` }));
    const get = await invoke(makeEvent({ method: 'GET', rawPath: `/v2/team/app/blobs/${digest}` }));
    // Assess
    expect(pushed.statusCode).toBe(201);
    expect(pushed.headers?.['docker-content-digest']).toBe(digest);
    expect(head.statusCode).toBe(200);
    expect(head.headers?.['content-length']).toBe(String(blob.length));
    expect(head.body).toBeUndefined();
    expect(get.statusCode).toBe(307);
    expect(get.headers?.location).toEqual(expect.any(String));
    const record = await core.meta.getLinkedBlob('team/app', digest);
    // Compared by digest: jest's element-wise equality on 70 kB takes half a second.
    expect(sha256(core.blobs.objects.get(record!.objectKey)!)).toBe(digest);
  });

  it('answers like the core itself for the same request (unknown blob -> 404 BLOB_UNKNOWN)', async () => {
    // Prepare
    const { invoke, core } = setUp();
    const path = `/v2/team/app/blobs/${sha256('missing')}`;
    // Act
    const viaLambda = await invoke(makeEvent({ method: 'GET', rawPath: path, requestId: 'test-request' }));
    const direct = await core.send('GET', path);
    // Assess
    expect(viaLambda.statusCode).toBe(direct.status);
    expect(viaLambda.headers).toEqual(direct.headers);
    expect(decodedBody(viaLambda)?.toString('utf8')).toBe(direct.text);
    expect(direct.json().errors[0].code).toBe('BLOB_UNKNOWN');
  });

  it('a percent-encoded repository name reaches the core raw and is refused as the core refuses it', async () => {
    const { invoke, core } = setUp();
    const path = '/v2/team%2Fapp/tags/list';
    const viaLambda = await invoke(makeEvent({ rawPath: path, requestId: 'test-request' }));
    const direct = await core.send('GET', path);
    expect(viaLambda.statusCode).toBe(direct.status);
    expect(decodedBody(viaLambda)?.toString('utf8')).toBe(direct.text);
    expect(direct.json().errors[0]).toMatchObject({ code: 'NAME_INVALID', detail: { name: 'team%2Fapp' } });
  });
});

describe('handler (the Lambda entry point)', () => {
  it('builds the registry from the environment on first use and answers GET /v2/ without touching storage', async () => {
    // Prepare
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      // Act
      const first = await handler(apiGatewayEvent());
      const second = await handler(functionUrlEvent());
      // Assess
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      const logged = write.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(logged).toEqual([
        expect.objectContaining({ service: 'stratus', message: 'request', method: 'GET', path: '/v2/', status: 200 }),
        expect.objectContaining({ service: 'stratus', message: 'request', method: 'GET', path: '/v2/', status: 200 }),
      ]);
    } finally {
      write.mockRestore();
    }
  });
});
