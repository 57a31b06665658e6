/** The web UI on the Node host: the page and its assets over HTTP, with their security headers, auth off and on. */
import { buildUi } from '../../../ui/build';
import { startTestRegistry, TestRegistry } from '../harness';
import { rawRequest } from './client';

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

describe.each([['auth off', false], ['auth on', true]])('GET / on the Node host, %s', (_label, withAuth) => {
  let registry: TestRegistry;
  beforeAll(async () => {
    await buildUi(); // what npm start and npm test do first
    registry = await startTestRegistry(withAuth ? { auth: {} } : {});
  });
  afterAll(async () => registry?.stop());

  it('GET / -> the page with its CSP and security headers, without credentials', async () => {
    const res = await fetch(`${registry.url}/`);
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(html).toContain('<div id="app">');
    // No inline code: the CSP would block it.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it('the script and stylesheet the page names are served, cached for good', async () => {
    const html = await (await fetch(`${registry.url}/ui/`)).text();
    const files = [...html.matchAll(/(?:src|href)="(\/ui\/assets\/main-[A-Z0-9]{8}\.(?:js|css))"/g)].map((m) => m[1]!);

    expect(files).toHaveLength(2);
    for (const file of files) {
      const res = await fetch(`${registry.url}${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(file.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    }
  });

  it('a deep link gets the page; a climbing path (raw or encoded) gets 404 and no file', async () => {
    const deep = await fetch(`${registry.url}/ui/manifest?repository=team/app&reference=latest`);
    const raw = await rawRequest(registry.url, 'GET', '/ui/../../package.json');
    const encoded = await rawRequest(registry.url, 'GET', '/ui/assets/..%2f..%2f..%2fpackage.json');

    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="app">');
    expect(raw.status).toBe(404);
    expect(encoded.status).toBe(404);
    expect(raw.body + encoded.body).not.toContain('"devDependencies"');
  });
});
