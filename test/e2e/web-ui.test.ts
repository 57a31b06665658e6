/**
 * Stratus's own web UI in Debian's headless Chromium (puppeteer-core), served by `npm start` with auth on
 * and by `npm run start:lambda`: login and logout, what a user may see, a 2,000-tag repository (API calls
 * per page, render time), a 3-platform index with 2 referrers, an image's config, deletes with and without
 * the right, the keyboard, both themes. Any page error or console error fails a test unless the test
 * provoked it. Screenshots: .stratus/test-results/web-ui/<test>/.
 */
import { join, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { removeTree, run, RunOptions, settle, tempDir } from './exec';
import { RegistryProcess, startRegistry } from './registry-process';
import { launchBrowser, UiTab } from './web-ui/browser';
import {
  bigTag, IMAGE_CONFIG, INDEX_PLATFORMS, IndexFixture, Pushed, Pusher, pushIndexWithReferrers, pushManyTags,
  pushPlainImage, SBOM_TYPE, SIGNATURE_TYPE,
} from './web-ui/fixtures';
import { buttonNamed, linkNamed, logIn, Login, logOut, search, searchBox, submitLogin, tableRows } from './web-ui/ui-actions';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, sessionStorage: any, requestAnimationFrame: any, getComputedStyle: any;
declare const HTMLElement: any, HTMLInputElement: any, HTMLAnchorElement: any;
declare type PerformanceResourceTiming = { responseEnd: number };

const ROOT = resolve(__dirname, '../..');
const ADMIN: Login = { user: 'admin', password: 'admin-Secret-1' };
/** Pull on team/* only. */
const VIEWER: Login = { user: 'vera', password: 'vera-Secret-2' };
/** Pull and delete on team/*. */
const EDITOR: Login = { user: 'eddie', password: 'eddie-Secret-3' };
const BIG = 'team/big';
const TAG_COUNT = 2000;
const basic = (who: Login) => `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`;

/** Chromium's own console line for an answer the page asked for and got refused (not a script error). */
const refused = (status: number) => new RegExp(`Failed to load resource: the server responded with a status of ${status}`);

describe('the web UI on npm start, auth on', () => {
  let registry: RegistryProcess;
  let base: string;
  let browser: Browser;
  let work: string;
  let index: IndexFixture;
  let plain: Pushed;
  let trash: { a: Pushed; b: Pushed };
  const tabs: UiTab[] = [];
  const cli = (args: string[], opts: RunOptions = {}) =>
    run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), ...args],
      { ...opts, cwd: ROOT, env: { STRATUS_DATA_DIR: join(work, 'data'), ...opts.env } });
  const open = async (test: string) => {
    const tab = await UiTab.open(browser, base, test);
    tabs.push(tab);
    return tab;
  };
  /** The registry's /v2 API, as the admin sees it. */
  const v2 = (path: string, init: RequestInit = {}) => fetch(`${base}/v2/${path}`, { ...init, headers: { authorization: basic(ADMIN), ...init.headers } });
  const tagsOf = async (repo: string) => ((await (await v2(`${repo}/tags/list`)).json()) as { tags: string[] }).tags;

  beforeAll(async () => {
    work = tempDir('web-ui');
    await settle(
      startRegistry({
        dataDir: join(work, 'data'),
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password },
      }).then((r) => (registry = r)),
      launchBrowser().then((b) => (browser = b)),
    );
    base = `http://${registry.host}`;
    const users = (async () => {
      await cli(['user', 'add', VIEWER.user], { env: { STRATUS_PASSWORD: VIEWER.password } });
      await cli(['user', 'add', EDITOR.user], { env: { STRATUS_PASSWORD: EDITOR.password } });
      await cli(['grant', VIEWER.user, 'team/*', 'pull']);
      await cli(['grant', EDITOR.user, 'team/*', 'pull,delete']);
    })();
    const p = new Pusher(base, basic(ADMIN));
    await p.blob('team/app', Buffer.from('warm the login cache')); // one bcrypt check, then the cached login
    const pushes = (async () => {
      index = await pushIndexWithReferrers(p, 'team/multi', 'v1');
      plain = await pushPlainImage(p, 'team/app', '1.0');
      await pushPlainImage(p, 'other/secret', 'latest');
      const a = await p.image('team/trash', 'a1', { architecture: 'amd64', os: 'linux', created: '2026-01-05T00:00:00Z' }, Buffer.from('a'));
      await p.manifest('team/trash', 'a2', JSON.parse((await (await v2('team/trash/manifests/a1', { headers: { accept: a.descriptor.mediaType } })).text())));
      const b = await p.image('team/trash', 'b1', { architecture: 'arm64', os: 'linux', created: '2026-01-06T00:00:00Z' }, Buffer.from('b'));
      trash = { a, b };
      const big = await pushManyTags(p, BIG, TAG_COUNT);
      console.log(`web-ui fixtures: ${TAG_COUNT} tags over ${big.digests.length} manifests pushed in ${big.ms} ms`);
    })();
    await settle(users, pushes);
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

  test('(a) login as a user with pull on team/* only: a wrong password is refused, only team/* is listed, logout', async () => {
    const tab = await open('a-login');
    await tab.go('/');
    await tab.shot('login');
    tab.expect(refused(401));
    await submitLogin(tab, { user: VIEWER.user, password: 'not-the-password' });
    await tab.waitForText('wrong name or password');
    await tab.shot('wrong-password');

    await submitLogin(tab, VIEWER);
    await tab.waitForText('team/multi');
    await tab.page.waitForNetworkIdle({ idleTime: 200 });
    await tab.shot('repositories');
    const text = await tab.text();
    for (const repo of ['team/app', BIG, 'team/multi', 'team/trash']) expect(text).toContain(repo);
    expect(text).not.toContain('other/secret');
    expect(text).toContain(VIEWER.user);
    // The token lives in this tab's sessionStorage, never in a cookie.
    expect(await tab.page.evaluate(() => Object.keys(sessionStorage).length)).toBeGreaterThan(0);
    expect(await tab.page.cookies()).toEqual([]);

    await logOut(tab);
    await tab.page.waitForSelector('input[type="password"]');
    await tab.shot('logged-out');
    expect(await tab.text()).not.toContain('team/multi');
    expect(await tab.page.evaluate(() => JSON.stringify(sessionStorage))).not.toMatch(/ey[A-Za-z0-9_-]{20,}/);
  });

  test('(a) a repository the user may not pull is not found, by its address either', async () => {
    const tab = await open('a-hidden');
    await logIn(tab, VIEWER);
    tab.expect(refused(404));
    await tab.go(`/ui/repository?name=${encodeURIComponent('other/secret')}`);
    await tab.shot('hidden-repository');
    expect(await tab.text()).not.toContain('latest');
    const asked = tab.calls.filter((c) => c.path.includes('other%2Fsecret'));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((c) => c.status === 404)).toBe(true);
  });

  test(`(b) the ${TAG_COUNT}-tag repository: a page of rows with size, platforms and pushed time from at most 3 API calls, rendered in under a second; next page; filter`, async () => {
    const tab = await open('b-big-repository');
    await logIn(tab, VIEWER);
    tab.resetCalls();
    await watchForRow(tab, bigTag(0));
    await (await linkNamed(tab, BIG)).click();
    const rendered = await renderTime(tab);
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('first-page');
    console.log(`web-ui: ${BIG} first page: ${JSON.stringify(rendered)}; API calls: ${tab.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ')}`);
    expect(tab.calls.length).toBeLessThanOrEqual(3);
    expect(tab.calls.every((c) => c.status === 200)).toBe(true);
    // The one timed assertion: the issue asks for under a second; the bound is generous for a shared CI machine.
    expect(rendered.renderMs).toBeLessThan(1000);

    const rows = await tableRows(tab);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows[0]).toContain(bigTag(0));
    expect(rows[0]).toContain('linux/amd64');
    expect(rows[0]).toMatch(/\d(\.\d+)?\s?(B|kB|KB|KiB)\b/);
    expect(rows[0]).toMatch(/ago|\d{4}-\d{2}-\d{2}|just now|today/i);

    const firstPage = rows.length;
    tab.resetCalls();
    await (await buttonNamed(tab, 'Next page')).click();
    await tab.waitForText(bigTag(firstPage));
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('next-page');
    expect((await tableRows(tab))[0]).toContain(bigTag(firstPage));
    expect(tab.calls.length).toBeLessThanOrEqual(3);

    await search(tab, '1999');
    await tab.shot('filtered');
    const filtered = await tableRows(tab);
    expect(filtered).toHaveLength(1);
    expect(filtered[0]).toContain(bigTag(1999));
  });

  test('(c) the index: 3 platforms listed and navigable, 2 referrers as a tree; an image shows env, labels, entrypoint and history', async () => {
    const tab = await open('c-index-and-image');
    await logIn(tab, VIEWER);
    await tab.go(`/ui/manifest?repository=team%2Fmulti&reference=v1`);
    await tab.waitForText('linux/s390x');
    await tab.shot('index');
    const text = await tab.text();
    for (const platform of INDEX_PLATFORMS) expect(text).toContain(platform);
    expect(text).toContain(SIGNATURE_TYPE);
    expect(text).toContain(SBOM_TYPE);
    expect(text).toContain('docker pull');
    // The referrers hang under the index: nested in a tree (ARIA tree or nested list).
    const nested = await tab.page.evaluate((sig: string) => {
      const node = [...document.querySelectorAll('li,[role="treeitem"]')].find((e) => (e).innerText.includes(sig));
      return Boolean(node?.parentElement?.closest('li,[role="tree"],[role="treeitem"],[role="group"]') || node?.closest('[role="tree"]'));
    }, SIGNATURE_TYPE);
    expect(nested).toBe(true);

    const arm = index.children.find((c) => c.platform === 'linux/arm64/v8')!;
    await (await linkNamed(tab, 'linux/arm64/v8')).click();
    await tab.waitForText(arm.digest.slice(7, 19));
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('platform-arm64');
    expect(await tab.text()).toContain('arm64');

    await tab.go(`/ui/manifest?repository=team%2Fapp&reference=1.0`);
    await tab.waitForText('APP_MODE=production');
    await tab.shot('image');
    const image = await tab.text();
    expect(image).toContain(plain.digest.slice(7, 19));
    for (const env of IMAGE_CONFIG.config.Env) expect(image).toContain(env);
    expect(image).toContain('org.opencontainers.image.source');
    expect(image).toContain('team-api');
    expect(image).toContain('/usr/local/bin/api-server');
    for (const step of IMAGE_CONFIG.history) expect(image).toContain(step.created_by);
  });

  test('(d) a user with delete deletes a tag, then a manifest, and /v2 agrees; a user without delete cannot', async () => {
    const viewer = await open('d-delete-refused');
    await logIn(viewer, VIEWER);
    await viewer.go(`/ui/repository?name=team%2Ftrash`);
    await viewer.waitForText('b1');
    await viewer.shot('viewer-tags');
    const viewerDelete = await viewer.page.$$('::-p-aria([name="Delete"][role="button"])');
    if (viewerDelete.length > 0) {
      // Offered anyway: it must end in a clear refusal, and nothing may be deleted.
      viewer.expect(refused(403));
      await viewerDelete[0]!.click();
      await (await buttonNamed(viewer, 'Delete tag')).click();
      await viewer.waitForText('You may not delete');
      await viewer.shot('viewer-refused');
    }
    expect(await tagsOf('team/trash')).toEqual(['a1', 'a2', 'b1']);

    const tab = await open('d-delete');
    await logIn(tab, EDITOR);
    await tab.go(`/ui/repository?name=team%2Ftrash`);
    await tab.waitForText('a2');
    await tab.shot('tags-before');
    await (await rowButton(tab, 'a2', 'Delete')).click();
    await tab.shot('confirm-tag');
    await (await buttonNamed(tab, 'Delete tag')).click();
    await tab.page.waitForFunction(() => !document.body.innerText.match(/\ba2\b/), { polling: 50, timeout: 10_000 });
    await tab.shot('tag-deleted');
    expect(await tagsOf('team/trash')).toEqual(['a1', 'b1']);
    expect((await v2(`team/trash/manifests/${trash.a.digest}`, { method: 'HEAD' })).status).toBe(200);

    await tab.go(`/ui/manifest?repository=team%2Ftrash&reference=${trash.b.digest}`);
    await tab.waitForText(trash.b.digest.slice(7, 19));
    await (await buttonNamed(tab, 'Delete manifest')).click();
    await tab.shot('confirm-manifest');
    await (await tab.page.waitForSelector('dialog ::-p-aria([name="Delete manifest"][role="button"])'))!.click();
    await tab.page.waitForFunction(() => !document.querySelector('dialog[open]'), { polling: 50, timeout: 10_000 });
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('manifest-deleted');
    expect(await tagsOf('team/trash')).toEqual(['a1']);
    expect((await v2(`team/trash/manifests/${trash.b.digest}`, { method: 'HEAD' })).status).toBe(404);
  });

  test('(e) keyboard: Tab reaches the search box and then the first repository link, Enter opens it', async () => {
    const tab = await open('e-keyboard');
    await logIn(tab, VIEWER);
    const reached: string[] = [];
    for (let i = 0; i < 30 && !reached.includes('link:team/app'); i++) {
      await tab.page.keyboard.press('Tab');
      reached.push(await tab.page.evaluate(() => {
        const e = document.activeElement;
        if (!e) return 'none';
        if (e instanceof HTMLInputElement) return `input:${e.type}`;
        if (e instanceof HTMLAnchorElement) return `link:${e.innerText.trim()}`;
        return `${e.tagName.toLowerCase()}:${e.innerText?.trim().slice(0, 30)}`;
      }));
    }
    await tab.shot('focus-on-first-repository');
    const searchAt = reached.indexOf('input:search');
    expect(searchAt).toBeGreaterThanOrEqual(0);
    expect(reached.indexOf('link:team/app')).toBeGreaterThan(searchAt);
    await tab.page.keyboard.press('Enter');
    await tab.waitForText('1.0');
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('opened-with-enter');
    expect(tab.page.url()).toContain('team%2Fapp');
  });

  test('(f) dark and light themes', async () => {
    const colours: Record<string, string> = {};
    for (const scheme of ['light', 'dark'] as const) {
      const tab = await open(`f-theme-${scheme}`);
      await tab.page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await logIn(tab, VIEWER);
      await tab.shot('repositories');
      colours[scheme] = await tab.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await tab.go(`/ui/repository?name=${encodeURIComponent(BIG)}`);
      await tab.waitForText(bigTag(0));
      await tab.shot('tags');
      await tab.go(`/ui/manifest?repository=team%2Fmulti&reference=v1`);
      await tab.waitForText('linux/s390x');
      await tab.shot('index');
    }
    expect(colours.dark).not.toEqual(colours.light);
    expect(luminance(colours.dark!)).toBeLessThan(luminance(colours.light!));
  });
});

