/**
 * A mirror with auth on (STRATUS_AUTH=on), as Docker's daemon uses it: no credentials, or credentials meant
 * for another registry. A real Stratus (Node host, local S3, DynamoDB Local) mirrors the root from CNCF
 * distribution on 127.0.0.1 (test/support/upstream-registry.ts) holding `library/busybox:latest`; `team/app`
 * is a local repository on the same Stratus, and `private/` a rule without anonymous pull. What a client
 * sees: statuses, WWW-Authenticate, the token's access, and the upstream's exact bytes.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoDbMirrorStore } from '../../../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { DynamoDbAuthStore } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { hashPassword } from '../../../lambda/auth/passwords';
import { newKeySet } from '../../../lambda/auth/signing-keys/key-set';
import { defaultConfig } from '../../../lambda/core/config';
import { createRegistry } from '../../../lambda/core/registry';
import { createNodeServer } from '../../../lambda/hosts/node/node-server';
import { buildDeps, ensureStorage, Settings } from '../../../lambda/hosts/settings';
import { silentLogger } from '../../../lambda/shared/logger';
import { PushedImage, pushSmallImage } from '../../support/fixture-images';
import { startDistributionUpstream, UpstreamRegistry } from '../../support/upstream-registry';
import { backendEnv } from '../backend-env';
import { ACCEPT } from './mirror-stratus';

const ADMIN_PASSWORD = 'admin password 1';

let upstream: UpstreamRegistry;
let busybox: PushedImage;
let local: PushedImage;
let url: string;
const servers: Array<{ close: () => void }> = [];

/** A Node host on the settings; `auth` given = auth on. */
async function serve(settings: Settings): Promise<string> {
  const keys = settings.auth ? await keysOnce : undefined;
  const deps = buildDeps(settings, silentLogger, keys ? { keys: async () => keys } : {});
  const server = createNodeServer(createRegistry(deps), silentLogger);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push({ close: () => { server.closeAllConnections(); server.close(); } });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const keysOnce = newKeySet();

beforeAll(async () => {
  upstream = await startDistributionUpstream();
  busybox = await pushSmallImage(upstream.seedUrl(), 'library/busybox', 'latest', { format: 'docker' });
  const env = backendEnv();
  const suffix = randomUUID().slice(0, 8);
  const settings: Settings = {
    bucket: `stratus-auth-mirror-${suffix}`, table: `stratus-auth-mirror-${suffix}`,
    s3: { endpoint: env.s3.endpoint, region: env.s3.region, credentials: env.s3.credentials },
    dynamodb: { endpoint: env.dynamodb.endpoint, region: env.dynamodb.region, credentials: env.dynamodb.credentials },
    config: defaultConfig,
    mirror: {},
  };
  await ensureStorage(settings);
  const doc = createDocumentClient(settings.dynamodb);
  const rules = new DynamoDbMirrorStore(doc, settings.table);
  await rules.putRule({ prefix: '', upstream: upstream.url, tagTtlSeconds: 300, anonymousPull: true, createdAt: Date.now() });
  await rules.putRule({ prefix: 'private/', upstream: upstream.url, tagTtlSeconds: 300, anonymousPull: false, createdAt: Date.now() });
  await new DynamoDbAuthStore(doc, settings.table).putUser({
    name: 'admin', passwordHash: await hashPassword(ADMIN_PASSWORD, 4), grants: [], catalog: true, admin: true,
  });
  // team/app pushed to the same storage by a second process without auth (the seeding path; the tested host has auth on)
  local = await pushSmallImage(await serve({ ...settings, mirror: undefined }), 'team/app', '1');
  url = await serve({ ...settings, auth: { service: 'stratus', tokenTtlSeconds: 300, refreshTtlSeconds: 86400 } });
}, 120_000);

afterAll(async () => {
  servers.forEach((s) => s.close());
  await upstream?.dispose();
});

function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

async function manifest(repo: string, reference: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, { method, headers: { accept: ACCEPT, ...headers } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** GET /token with these scopes (and credentials); the token and its `access` claim. */
async function token(scopes: string[], headers: Record<string, string> = {}) {
  const query = new URLSearchParams([['service', 'stratus'], ...scopes.map((s): [string, string] => ['scope', s])]);
  const res = await fetch(`${url}/token?${query}`, { headers });
  const body = await res.json() as { token: string };
  const claims = JSON.parse(Buffer.from(body.token.split('.')[1]!, 'base64url').toString('utf8'));
  return { status: res.status, token: body.token, access: claims.access as unknown[] };
}

describe('mirror with auth on: anonymous pulls of mirrored names', () => {
  it('HEAD then GET of library/busybox:latest without credentials -> 200 with the upstream\'s digest and bytes', async () => {
    const head = await manifest('library/busybox', 'latest', {}, 'HEAD');
    const get = await manifest('library/busybox', busybox.manifest.digest);

    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(busybox.manifest.digest);
    expect(get.status).toBe(200);
    expect(get.bytes.equals(Buffer.from(busybox.manifest.bytes))).toBe(true);
  });

  it('the anonymous token for pull,push on the mirrored name grants pull only; with it the layer comes back byte for byte', async () => {
    const anon = await token(['repository:library/busybox:pull,push']);
    expect(anon.status).toBe(200);
    expect(anon.access).toEqual([{ type: 'repository', name: 'library/busybox', actions: ['pull'] }]);

    const layer = busybox.layers[1]!;
    const res = await fetch(`${url}/v2/library/busybox/blobs/${layer.digest}`, { headers: { authorization: `Bearer ${anon.token}` }, redirect: 'manual' });
    expect(res.status).toBe(307);
    const stored = await fetch(res.headers.get('location')!);
    expect(Buffer.from(await stored.arrayBuffer()).equals(Buffer.from(layer.bytes))).toBe(true);
  });

  it('anonymous push to the mirrored name -> 401 (none) and 401 insufficient_scope (anonymous token); nothing started', async () => {
    const none = await fetch(`${url}/v2/library/busybox/blobs/uploads/`, { method: 'POST' });
    const anon = await token(['repository:library/busybox:pull,push']);
    const withToken = await fetch(`${url}/v2/library/busybox/blobs/uploads/`, { method: 'POST', headers: { authorization: `Bearer ${anon.token}` } });

    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('scope="repository:library/busybox:pull,push"');
    expect(withToken.status).toBe(401);
    expect(withToken.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(none.headers.get('location')).toBeNull();
  });

  it('a wrong Basic password on the mirrored name is treated as no credentials (200), not 401', async () => {
    const wrong = await manifest('library/busybox', 'latest', basic('admin', 'not the password'), 'HEAD');
    const stranger = await manifest('library/busybox', 'latest', basic('dockerhub-user', 'dckr_pat_xyz'), 'HEAD');

    expect([wrong.status, stranger.status]).toEqual([200, 200]);
  });
});

describe('mirror with auth on: what stays closed', () => {
  it('the local team/app (under the root rule) -> 401 without credentials and with a wrong password; the admin pulls it', async () => {
    const none = await manifest('team/app', '1', {}, 'HEAD');
    const wrong = await manifest('team/app', '1', basic('admin', 'not the password'), 'HEAD');
    const admin = await manifest('team/app', local.manifest.digest, basic('admin', ADMIN_PASSWORD));

    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${url}/token",service="stratus",scope="repository:team/app:pull"`);
    expect(wrong.status).toBe(401);
    expect(admin.status).toBe(200);
    expect(admin.bytes.equals(Buffer.from(local.manifest.bytes))).toBe(true);
  });

  it('the anonymous token grants nothing on team/app nor on a rule without anonymous pull', async () => {
    const anon = await token(['repository:team/app:pull', 'repository:private/busybox:pull', 'repository:library/busybox:pull']);

    expect(anon.access).toEqual([{ type: 'repository', name: 'library/busybox', actions: ['pull'] }]);
  });

  it('a rule without anonymous pull -> 401 for anonymous callers; nothing asked upstream', async () => {
    upstream.clearRequests();

    const res = await manifest('private/library/busybox', 'latest', {}, 'HEAD');

    expect(res.status).toBe(401);
    expect(upstream.requests()).toEqual([]);
  });

  it('an anonymous DELETE of a mirrored manifest -> 401', async () => {
    const res = await fetch(`${url}/v2/library/busybox/manifests/${busybox.manifest.digest}`, { method: 'DELETE' });

    expect(res.status).toBe(401);
    expect((await manifest('library/busybox', busybox.manifest.digest)).status).toBe(200);
  });
});
