import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryAssets } from '../../../lambda/adapters/file/directory-assets';
import { createRegistry } from '../../../lambda/core/registry';
import { authRegistryOnFakes } from '../auth/auth-fixture';
import { registryOnFakes, sender } from '../fakes/registry-under-test';

const SECRET = 'SECRET-OUTSIDE-THE-UI';
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

/** A UI build in a temp folder, with a file beside it (and a package.json above it) that must never be served. */
function uiFolder() {
  const base = mkdtempSync(join(tmpdir(), 'stratus-ui-'));
  const root = join(base, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Stratus</title>');
  writeFileSync(join(root, 'assets', 'main-ABCDEFGH.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'favicon.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'favicon-2BA37F8E.svg'), '<svg/>');
  writeFileSync(join(root, 'assets', 'notes.sh'), 'echo no type, never served');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  writeFileSync(join(base, 'package.json'), SECRET);
  return { base, root };
}

describe('the web UI at / and /ui/', () => {
  const folder = uiFolder();
  const reg = registryOnFakes();
  const send = sender(createRegistry({ ...reg.deps, assets: new DirectoryAssets(folder.root, { keepInMemory: true }) }));
  afterAll(() => rmSync(folder.base, { recursive: true, force: true }));

  it('GET / -> index.html with the CSP, nosniff, no-referrer, no framing, no-cache', async () => {
    const res = await send('GET', '/');

    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>Stratus</title>');
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache',
    });
  });

  it.each(['/ui', '/ui/', '/ui/repository?name=team/app', '/ui/manifest?repository=a&reference=sha256:00', '/ui/admin/users', '/ui/no/such/page'])(
    'GET %s -> index.html (the UI routes deep links itself)', async (path) => {
      const res = await send('GET', path);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('<title>Stratus</title>');
    },
  );

  it('GET /ui/assets/<hashed name> -> the file, cached for good; an unhashed one is revalidated', async () => {
    const hashed = await send('GET', '/ui/assets/main-ABCDEFGH.js');
    const icon = await send('GET', '/ui/assets/favicon.svg');
    const hashedIcon = await send('GET', '/ui/assets/favicon-2BA37F8E.svg');

    expect(hashed.status).toBe(200);
    expect(hashed.text).toBe('console.log(1)');
    expect(hashed.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(icon.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'cache-control': 'no-cache' });
    expect(hashedIcon.headers).toMatchObject({ 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=31536000, immutable' });
  });

  it('HEAD / -> the headers without the body', async () => {
    const res = await send('HEAD', '/');

    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe(CSP);
  });

  it.each(['/ui/assets/missing-ABCDEFGH.js', '/ui/assets/notes.sh', '/ui/assets/', '/ui/assets/sub/main-ABCDEFGH.js'])(
    'GET %s -> 404 error JSON, never the HTML page in place of a script', async (path) => {
      const res = await send('GET', path);

      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).not.toContain('<title>');
    },
  );

  it.each([
    '/ui/../secret.txt', '/ui/../../package.json', '/ui/assets/../../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/%2E%2E/%2E%2E/package.json',
    '/ui/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/ui/assets/..%2f..%2fpackage.json', '/ui/..%5c..%5csecret.txt', '/ui/assets/%2e%2e%5csecret.txt',
    '/ui/%00/x', '/ui/%E0%A4%A', '/ui/./index.html',
  ])('GET %s -> 404: nothing outside the UI folder, and no page for a climbing path', async (path) => {
    const res = await send('GET', path);

    expect(res.status).toBe(404);
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('<title>');
  });

  it('GET /ui/%252e%252e%252fsecret.txt (encoded twice) -> the page, not the file', async () => {
    const res = await send('GET', '/ui/assets/%252e%252e%252fsecret.txt');

    expect(res.text).not.toContain(SECRET);
  });

  it.each(['/ui/api', '/ui/api/', '/ui/api/no-such-endpoint'])('GET %s is the UI API\'s, never the page', async (path) => {
    const res = await send('GET', path);

    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text).not.toContain('<title>');
  });

  it('POST / -> 405 UNSUPPORTED with Allow', async () => {
    const res = await send('POST', '/');

    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
  });

  it('a host that gives no assets answers 404 at /', async () => {
    const res = await reg.send('GET', '/');

    expect(res.status).toBe(404);
    expect(res.json().errors[0].message).toBe('this host does not serve the web UI');
  });

  it('a folder without a build answers 404 saying how to build it', async () => {
    const empty = sender(createRegistry({ ...reg.deps, assets: new DirectoryAssets(join(folder.base, 'nothing'), { keepInMemory: false }) }));

    const res = await empty('GET', '/ui/');

    expect(res.status).toBe(404);
    expect(res.json().errors[0].message).toBe('the web UI is not built: run npm run build:ui');
  });

  it('with auth on, the page needs no login (its data comes from /ui/api/, which checks every caller)', async () => {
    const auth = await authRegistryOnFakes();
    const withAuth = sender(createRegistry({ ...auth.deps, assets: new DirectoryAssets(folder.root, { keepInMemory: true }) }));

    const page = await withAuth('GET', '/');
    const catalog = await withAuth('GET', '/v2/_catalog');

    expect(page.status).toBe(200);
    expect(page.headers['www-authenticate']).toBeUndefined();
    expect(catalog.status).toBe(401);
  });
});

describe('DirectoryAssets', () => {
  const folder = uiFolder();
  afterAll(() => rmSync(folder.base, { recursive: true, force: true }));

  it.each([true, false])('refuses paths outside its root, whatever the core passed (keepInMemory %s)', async (keepInMemory) => {
    const assets = new DirectoryAssets(folder.root, { keepInMemory });

    expect(await assets.get('../secret.txt')).toBeNull();
    expect(await assets.get('assets/../../package.json')).toBeNull();
    expect(await assets.get(join(folder.base, 'secret.txt'))).toBeNull();
    expect(await assets.get('assets/notes.sh')).toBeNull();
    expect(await assets.get('assets')).toBeNull();
    expect((await assets.get('index.html'))?.contentType).toBe('text/html; charset=utf-8');
  });

  it('without keepInMemory a rebuilt file is served at once; with it, a file missing at first is found once built', async () => {
    const live = new DirectoryAssets(folder.root, { keepInMemory: false });
    const kept = new DirectoryAssets(folder.root, { keepInMemory: true });
    expect(await kept.get('assets/late-ABCDEFGH.css')).toBeNull();

    writeFileSync(join(folder.root, 'index.html'), 'rebuilt');
    writeFileSync(join(folder.root, 'assets', 'late-ABCDEFGH.css'), 'body{}');

    expect(Buffer.from((await live.get('index.html'))!.body).toString()).toBe('rebuilt');
    expect((await kept.get('assets/late-ABCDEFGH.css'))?.contentType).toBe('text/css; charset=utf-8');
  });
});
