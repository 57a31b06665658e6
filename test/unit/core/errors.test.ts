import { errorResponse } from '../../../lambda/core/http/error-response';
import { silentLogger } from '../../../lambda/shared/logger';
import { OciError } from '../../../lambda/oci/errors';
import { BackendThrottledError, BackendUnavailableError } from '../../../lambda/ports/backend-errors';
import { registryOnFakes } from '../fakes/registry-under-test';

const bodyOf = (res: { body?: Uint8Array }) => JSON.parse(Buffer.from(res.body!).toString());

describe('errorResponse', () => {
  it('renders an OciError as the spec JSON with its status and headers', () => {
    const res = errorResponse(new OciError('RANGE_INVALID', 'bad', { headers: { range: '0-9' } }), 'r1', silentLogger);
    expect(res.status).toBe(416);
    expect(res.headers).toMatchObject({ 'content-type': 'application/json', range: '0-9' });
    expect(bodyOf(res)).toEqual({ errors: [{ code: 'RANGE_INVALID', message: 'bad', detail: null }] });
  });

  it('sends MANIFEST_TOO_LARGE as 413 SIZE_INVALID', () => {
    const res = errorResponse(new OciError('MANIFEST_TOO_LARGE'), 'r1', silentLogger);
    expect([res.status, bodyOf(res).errors[0].code]).toEqual([413, 'SIZE_INVALID']);
  });

  it.each([
    ['unavailable', new BackendUnavailableError('S3', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))],
    ['throttled', new BackendThrottledError('DynamoDB', Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))],
  ])('turns a backend %s into 503 UNAVAILABLE with the request id and Retry-After', (_why, err) => {
    const res = errorResponse(err, 'req-42', silentLogger);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(bodyOf(res).errors[0]).toMatchObject({ code: 'UNAVAILABLE', detail: { requestId: 'req-42' } });
  });

  it('logs a backend error with the cause the adapter kept', () => {
    const logged: unknown[] = [];
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    errorResponse(new BackendUnavailableError('S3', cause), 'r1', { ...silentLogger, error: (_m, f) => logged.push(f) });
    expect(logged).toEqual([{ requestId: 'r1', error: expect.objectContaining({ name: 'BackendUnavailableError', cause: expect.objectContaining({ message: 'socket hang up' }) }) }]);
  });

  it('keeps an untranslated error with a connection code at 500: only the adapters classify backend failures', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(errorResponse(err, 'r1', silentLogger).status).toBe(500);
  });

  it('turns a bug into 500 UNKNOWN without leaking the stack', () => {
    const logged: unknown[] = [];
    const res = errorResponse(new TypeError('x is undefined'), 'req-7', { ...silentLogger, error: (_m, f) => logged.push(f) });
    expect(res.status).toBe(500);
    expect(Buffer.from(res.body!).toString()).not.toContain('TypeError');
    expect(logged).toEqual([expect.objectContaining({ requestId: 'req-7' })]);
  });
});

describe('routing', () => {
  it('GET /v2/ -> 200 {} with the API version header', async () => {
    const res = await registryOnFakes().send('GET', '/v2/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
  });

  it('an unknown path -> 404 with an error body', async () => {
    const res = await registryOnFakes().send('GET', '/v1/_ping');
    expect(res.status).toBe(404);
    expect(res.json().errors).toHaveLength(1);
  });

  it('a wrong method on a known path -> 405 UNSUPPORTED with Allow', async () => {
    const res = await registryOnFakes().send('POST', '/v2/a/tags/list');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('GET');
  });

  it('a backend fault -> 503, and the same request succeeds once the backend is back', async () => {
    const reg = registryOnFakes();
    const original = reg.meta.listRepositories.bind(reg.meta);
    reg.meta.listRepositories = async () => { throw new BackendUnavailableError('DynamoDB', new Error('socket hang up')); };
    expect((await reg.send('GET', '/v2/_catalog')).status).toBe(503);
    reg.meta.listRepositories = original;
    expect((await reg.send('GET', '/v2/_catalog')).status).toBe(200);
  });
});
