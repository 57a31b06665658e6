/**
 * `npm run dev:ui`: the built UI against a fake UI API on 127.0.0.1:5099 (PORT), to work on screens without
 * a registry: fixed repositories, a 2,000-tag repository, an image, a 3-platform index with referrers, admin
 * lists. MOCK_AUTH=on asks for a login (any name; password "secret"; name "admin" is an administrator).
 * Not shipped: the build never reads this folder.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { DirectoryAssets } from '../../lambda/adapters/file/directory-assets';
import { assetFileOf, UI_SECURITY_HEADERS } from '../../lambda/core/handlers/web-ui';
import { UI_DIST } from '../build';

const auth = process.env.MOCK_AUTH === 'on';
const assets = new DirectoryAssets(UI_DIST, { keepInMemory: false });
const HOUR = 3600_000;
const now = Date.now();
const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

const REPOS = ['team/app', 'team/api', 'team/web', 'base/alpine', 'base/debian', 'tools/ci-runner', 'multi/arch', 'ml/trainer'];
const tagCount: Record<string, number> = { 'team/app': 2000, 'multi/arch': 1, 'team/api': 12, 'team/web': 3 };
const IMAGE = digest('image');
const INDEX = digest('index');
const CHILDREN = ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7'].map((p) => ({ p, digest: digest(p) }));

function tags(repo: string) {
  const n = tagCount[repo] ?? 4;
  return Array.from({ length: n }, (_, i) => {
    const tag = repo === 'multi/arch' ? 'latest' : `v1.${String(Math.floor(i / 10)).padStart(3, '0')}.${i % 10}`;
    const multi = repo === 'multi/arch' || i % 7 === 0;
    return {
      tag, digest: multi ? INDEX : digest(`${repo}${Math.floor(i / 20)}`),
      mediaType: multi ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json',
      size: 28_000_000 + i * 1733, platforms: multi ? CHILDREN.map((c) => c.p) : ['linux/amd64'],
      pushedAt: now - (n - i) * HOUR, lastPulledAt: i % 3 === 0 ? null : now - i * 60_000,
    };
  }).sort((a, b) => a.tag.localeCompare(b.tag));
}

function manifestView(repository: string, reference: string) {
  const isIndex = reference === 'latest' || reference === INDEX || repository === 'multi/arch';
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest('config'), size: 1480 };
  const layers = [31_245_000, 4_100_233, 1024].map((size, i) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(`layer${i}`), size }));
  return {
    repository, digest: isIndex ? INDEX : reference.startsWith('sha256:') ? reference : IMAGE,
    mediaType: isIndex ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json',
    size: isIndex ? 1_022 : 1_123, tags: isIndex ? ['latest', 'v1.000.0'] : ['v1.000.1'],
    manifest: isIndex
      ? { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: CHILDREN.map((c) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: c.digest, size: 1123 })) }
      : { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers },
    config: isIndex ? null : {
      created: new Date(now - 50 * HOUR).toISOString(), architecture: 'amd64', os: 'linux',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'APP_ENV=production', 'NODE_VERSION=22.11.0'],
        Labels: { 'org.opencontainers.image.source': 'https://git.example.com/team/app', 'org.opencontainers.image.version': '1.0.1' },
        Entrypoint: ['/usr/bin/tini', '--'], Cmd: ['node', 'server.js'], WorkingDir: '/app',
      },
      history: [
        { created: new Date(now - 900 * HOUR).toISOString(), created_by: '/bin/sh -c #(nop) ADD file:4b0a3d in / ' },
        { created: new Date(now - 50 * HOUR).toISOString(), created_by: 'ENV APP_ENV=production', empty_layer: true },
        { created: new Date(now - 50 * HOUR).toISOString(), created_by: 'RUN /bin/sh -c npm ci --omit=dev # buildkit' },
        { created: new Date(now - 50 * HOUR).toISOString(), created_by: 'COPY . /app # buildkit' },
      ],
    },
    platforms: isIndex ? CHILDREN.map((c) => {
      const [os, architecture, variant] = c.p.split('/');
      return { digest: c.digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1123, platform: { os, architecture, variant } };
    }) : [],
    referrers: isIndex ? [
      {
        digest: digest('sig'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', size: 556,
        annotations: { 'dev.sigstore.cosign/signer': 'ci@example.com' },
        referrers: [{ digest: digest('sig-of-sig'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.example.receipt', size: 410, annotations: null, referrers: [] }],
      },
      { digest: digest('sbom'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json', size: 812, annotations: { 'org.opencontainers.image.created': new Date(now - 49 * HOUR).toISOString() }, referrers: [] },
    ] : [],
    pushedAt: now - 50 * HOUR, lastPulledAt: now - 2 * HOUR,
  };
}

function page<T>(items: T[], key: (t: T) => string, query: URLSearchParams, fallback: number) {
  const q = query.get('q') ?? '';
  const n = Number(query.get('n') ?? fallback);
  const last = query.get('last');
  const matching = items.filter((i) => key(i).includes(q) && (!last || key(i) > last));
  const shown = matching.slice(0, n);
  return { shown, next: matching.length > n ? key(shown[shown.length - 1]!) : null };
}

function subjectOf(req: IncomingMessage): string | null {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m ? m[1]!.replace(/^token-/, '') : null;
}

function answer(res: ServerResponse, status: number, value?: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(value === undefined ? undefined : JSON.stringify(value));
}

const error = (code: string, message: string) => ({ errors: [{ code, message, detail: null }] });

async function api(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) {
  const subject = subjectOf(req);
  if (path === 'session') return answer(res, 200, { authEnabled: auth, service: auth ? 'stratus' : null, subject, admin: subject === 'admin', version: 'mock' });
  if (auth && !subject) return answer(res, 401, error('UNAUTHORIZED', 'authentication required'));
  const repository = query.get('repository') ?? '';
  if (path === 'repositories') {
    const { shown, next } = page(REPOS.sort(), (r) => r, query, 50);
    return answer(res, 200, { repositories: shown.map((name) => ({ name, tagCount: tagCount[name] ?? 4 })), next });
  }
  if (!REPOS.includes(repository) && !path.startsWith('admin')) return answer(res, 404, error('NAME_UNKNOWN', `repository ${repository} not found`));
  if (path === 'tags') {
    const { shown, next } = page(tags(repository), (t) => t.tag, query, 100);
    return answer(res, 200, { repository, tags: shown, next });
  }
  if (path === 'manifest') return answer(res, 200, manifestView(repository, query.get('reference') ?? ''));
  if (req.method === 'DELETE' && (path === 'tag' || path === 'manifest')) {
    return repository.startsWith('base/') ? answer(res, 403, error('DENIED', `requested access to the resource is denied`)) : answer(res, 204);
  }
  if (path === 'admin/users') {
    return answer(res, 200, [
      { name: 'admin', admin: true, disabled: false, grants: [{ pattern: '*', actions: ['pull', 'push', 'delete'] }] },
      { name: 'alice', admin: false, disabled: false, grants: [{ pattern: 'team/*', actions: ['pull', 'push'] }, { pattern: 'base/*', actions: ['pull'] }] },
      { name: 'bob', admin: false, disabled: true, grants: [] },
    ]);
  }
  if (path === 'admin/robots' && req.method === 'GET') {
    return answer(res, 200, [
      { id: 'rb_7f3a', name: 'ci-builder', grants: [{ pattern: 'team/*', actions: ['pull', 'push'] }], createdAt: now - 300 * HOUR, expiresAt: now + 1800 * HOUR, revoked: false },
      { id: 'rb_19cc', name: 'old-deployer', grants: [{ pattern: 'team/app', actions: ['pull'] }], createdAt: now - 3000 * HOUR, expiresAt: null, revoked: true },
    ]);
  }
  if (path === 'admin/robots') return answer(res, 200, { id: 'rb_new1', secret: 'stratus_rbt_3q9Xk2mZ8vL0pW4tN7yB1cD6' });
  if (path === 'admin/gc-runs') {
    return answer(res, 200, [
      { runId: 'gc-2', status: 'completed', startedAt: now - 5 * HOUR, finishedAt: now - 5 * HOUR + 42_000, dryRun: false, graceMs: 24 * HOUR, host: 'lambda', manifestsDeleted: 12, linksDeleted: 30, blobsDeleted: 40, objectsDeleted: 41, bytesFreed: 912_000_000 },
      { runId: 'gc-1', status: 'incomplete', startedAt: now - 29 * HOUR, finishedAt: now - 29 * HOUR + 840_000, dryRun: false, graceMs: 24 * HOUR, host: 'lambda', manifestsDeleted: 3, linksDeleted: 5, blobsDeleted: 8, objectsDeleted: 8, bytesFreed: 120_000_000 },
      { runId: 'gc-0', status: 'failed', startedAt: now - 53 * HOUR, finishedAt: now - 53 * HOUR + 3_000, dryRun: true, graceMs: 24 * HOUR, host: 'cli@laptop', manifestsDeleted: 0, linksDeleted: 0, blobsDeleted: 0, objectsDeleted: 0, bytesFreed: 0, error: 'storage backend unavailable' },
    ]);
  }
  if (path === 'admin/policies') {
    return answer(res, 200, {
      retention: [{ pattern: 'team/*', policyText: 'keep last 20 tags\nkeep tags matching ^v\\d+\\.\\d+\\.\\d+$ for 90 days', updatedAt: now - 100 * HOUR }],
      immutability: [{ pattern: 'base/*', mode: 'all-tags', exclusions: ['latest', 'nightly-*'], updatedAt: now - 200 * HOUR }],
    });
  }
  if (req.method === 'POST' || req.method === 'DELETE') return answer(res, 204);
  return answer(res, 404, error('NOT_FOUND', 'no such endpoint'));
}

async function token(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const user = form.get('username') ?? 'admin';
  if (form.get('grant_type') === 'password' && form.get('password') !== 'secret') return answer(res, 401, error('UNAUTHORIZED', 'bad credentials'));
  return answer(res, 200, { token: `token-${user}`, access_token: `token-${user}`, expires_in: 300, refresh_token: 'refresh' });
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://mock');
  if (url.pathname.startsWith('/ui/api/')) return void api(req, res, url.pathname.slice('/ui/api/'.length), url.searchParams);
  if (url.pathname === '/token') return void token(req, res);
  let file: string;
  try {
    file = assetFileOf(url.pathname);
  } catch {
    return answer(res, 404, error('NOT_FOUND', 'no such page'));
  }
  void assets.get(file).then((asset) => {
    if (!asset) return answer(res, 404, error('NOT_FOUND', 'not built: npm run build:ui'));
    res.writeHead(200, { 'content-type': asset.contentType, ...UI_SECURITY_HEADERS });
    res.end(asset.body);
  });
}).listen(Number(process.env.PORT ?? 5099), '127.0.0.1', () => console.log(`mock UI API on http://127.0.0.1:${process.env.PORT ?? 5099} (auth ${auth ? 'on' : 'off'})`));
