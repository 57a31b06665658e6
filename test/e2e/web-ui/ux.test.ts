/**
 * The web UI's finer points, on `npm start` with auth on, in Debian's headless Chromium: search typed at full
 * speed (every character kept, a request or two rather than one per key, back restores it), the login of a
 * first visit (no refused request, no "session ended") against one whose token was refused, the manifest
 * page's sizes and a platform's way back to its index, the delete confirmation and the tag count. Any page
 * error or console error fails a test unless the test provoked it. Screenshots: .stratus/test-results/web-ui/<test>/.
 */
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { humanBytes } from '../../../ui/src/format';
import { buildUi } from '../../../ui/build';
import { removeTree, settle, tempDir } from '../exec';
import { RegistryProcess, startRegistry } from '../registry-process';
import { launchBrowser, UiTab } from './browser';
import { bigTag, IndexFixture, PushedImage, Pusher, pushIndexWithReferrers, pushManyTags, pushPlainImage } from './fixtures';
import { ADMIN, basic, buttonNamed, linkNamed, logIn, search, searchBox, tableRows } from './ui-actions';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, location: any, sessionStorage: any;

const MANY = 'team/many';
const MANY_TAGS = 150;

describe('the web UI on npm start, auth on: search, login, manifest and delete details', () => {
  let registry: RegistryProcess;
  let base: string;
  let browser: Browser;
  let work: string;
  let index: IndexFixture;
  let plain: PushedImage;
  let trash: { a: PushedImage; b: PushedImage };
  const tabs: UiTab[] = [];
  const open = async (test: string) => {
    const tab = await UiTab.open(browser, base, test);
    tabs.push(tab);
    return tab;
  };

  beforeAll(async () => {
    work = tempDir('web-ui-ux');
    // WEB_UI_DIST: serve a UI built elsewhere (e.g. an older commit's, to see these checks fail on it).
    const ui = process.env.WEB_UI_DIST ?? join(work, 'ui');
    if (!process.env.WEB_UI_DIST) await buildUi(ui);
    await settle(
      startRegistry({
        dataDir: join(work, 'data'),
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password, STRATUS_UI_DIR: ui },
      }).then((r) => (registry = r)),
      launchBrowser().then((b) => (browser = b)),
    );
    base = `http://${registry.host}`;
    const p = new Pusher(base, basic(ADMIN));
    await p.blob('team/app', Buffer.from('warm the login cache'));
    index = await pushIndexWithReferrers(p, 'team/multi', 'v1');
    plain = await pushPlainImage(p, 'team/app', '1.0');
    const a = await p.image('team/trash', 'a1', { architecture: 'amd64', os: 'linux', created: '2026-01-05T00:00:00Z' }, Buffer.from('a'));
    await p.image('team/trash', 'a2', { architecture: 'amd64', os: 'linux', created: '2026-01-05T00:00:00Z' }, Buffer.from('a'));
    const b = await p.image('team/trash', 'b1', { architecture: 'arm64', os: 'linux', created: '2026-01-06T00:00:00Z' }, Buffer.from('b'));
    trash = { a, b };
    await pushManyTags(p, MANY, MANY_TAGS, 10);
  });

  afterEach(async () => {
    const problems = tabs.flatMap((t) => t.problems);
    for (const t of tabs.splice(0)) await t.close();
    expect(problems).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await registry?.stop();
    if (work) removeTree(work);
  });

  test('a first visit shows the login at once (only the session asked, nothing refused); a refused token says the session ended', async () => {
    const tab = await open('ux-first-visit');
    await tab.go('/ui/repository?name=team%2Fapp');
    await tab.page.waitForSelector('::-p-aria(Password or robot secret)');
    await tab.shot('first-visit-login');
    expect(new URL(tab.page.url()).pathname).toBe('/ui/login');
    expect(new URL(tab.page.url()).searchParams.get('next')).toBe('/ui/repository?name=team%2Fapp');
    expect(tab.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['GET /ui/api/session 200']);
    expect(await tab.text()).not.toMatch(/session has ended/i);

    // Logged in, then the tokens stop working (here: replaced by ones the registry never issued).
    await logIn(tab, ADMIN);
    tab.expect(/status of 401 .*\/(ui\/api\/|token)/);
    await tab.page.evaluate(() => {
      const tokens = JSON.parse(sessionStorage.getItem('stratus.tokens'));
      sessionStorage.setItem('stratus.tokens', JSON.stringify({ ...tokens, accessToken: 'not.a.token', refreshToken: 'not-a-refresh-token' }));
    });
    await (await linkNamed(tab, 'team/app')).click();
    await tab.waitForText('Your session has ended');
    await tab.shot('session-ended');
    expect(new URL(tab.page.url()).pathname).toBe('/ui/login');
  });

  test('search typed at full speed: every character stays in the box and the results, at most 2 requests; back restores it', async () => {
    const tab = await open('ux-search-speed');
    await logIn(tab, ADMIN);
    const icons: string[] = [];
    tab.page.on('request', (r) => { if (/favicon/.test(r.url())) icons.push(r.url()); });
    // The icon is a hashed asset, named like the script and the stylesheet.
    expect(await tab.page.$eval('link[rel="icon"]', (l: { getAttribute(n: string): string }) => l.getAttribute('href'))).toMatch(/^\/ui\/assets\/favicon-[A-Z0-9]{8}\.svg$/);
    const box = await searchBox(tab);
    for (const query of ['team/multi', 'team/app', 'team/trash', 'team/multi', 'team/many']) {
      await box.click({ count: 3 });
      await tab.page.keyboard.press('Backspace');
      await tab.page.waitForNetworkIdle({ idleTime: 400 });
      tab.resetCalls();
      icons.length = 0;
      await box.type(query); // no delay between keys
      expect(await box.evaluate((b: { value: string }) => b.value)).toBe(query);
      await tab.page.waitForFunction((q: string) => new URLSearchParams(location.search).get('q') === q, { polling: 50, timeout: 10_000 }, query);
      await tab.page.waitForNetworkIdle({ idleTime: 400 });
      expect(await box.evaluate((b: { value: string }) => b.value)).toBe(query);
      expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual([query]);
      const repositoryCalls = tab.calls.filter((c) => c.path.startsWith('/ui/api/repositories'));
      console.log(`web-ui: typing "${query}" (${query.length} keys): ${repositoryCalls.length} repository calls, ${icons.length} icon requests`);
      // Not one per keystroke: the search (and the URL, on whose change Chromium asks for the icon again) waits for a pause.
      expect(repositoryCalls.length).toBeLessThanOrEqual(2);
      expect(icons.length).toBeLessThanOrEqual(2);
    }
    await tab.shot('searched');

    // Away and back: the search comes back from the URL.
    await (await linkNamed(tab, MANY)).click();
    await tab.page.waitForFunction(() => location.pathname === '/ui/repository', { polling: 50, timeout: 10_000 });
    await tab.waitForText(bigTag(0));
    await tab.page.goBack();
    await tab.page.waitForFunction(() => location.pathname === '/ui/' && document.querySelector('input[type="search"]')?.value === 'team/many', { polling: 50, timeout: 10_000 });
    await tab.page.waitForFunction(() => document.querySelectorAll('table tbody tr').length === 1, { polling: 50, timeout: 10_000 });
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual([MANY]);

    // A long filter on the tags page, typed at full speed.
    await tab.go(`/ui/repository?name=${encodeURIComponent(MANY)}`);
    await tab.waitForText(bigTag(0));
    tab.resetCalls();
    await search(tab, bigTag(123));
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual([bigTag(123)]);
    expect(tab.calls.filter((c) => c.path.startsWith('/ui/api/tags')).length).toBeLessThanOrEqual(2);
    await tab.shot('tags-searched');
  });

  test('the tags page says how many tags it shows', async () => {
    const tab = await open('ux-tag-count');
    await logIn(tab, ADMIN);
    await tab.go(`/ui/repository?name=${encodeURIComponent(MANY)}`);
    await tab.waitForText('100 tags shown, more below');
    await (await buttonNamed(tab, 'Load more tags')).click();
    await tab.waitForText(`${MANY_TAGS} tags shown`);
    expect(await tab.text()).not.toContain('more below');
    await search(tab, '1.014');
    await tab.waitForText('10 tags shown matching “1.014”');
    await tab.shot('tag-count');
  });

  test('the manifest page: the manifest\'s own size and the image\'s; a platform links back to its index', async () => {
    const tab = await open('ux-manifest-sizes');
    await logIn(tab, ADMIN);
    await tab.go('/ui/manifest?repository=team%2Fapp&reference=1.0');
    await tab.waitForText(`Image size\n${humanBytes(plain.configSize + plain.layerSize)}`);
    expect(await tab.text()).toContain(`Manifest size\n${humanBytes(plain.size)}`);

    // An index: the sum of its platforms' images (as the tags table counts it).
    await tab.go('/ui/manifest?repository=team%2Fmulti&reference=v1');
    const indexImage = index.children.reduce((sum, c) => sum + c.configSize + c.layerSize, 0);
    await tab.waitForText(`Image size\n${humanBytes(indexImage)}`);
    expect(await tab.text()).toContain(`Manifest size\n${humanBytes(index.index.size)}`);
    await tab.shot('index-sizes');

    const arm = index.children.find((c) => c.platform === 'linux/arm64/v8')!;
    await (await linkNamed(tab, 'linux/arm64/v8')).click();
    await tab.waitForText(`Image size\n${humanBytes(arm.configSize + arm.layerSize)}`);
    expect(new URL(tab.page.url()).searchParams.get('index')).toBe(index.index.digest);
    await tab.shot('platform-with-index');
    await (await linkNamed(tab, `index ${index.index.digest.slice(0, 19)}`)).click();
    await tab.waitForText('linux/s390x');
    expect(new URL(tab.page.url()).searchParams.get('reference')).toBe(index.index.digest);
  });

  test('a delete says what it deleted', async () => {
    const tab = await open('ux-delete-notice');
    await logIn(tab, ADMIN);
    await tab.go('/ui/manifest?repository=team%2Ftrash&reference=a2');
    await tab.waitForText(trash.a.digest);
    await (await buttonNamed(tab, 'Delete tag')).click();
    await (await tab.page.waitForSelector('dialog[open] ::-p-aria([name="Delete tag"][role="button"])'))!.click();
    await tab.waitForText('Deleted the tag team/trash:a2.');
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('tag-deleted');
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual(['a1', 'b1']);

    await tab.go('/ui/manifest?repository=team%2Ftrash&reference=b1');
    await tab.waitForText(trash.b.digest);
    await (await buttonNamed(tab, 'Delete manifest')).click();
    await (await tab.page.waitForSelector('dialog[open] ::-p-aria([name="Delete manifest"][role="button"])'))!.click();
    await tab.waitForText(`Deleted the manifest ${trash.b.digest.slice(0, 19)} and its tag b1.`);
    await tab.shot('manifest-deleted');
    // Shown once: the next visit of the page has no notice.
    await tab.go('/ui/repository?name=team%2Ftrash');
    await tab.waitForText('a1');
    expect(await tab.text()).not.toContain('Deleted the');
  });
});
