/**
 * The web UI on the other ways Stratus runs: `npm start` with auth off (the default: no login at all) and
 * `npm run start:lambda` (the Lambda behind API Gateway) with auth on, in Debian's headless Chromium.
 * Screenshots: .stratus/test-results/web-ui/<test>/. The main suite is test/e2e/web-ui.test.ts.
 */
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { buildUi } from '../../../ui/build';
import { removeTree, settle, tempDir } from '../exec';
import { RegistryProcess, startRegistry } from '../registry-process';
import { launchBrowser, UiTab } from './browser';
import { Pusher, pushPlainImage } from './fixtures';
import { ADMIN, basic, buttonNamed, linkNamed, logIn, tableRows } from './ui-actions';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
declare const location: { pathname: string };

describe('the web UI on npm start, auth off (the default)', () => {
  let registry: RegistryProcess;
  let browser: Browser;
  let tab: UiTab;
  let work: string;

  beforeAll(async () => {
    work = tempDir('web-ui-open');
    await buildUi(join(work, 'ui'));
    await settle(
      startRegistry({ env: { STRATUS_UI_DIR: join(work, 'ui') } }).then((r) => (registry = r)),
      launchBrowser().then((b) => (browser = b)),
    );
    const p = new Pusher(`http://${registry.host}`);
    await pushPlainImage(p, 'open/app', '1.0');
    await pushPlainImage(p, 'open/app', '2.0');
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('no login: the repositories are listed at once, anyone may delete, there is no administration', async () => {
    tab = await UiTab.open(browser, `http://${registry.host}`, 'auth-off');
    await tab.go('/');
    await tab.waitForText('open/app');
    await tab.shot('repositories');
    const text = await tab.text();
    expect(text).toContain('auth off');
    expect(text).not.toContain('Log in');
    expect(text).not.toContain('Administration');

    await tab.go('/ui/manifest?repository=open%2Fapp&reference=2.0');
    await (await buttonNamed(tab, 'Delete tag')).click();
    await (await tab.page.waitForSelector('dialog[open] ::-p-aria([name="Delete tag"][role="button"])'))!.click();
    await tab.page.waitForFunction(() => location.pathname === '/ui/repository', { polling: 50, timeout: 10_000 });
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('tag-deleted');
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual(['1.0']);
    const tags = await (await fetch(`http://${registry.host}/v2/open/app/tags/list`)).json() as { tags: string[] };
    expect(tags.tags).toEqual(['1.0']);

    await tab.go('/ui/admin/users');
    await tab.waitForText('no users or robots to manage');
    expect((await fetch(`http://${registry.host}/ui/api/admin/users`)).status).toBe(404);
    expect(tab.problems).toEqual([]);
  });
});

describe('the web UI on npm run start:lambda (Lambda behind API Gateway), auth on', () => {
  let registry: RegistryProcess;
  let browser: Browser;
  let tab: UiTab;
  let work: string;

  beforeAll(async () => {
    work = tempDir('web-ui-lambda');
    await buildUi(join(work, 'ui'));
    await settle(
      startRegistry({
        script: 'local/start-lambda.ts',
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password, STRATUS_UI_DIR: join(work, 'ui') },
      }).then((r) => (registry = r)),
      launchBrowser().then((b) => (browser = b)),
    );
    await pushPlainImage(new Pusher(`http://${registry.host}`, basic(ADMIN)), 'lambda/app', '1.0');
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('(g) serves the UI with its security headers, and the login works there too', async () => {
    const page = await fetch(`http://${registry.host}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-cache'); // names the current hashed files
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    const asset = await fetch(`http://${registry.host}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const deepLink = await fetch(`http://${registry.host}/ui/repository?name=lambda%2Fapp`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain(script);

    tab = await UiTab.open(browser, `http://${registry.host}`, 'g-lambda');
    await logIn(tab, ADMIN);
    await tab.waitForText('lambda/app');
    await tab.shot('repositories');
    await (await linkNamed(tab, 'lambda/app')).click();
    await tab.waitForText('1.0');
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('tags');
    expect(tab.problems).toEqual([]);
  });
});
