/**
 * Upload sessions with auth on: the session id (in every request log line) is not a capability. A request
 * without credentials needs the secret the Location carries (`_state`, never logged); one with credentials
 * must come from the session's creator. Two hosts share storage and keys, as the Lambda API and the upload service do.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { silentLogger } from '../../../lambda/shared/logger';
import { createRegistry } from '../../../lambda/core/registry';
import { lambdaAdapter } from '../../../lambda/hosts/lambda/handler';
import { buildDeps } from '../../../lambda/hosts/settings';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic, bearer, getToken } from './auth-helpers';
import { errorCodes, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

const lines: Array<Record<string, unknown>> = [];
const logger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...fields }) };
const team = uniqueRepo('cap');
let api: TestRegistry, uploads: TestRegistry;
let a: RegistryClient, b: RegistryClient;

beforeAll(async () => {
  api = await startTestRegistry({ auth: {}, logger });
  uploads = await startTestRegistry({ auth: { keys: api.auth!.keys }, shareStorageWith: api, logger });
  [a, b] = [new RegistryClient(api.url), new RegistryClient(uploads.url)];
  await addUser(api.auth!.store, 'dev', 'dev-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
  await addUser(api.auth!.store, 'other', 'other-pw', [{ pattern: `${team}/*`, actions: ['pull', 'push'] }]);
});
afterAll(async () => {
  await Promise.all([api?.stop(), uploads?.stop()]);
});

/** dev's token for the repository, and a session it started on the API host: its Location and id. */
async function startSession(repo: string): Promise<{ token: string; location: URL; id: string; secret: string }> {
  const token = await getToken(a, basic('dev', 'dev-pw'), [`repository:${repo}:pull,push`]);
  const res = await a.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: bearer(token) });
  expect(res.status).toBe(202);
  const location = new URL(a.location(res));
  return { token, location, id: res.headers.get('docker-upload-uuid')!, secret: location.searchParams.get('_state') ?? '' };
}

/** The upload URL on the upload host, path and query as the Location gave them. */
const onUploadHost = (location: URL) => b.resolve(`${location.pathname}${location.search}`);

/** The session's Range as its owner sees it. */
async function rangeOf(location: URL, token: string): Promise<string | null> {
  const res = await a.fetch(location.pathname, { headers: bearer(token) });
  expect(res.status).toBe(204);
  return res.headers.get('range');
}

describe('without credentials, the Location (with its secret) is the capability', () => {
  it('POST on the API host -> Location with a _state secret; PATCH and PUT ?digest= on the upload host without credentials -> 201; no log line holds the secret', async () => {
    const repo = `${team}/ctr`;
    const data = randomBytes(3000);
    const { location, id, secret } = await startSession(repo);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const patch = await b.fetch(onUploadHost(location), { method: 'PATCH', body: data });
    expect(patch.status).toBe(202);
    const next = new URL(b.location(patch));
    expect(next.searchParams.get('_state')).toBe(secret);
    const done = await b.fetch(b.withDigest(next.toString(), sha256(data)), { method: 'PUT' });
    expect(done.status).toBe(201);
    expect((await a.fetch(`/v2/${repo}/blobs/${sha256(data)}`, { method: 'HEAD', headers: basic('dev', 'dev-pw') })).status).toBe(200);

    const logged = lines.filter((l) => l.message === 'request').map((l) => JSON.stringify(l));
    expect(logged.filter((l) => l.includes(id)).length).toBeGreaterThanOrEqual(2);
    expect(logged.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('the session id alone (what a log shows) -> 401 on GET, PATCH, PUT and DELETE; the session is unchanged and completes', async () => {
    const repo = `${team}/logged`;
    const data = randomBytes(100);
    const { token, location } = await startSession(repo);
    expect((await a.patchChunk(location.toString(), data.subarray(0, 10), 0)).status).toBe(202);
    const bare = location.pathname;

    for (const [method, url, body] of [
      ['GET', bare, undefined], ['PATCH', bare, 'evil'], ['PUT', `${bare}?digest=${sha256('evil')}`, 'evil'], ['DELETE', bare, undefined],
    ] as const) {
      const res = await b.fetch(url, { method, body });
      expect([method, res.status]).toEqual([method, 401]);
      expect(res.headers.get('www-authenticate')).toContain(`scope="repository:${repo}:pull,push"`);
      await res.arrayBuffer();
    }

    expect(await rangeOf(location, token)).toBe('0-9');
    const done = await a.fetch(a.withDigest(location.toString(), sha256(data)), { method: 'PUT', body: data.subarray(10) });
    expect(done.status).toBe(201);
  });

  it('a forged _state, or another session\'s -> 404 BLOB_UPLOAD_UNKNOWN; the session is unchanged', async () => {
    const repo = `${team}/forged`;
    const mine = await startSession(repo);
    const theirs = await startSession(repo);
    for (const forged of ['x', mine.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), theirs.secret]) {
      const res = await b.fetch(`${mine.location.pathname}?_state=${encodeURIComponent(forged)}`, { method: 'PATCH', body: 'evil' });
      expect(res.status).toBe(404);
      expect(await errorCodes(res)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
    }
    expect(await rangeOf(mine.location, mine.token)).toBe('0-0');
  });
});

describe('with credentials, only the session\'s creator', () => {
  it('another user holding push, even with the session\'s secret -> 404; the creator with the bare path -> 204', async () => {
    const repo = `${team}/owned`;
    const { token, location } = await startSession(repo);
    const otherToken = await getToken(a, basic('other', 'other-pw'), [`repository:${repo}:pull,push`]);

    const foreign = await b.fetch(onUploadHost(location), { method: 'PATCH', headers: bearer(otherToken), body: 'evil' });
    expect(foreign.status).toBe(404);
    expect(await errorCodes(foreign)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
    expect((await b.fetch(location.pathname, { headers: bearer(token) })).status).toBe(204);
  });
});

describe('request log lines', () => {
  it('the Lambda host logs the path of an upload request, never its query', async () => {
    const own: Array<Record<string, unknown>> = [];
    const lambdaLogger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => void own.push({ message, ...fields }) };
    const invoke = lambdaAdapter(createRegistry(buildDeps({ ...api.settings!, auth: undefined }, lambdaLogger)), lambdaLogger);
    const path = `/v2/${team}/lambda/blobs/uploads/00000000-0000-4000-8000-000000000000`;
    const event = {
      version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '_state=secret-value-in-query',
      queryStringParameters: { _state: 'secret-value-in-query' }, headers: { host: 'registry.test' }, isBase64Encoded: false,
      requestContext: { requestId: 'r1', http: { method: 'GET', path, sourceIp: '127.0.0.1' } },
    } as unknown as APIGatewayProxyEventV2;

    await invoke(event);

    expect(own.filter((l) => l.message === 'request')).toEqual([expect.objectContaining({ path })]);
    expect(JSON.stringify(own)).not.toContain('secret-value-in-query');
  });
});