describe('the web UI on npm run start:lambda (Lambda behind API Gateway), auth on', () => {
  let registry: RegistryProcess;
  let browser: Browser;
  let tab: UiTab;

  beforeAll(async () => {
    await settle(
      startRegistry({
        script: 'local/start-lambda.ts',
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password },
      }).then((r) => (registry = r)),
      launchBrowser().then((b) => (browser = b)),
    );
    await pushPlainImage(new Pusher(`http://${registry.host}`, basic(ADMIN)), 'lambda/app', '1.0');
  });
  afterAll(async () => {
    await tab?.close();
    await browser?.close();
    await registry?.stop();
  });

  test('(g) serves the UI with its security headers, and the login works there too', async () => {
    const page = await fetch(`http://${registry.host}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

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

/**
 * Starts watching for the row of `firstTag` (call before the click that loads it): a requestAnimationFrame
 * loop in the page notes when the row is on screen. renderTime() then reads it against the resource
 * timing entry of the /ui/api/tags call (its responseEnd): both on the page's clock.
 */
async function watchForRow(tab: UiTab, firstTag: string): Promise<void> {
  await tab.page.evaluate((tag: string) => {
    const w = window as unknown as { rowWatch: { started: number; shown?: number } };
    w.rowWatch = { started: performance.now() };
    const until = w.rowWatch.started + 15_000;
    const look = () => {
      const row = [...document.querySelectorAll('table tbody tr')].find((tr) => (tr).innerText.includes(tag));
      if (row) {
        w.rowWatch.shown = performance.now();
        performance.mark('tags-rendered', { startTime: w.rowWatch.shown });
      } else if (performance.now() < until) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
  }, firstTag);
}

/** What watchForRow saw: ms from the tags response's end to the row on screen, and from the watch's start. */
async function renderTime(tab: UiTab): Promise<{ renderMs: number; sinceClickMs: number; rows: number }> {
  await tab.page.waitForFunction(() => (window as unknown as { rowWatch: { shown?: number } }).rowWatch.shown !== undefined, { timeout: 15_000, polling: 50 });
  return tab.page.evaluate(() => {
    const { started, shown } = (window as unknown as { rowWatch: { started: number; shown: number } }).rowWatch;
    const call = performance.getEntriesByType('resource').filter((e) => e.name.includes('/ui/api/tags')).pop() as unknown as PerformanceResourceTiming;
    return {
      renderMs: Math.round(shown - call.responseEnd),
      sinceClickMs: Math.round(shown - started),
      rows: document.querySelectorAll('table tbody tr').length,
    };
  });
}

/** The button named `name` in the table row that contains `text`. */
async function rowButton(tab: UiTab, text: string, name: string) {
  const rows = await tab.page.$$('table tbody tr');
  for (const row of rows) {
    if (!(await row.evaluate((r, t) => (r).innerText.split(/\s+/).includes(t), text))) continue;
    const button = await row.$(`::-p-aria([name="${name}"][role="button"])`) ?? await row.$(`button[aria-label^="${name}"]`);
    if (button) return button;
  }
  throw new Error(`no "${name}" button in a row with ${text}`);
}

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
}
