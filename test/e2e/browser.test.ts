/**
 * A browser UI on another origin against `npm start`, as users run Joxit's docker-registry-ui: Debian's
 * Chromium (headless, driven by puppeteer-core) loads test/e2e/browser/ from another port, lists the catalog
 * and tags, reads a manifest with the UI's long Accept header (preflighted), reads the config blob through
 * the 307 to the embedded S3 (`Origin: null` there), reads Docker-Content-Digest and deletes a manifest by
 * digest. Auth off (STRATUS_CORS_ORIGIN `*`), and auth on with a login through the token endpoint's Basic
 * challenge (STRATUS_CORS_ORIGIN naming the page's origin, credentials sent). Screenshots: SCREENSHOTS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { freePort, RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
/** Where each run leaves its screenshots (git-ignored), one per step and mode. */
export const SCREENSHOTS = join(ROOT, '.stratus', 'test-results', 'browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { username: 'admin', password: 'admin-Secret-1' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

interface Pushed { digest: string; configDigest: string; config: Buffer }

/** The fixture page's steps, as window.viewer exposes them. */
interface Viewer {
  catalog(): Promise<{ repositories: string[]; tags: Record<string, string[]>; tokenSubjects: string[] }>;
  image(repo: string, tag: string): Promise<Record<string, string>>;
  remove(repo: string, digest: string): Promise<{ status: number; tags: string[] }>;
}

describe.each([
  ['auth off, STRATUS_CORS_ORIGIN=*', false],
  ['auth on, the page\'s origin listed in STRATUS_CORS_ORIGIN, login through the Basic challenge', true],
])('a browser UI on another origin (%s)', (mode, secured) => {
  const label = secured ? 'auth-on' : 'auth-off';
  let page: Server;
  let pageOrigin: string;
  let registry: RegistryProcess;
  let registryUrl: string;
  let browser: Browser;
  let tab: Page;
  const seen: string[] = [];
  const pushed: Record<string, Pushed> = {};

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    page = await servePage(await freePort());
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const env: Record<string, string> = secured
      ? { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.username, STRATUS_ADMIN_PASSWORD: ADMIN.password, STRATUS_CORS_ORIGIN: pageOrigin }
      : { STRATUS_CORS_ORIGIN: '*' };
    registry = await startRegistry({ env });
    registryUrl = `http://${registry.host}`;
    const auth = secured ? `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` : undefined;
    pushed.v1 = await pushImage(registryUrl, 'web/app', 'v1', 'arm64', auth);
    pushed.v2 = await pushImage(registryUrl, 'web/app', 'v2', 'amd64', auth);
    await pushImage(registryUrl, 'web/db', '16', 'amd64', auth);

    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    tab = await browser.newPage();
    await tab.setViewport({ width: 1000, height: 700 });
    // Login through the browser's prompt: puppeteer answers the 401 Basic challenge as the user would.
    if (secured) await tab.authenticate(ADMIN);
    tab.on('console', (m) => seen.push(`console.${m.type()}: ${m.text()}`));
    tab.on('requestfailed', (r) => seen.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    tab.on('response', (r) => seen.push(`${r.request().method()} ${r.url()} -> ${r.status()}`));
    await tab.goto(`${pageOrigin}/index.html?registry=${encodeURIComponent(registryUrl)}${secured ? '&secured=1' : ''}`);
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.stop();
    page?.close();
  });

  /** Runs one of the page's steps in the browser, then screenshots the page. */
  const step = async <K extends keyof Viewer>(name: string, method: K, ...args: Parameters<Viewer[K]>): Promise<Awaited<ReturnType<Viewer[K]>>> => {
    try {
      return await tab.evaluate(
        (m: string, a: unknown[]) => (globalThis as unknown as { viewer: Record<string, (...x: unknown[]) => unknown> }).viewer[m]!(...a),
        method, args,
      ) as Awaited<ReturnType<Viewer[K]>>;
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}\nbrowser saw:\n${seen.slice(-30).join('\n')}`);
    } finally {
      await tab.screenshot({ path: join(SCREENSHOTS, `${label}-${name}.png`) });
    }
  };

  test('lists the catalog and each repository\'s tags', async () => {
    const { repositories, tags, tokenSubjects } = await step('1-catalog', 'catalog');

    expect(repositories).toEqual(['web/app', 'web/db']);
    expect(tags).toEqual({ 'web/app': ['v1', 'v2'], 'web/db': ['16'] });
    if (secured) {
      // The token endpoint challenged the browser with Basic (401), the browser logged in (the page never
      // sends a password itself), and the page's catalog token is the admin's.
      const tokenAnswers = requestLines(registry.logFile!).filter((r) => r.path === '/token' && /Chrome/.test(r.userAgent));
      expect(tokenAnswers.map((r) => r.status).slice(0, 2)).toEqual([401, 200]);
      expect(tokenSubjects).toEqual([ADMIN.username]);
    } else {
      expect(tokenSubjects).toEqual([]);
    }
  });

  test('reads a manifest (long Accept: preflighted), its Docker-Content-Digest, and its config blob through the 307', async () => {
    const image = await step('2-image', 'image', 'web/app', 'v1');

    expect(image.digest).toBe(pushed.v1!.digest);
    expect(image.manifestDigest).toBe(pushed.v1!.digest);
    expect(image.mediaType).toBe(OCI_MANIFEST);
    expect(image.configDigest).toBe(pushed.v1!.configDigest);
    expect(image.configBytesDigest).toBe(pushed.v1!.configDigest);
    expect(image.architecture).toBe('arm64');
    // The bytes came from the embedded S3 (127.0.0.2), not the registry: the browser followed the redirect.
    expect(image.configUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/.*X-Amz-Signature=/);
    expect(seen).toContainEqual(expect.stringMatching(/^OPTIONS http:\/\/127\.0\.0\.1:\d+\/v2\/web\/app\/manifests\/v1 -> 204$/));
    expect(seen).toContainEqual(expect.stringMatching(new RegExp(`^GET http://127\\.0\\.0\\.1:\\d+/v2/web/app/blobs/${pushed.v1!.configDigest} -> 307$`)));
  });

  test('deletes a manifest by digest: 202, and its tag is gone', async () => {
    const removed = await step('3-delete', 'remove', 'web/app', pushed.v1!.digest);

    expect(removed).toEqual({ status: 202, tags: ['v2'] });
    const after = await fetch(`${registryUrl}/v2/web/app/manifests/${pushed.v1!.digest}`, {
      method: 'HEAD', headers: secured ? { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` } : {},
    });
    expect(after.status).toBe(404);
  });
});

/** The registry's request log lines (JSON, one per request). */
function requestLines(logFile: string): Array<{ path: string; status: number; userAgent: string }> {
  return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"message":"request"')).map((l) => JSON.parse(l));
}

/** Serves test/e2e/browser/ on 127.0.0.1:port: an origin of its own (the registry has another port). */
async function servePage(port: number): Promise<Server> {
  const dir = join(__dirname, 'browser');
  const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8' };
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    if (!/^[a-z-]+\.(html|js)$/.test(name)) return void res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': types[name.split('.').pop()!]! }).end(readFileSync(join(dir, name)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return server;
}

/** Pushes a one-layer OCI image over the API (monolithic uploads), as a client would. */
async function pushImage(base: string, repo: string, tag: string, architecture: string, authorization?: string): Promise<Pushed> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const upload = async (bytes: Buffer): Promise<string> => {
    const digest = digestOf(bytes);
    const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: bytes });
    if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
    return digest;
  };
  const layer = randomBytes(2048);
  const layerDigest = await upload(layer);
  const config = Buffer.from(JSON.stringify({
    architecture, os: 'linux', created: '2026-01-02T03:04:05Z',
    config: { Env: ['PATH=/usr/bin'] }, rootfs: { type: 'layers', diff_ids: [layerDigest] },
  }));
  const configDigest = await upload(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  }));
  const put = await fetch(`${base}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { ...headers, 'content-type': OCI_MANIFEST }, body: manifest });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
  return { digest: digestOf(manifest), configDigest, config };
}
