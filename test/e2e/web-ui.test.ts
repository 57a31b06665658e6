/**
 * Stratus's own web UI in Debian's headless Chromium (puppeteer-core), served by `npm start` with auth on:
 * login and logout, what a user may see, a 2,000-tag repository (API calls per page, render time), a
 * 3-platform index with 2 referrers, an image's config, deletes with and without the right, the keyboard,
 * both themes, the administration screens (a robot created there logs in; a user disabled there is logged
 * out), the UI API refused to pages on other origins, and no secret in the registry's log. Auth off and
 * `npm run start:lambda`: web-ui/hosts.test.ts. Any page error or console error fails a test unless the
 * test provoked it (Chromium logs every refused fetch, e.g. the 401 of a wrong password, as a console
 * error). Screenshots: .stratus/test-results/web-ui/<test>/.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { removeTree, run, RunOptions, settle, tempDir } from './exec';
import { buildUi } from '../../ui/build';
import { RegistryProcess, startRegistry } from './registry-process';
import { launchBrowser, UiTab } from './web-ui/browser';
import {
  bigTag, IMAGE_CONFIG, INDEX_PLATFORMS, IndexFixture, Pushed, Pusher, pushIndexWithReferrers, pushManyTags,
  pushPlainImage, SBOM_TYPE, SIGNATURE_TYPE,
} from './web-ui/fixtures';
import { luminance, renderTime, watchForRow } from './web-ui/measure';
import { ADMIN, basic, buttonNamed, linkNamed, logIn, Login, logOut, rowButton, search, submitLogin, tableRows } from './web-ui/ui-actions';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, location: any, sessionStorage: any, getComputedStyle: any;
declare const HTMLInputElement: any, HTMLAnchorElement: any;

const ROOT = resolve(__dirname, '../..');
/** Pull on team/* only. */
const VIEWER: Login = { user: 'vera', password: 'vera-Secret-2' };
/** Pull and delete on team/*. */
const EDITOR: Login = { user: 'eddie', password: 'eddie-Secret-3' };
const BIG = 'team/big';
const TAG_COUNT = 2000;

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
  /** Every secret the tests used: none may reach the registry's log. */
  const secrets: string[] = [ADMIN.password, VIEWER.password, EDITOR.password, 'not-the-password'];
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
    // The UI as the project's build makes it, in a folder of this test's own (STRATUS_UI_DIR).
    await buildUi(join(work, 'ui'));
    await settle(
      startRegistry({
        dataDir: join(work, 'data'),
        env: { STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: ADMIN.user, STRATUS_ADMIN_PASSWORD: ADMIN.password, STRATUS_UI_DIR: join(work, 'ui') },
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
      // One pull: 1.0000's manifest (also under 1.0100, 1.0200, ...) gets a last-pulled time.
      await (await v2(`${BIG}/manifests/${bigTag(0)}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer();
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
    // Nobody logged in: the UI goes from the session answer straight to the login, with no refused request
    // (so no console error) before it.
    await tab.go('/');
    await tab.page.waitForSelector('::-p-aria(Password or robot secret)');
    expect(new URL(tab.page.url()).pathname).toBe('/ui/login');
    await tab.shot('login');
    tab.expect(/status of 401 .*\/token/);
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
    const cells = rows.map((r) => r.split(' | '));
    const [pushed, pulled] = [cells[0]!.length - 2, cells[0]!.length - 1];
    expect(cells[0]![pushed]).toMatch(/ago|now/);
    expect(cells[0]![pulled]).toMatch(/ago|now/); // pulled once, in beforeAll
    expect(cells[1]![pulled]).toBe('never');

    // A fresh load of the same address (a deep link): the session and the page, nothing per row.
    tab.resetCalls();
    await tab.go(`/ui/repository?name=${encodeURIComponent(BIG)}`);
    await tab.waitForText(bigTag(99));
    const loadMs = await tab.page.evaluate(() => Math.round(performance.now()));
    console.log(`web-ui: ${BIG} opened by its address: rows on screen ${loadMs} ms after navigation start; API calls: ${tab.calls.map((c) => `${c.method} ${c.path} ${c.status}`).join(', ')}`);
    expect(tab.calls.length).toBeLessThanOrEqual(3);

    const firstPage = rows.length;
    expect(firstPage).toBe(rendered.rows);
    tab.resetCalls();
    await (await buttonNamed(tab, 'Load more tags')).click();
    await tab.waitForText(bigTag(firstPage));
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.page.evaluate(() => document.querySelectorAll('table tbody tr')[100]?.scrollIntoView());
    await tab.shot('next-page');
    const more = await tableRows(tab);
    expect(more).toHaveLength(2 * firstPage);
    expect(more[firstPage]).toContain(bigTag(firstPage));
    expect(tab.calls.map((c) => `${c.method} ${new URL(c.path, base).pathname} ${c.status}`)).toEqual(['GET /ui/api/tags 200']);

    // A substring filter: "1.19" matches 1.1900 to 1.1999 (and no 1.0190: the dot is matched too).
    await search(tab, '1.19');
    await tab.shot('filtered');
    const filtered = (await tableRows(tab)).map((r) => r.split(' | ')[0]);
    expect(filtered).toEqual(Array.from({ length: 100 }, (_, i) => bigTag(1900 + i)));
    await search(tab, bigTag(1999));
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual([bigTag(1999)]);
  });

  test('(c) the index: 3 platforms listed and navigable, 2 referrers as a tree; an image shows env, labels, entrypoint and history', async () => {
    const tab = await open('c-index-and-image');
    await logIn(tab, VIEWER);
    await tab.go(`/ui/manifest?repository=team%2Fmulti&reference=v1`);
    await tab.waitForText('linux/s390x');
    await tab.shot('index', true);
    const text = await tab.text();
    for (const platform of INDEX_PLATFORMS) expect(text).toContain(platform);
    expect(text).toContain(SIGNATURE_TYPE);
    expect(text).toContain(SBOM_TYPE);
    expect(text).toContain('docker pull');
    // The referrers hang under the index: one list holding both, a link each to the artifact's manifest.
    const siblings = await tab.page.evaluate((sig: string, sbom: string) => {
      const item = (t: string) => [...document.querySelectorAll('li')].filter((li) => li.innerText.includes(t)).pop();
      const [a, b] = [item(sig), item(sbom)];
      return Boolean(a && b && a !== b && a.parentElement === b.parentElement && a.querySelector('a') && b.querySelector('a'));
    }, SIGNATURE_TYPE, SBOM_TYPE);
    expect(siblings).toBe(true);
    expect(text).toContain(index.signature.digest.slice(7, 19));
    expect(text).toContain(index.sbom.digest.slice(7, 19));
    expect(text).toContain('dev.cosignproject.cosign/signature');

    const arm = index.children.find((c) => c.platform === 'linux/arm64/v8')!;
    await (await linkNamed(tab, 'linux/arm64/v8')).click();
    await tab.waitForText(arm.digest.slice(7, 19));
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('platform-arm64');
    expect(await tab.text()).toContain('arm64');

    await tab.go(`/ui/manifest?repository=team%2Fapp&reference=1.0`);
    await tab.waitForText('APP_MODE=production');
    await tab.shot('image', true);
    const image = await tab.text();
    expect(image).toContain(plain.digest.slice(7, 19));
    for (const env of IMAGE_CONFIG.config.Env) expect(image).toContain(env);
    expect(image).toContain('org.opencontainers.image.source');
    expect(image).toContain('team-api');
    expect(image).toContain('/usr/local/bin/api-server');
    for (const step of IMAGE_CONFIG.history) expect(image).toContain(step.created_by);
  });

  test('(d) a user with delete deletes a tag, then a manifest, and /v2 agrees; a user without delete gets a clear 403', async () => {
    const viewer = await open('d-delete-refused');
    await logIn(viewer, VIEWER);
    await viewer.go('/ui/manifest?repository=team%2Ftrash&reference=a2');
    await viewer.waitForText(trash.a.digest);
    const offered = await viewer.page.$('::-p-aria([name="Delete tag"][role="button"])');
    if (offered) {
      // Offered anyway (the registry decides per repository): it must end in a clear refusal, nothing deleted.
      viewer.expect(refused(403));
      await offered.click();
      await (await viewer.page.waitForSelector('dialog[open] ::-p-aria([name="Delete tag"][role="button"])'))!.click();
      await viewer.waitForText('You may not delete in team/trash');
      await viewer.shot('viewer-refused');
    }
    expect(await tagsOf('team/trash')).toEqual(['a1', 'a2', 'b1']);

    const tab = await open('d-delete');
    await logIn(tab, EDITOR);
    await tab.go('/ui/manifest?repository=team%2Ftrash&reference=a2');
    await tab.waitForText(trash.a.digest);
    await (await buttonNamed(tab, 'Delete tag')).click();
    await tab.shot('confirm-tag');
    await (await tab.page.waitForSelector('dialog[open] ::-p-aria([name="Delete tag"][role="button"])'))!.click();
    await tab.page.waitForFunction(() => location.pathname === '/ui/repository', { polling: 50, timeout: 10_000 });
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('tag-deleted');
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual(['a1', 'b1']);
    expect(await tagsOf('team/trash')).toEqual(['a1', 'b1']);
    expect((await v2(`team/trash/manifests/${trash.a.digest}`, { method: 'HEAD' })).status).toBe(200);

    await (await linkNamed(tab, trash.b.digest.slice(0, 19))).click();
    await tab.waitForText(trash.b.digest);
    await (await buttonNamed(tab, 'Delete manifest')).click();
    await tab.shot('confirm-manifest');
    await (await tab.page.waitForSelector('dialog[open] ::-p-aria([name="Delete manifest"][role="button"])'))!.click();
    await tab.page.waitForFunction(() => location.pathname === '/ui/repository', { polling: 50, timeout: 10_000 });
    await tab.page.waitForNetworkIdle({ idleTime: 300 });
    await tab.shot('manifest-deleted');
    expect((await tableRows(tab)).map((r) => r.split(' | ')[0])).toEqual(['a1']);
    expect(await tagsOf('team/trash')).toEqual(['a1']);
    expect((await v2(`team/trash/manifests/${trash.b.digest}`, { method: 'HEAD' })).status).toBe(404);
  });

  test('(e) keyboard: Tab reaches the search box and then the first repository link, Enter opens it; the delete dialog opens on Cancel and closes with Escape', async () => {
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

    // The delete dialog from the keyboard: Cancel has the focus (a stray Enter deletes nothing), Escape closes it.
    await tab.go('/ui/manifest?repository=team%2Fapp&reference=1.0');
    await (await buttonNamed(tab, 'Delete tag')).focus();
    await tab.page.keyboard.press('Enter');
    await tab.page.waitForSelector('dialog[open]');
    await tab.shot('dialog-opened-with-enter');
    expect(await tab.page.evaluate(() => document.activeElement?.innerText.trim())).toBe('Cancel');
    await tab.page.keyboard.press('Escape');
    await tab.page.waitForFunction(() => !document.querySelector('dialog[open]'), { polling: 50, timeout: 5_000 });
    expect(await tagsOf('team/app')).toEqual(['1.0']);
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
      await tab.page.waitForNetworkIdle({ idleTime: 200 });
      await tab.shot('index', true);
    }
    expect(colours.dark).not.toEqual(colours.light);
    expect(luminance(colours.dark!)).toBeLessThan(luminance(colours.light!));
  });

  test('(h) administration: an admin sees users and grants and creates a robot, which logs in; a user sees no admin screen and the admin API refuses', async () => {
    const admin = await open('h-admin');
    await logIn(admin, ADMIN);
    await (await linkNamed(admin, 'Administration')).click();
    await admin.waitForText(VIEWER.user);
    await admin.page.waitForNetworkIdle({ idleTime: 300 });
    await admin.shot('users', true);
    const users = (await tableRows(admin)).map((r) => r.replace(/\s+/g, ' '));
    expect(users.find((r) => r.startsWith(VIEWER.user))).toMatch(/team\/\*.*pull/);
    expect(users.find((r) => r.startsWith(EDITOR.user))).toMatch(/team\/\*.*delete/);

    // Disabling a user who is logged in elsewhere logs them out at their next request.
    const editor = await open('h-disabled-user');
    await logIn(editor, EDITOR);
    await (await rowButton(admin, EDITOR.user, 'Disable')).click();
    await admin.page.waitForFunction((u: string) => [...document.querySelectorAll('tr')].some((tr) => tr.innerText.startsWith(u) && tr.innerText.includes('disabled')), { polling: 50, timeout: 10_000 }, EDITOR.user);
    await admin.shot('user-disabled');
    editor.expect(/status of 401 .*\/ui\/api\//);
    editor.expect(/status of 401 .*\/token/); // the UI tries its refresh token once, and is refused too
    await (await linkNamed(editor, 'team/app')).click();
    await editor.page.waitForSelector('::-p-aria(Password or robot secret)', { timeout: 10_000 });
    await editor.shot('logged-out-when-disabled');
    expect(await editor.text()).not.toContain('team/multi');

    await (await linkNamed(admin, 'Robots')).click();
    const form = (label: string) => admin.page.waitForSelector(`form ::-p-aria([name="${label}"][role="textbox"])`);
    await (await form('Name'))!.type('ui-robot');
    await (await form('Repository pattern'))!.type('team/*');
    await (await buttonNamed(admin, 'Create robot')).click();
    await admin.waitForText('Its secret is shown this once');
    await admin.shot('robot-created');
    const secret = await admin.page.$eval('.command code', (c: { textContent: string }) => c.textContent);
    expect(secret.length).toBeGreaterThanOrEqual(20);
    secrets.push(secret);

    const robot = await open('h-robot-login');
    await logIn(robot, { user: 'ui-robot', password: secret });
    await robot.waitForText('team/multi');
    await robot.shot('robot-repositories');
    expect(await robot.text()).not.toContain('other/secret');

    const user = await open('h-not-admin');
    await logIn(user, VIEWER);
    expect(await user.text()).not.toContain('Administration');
    await user.go('/ui/admin/users');
    await user.waitForText('Only administrators');
    await user.shot('not-admin');
    const token = await user.page.evaluate(() => JSON.parse(sessionStorage.getItem('stratus.tokens')).accessToken as string);
    const refusedUsers = await fetch(`${base}/ui/api/admin/users`, { headers: { authorization: `Bearer ${token}` } });
    expect(refusedUsers.status).toBe(403);
    expect(await refusedUsers.text()).not.toContain(EDITOR.user);
  });

  test('(i) the UI API is not for other origins: no CORS headers, even for a valid token; no cookies; no-store', async () => {
    const tab = await open('i-origin');
    await logIn(tab, VIEWER);
    const token = await tab.page.evaluate(() => JSON.parse(sessionStorage.getItem('stratus.tokens')).accessToken as string);
    const res = await fetch(`${base}/ui/api/repositories`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    const preflight = await fetch(`${base}/ui/api/repositories`, {
      method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    // A page on another origin (another port) really cannot read it: the browser blocks the answer.
    const other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    try {
      tab.expect(/blocked by CORS policy|request failed: (OPTIONS|GET) .*\/ui\/api\/repositories net::ERR_FAILED|Failed to load resource: net::ERR_FAILED/);
      await tab.page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const fromElsewhere = await tab.page.evaluate(async (url: string, t: string) => {
        try {
          const r = await fetch(url, { headers: { authorization: `Bearer ${t}` } });
          return `read ${r.status}`;
        } catch (err) {
          return `blocked: ${(err as Error).message}`;
        }
      }, `${base}/ui/api/repositories`, token);
      expect(fromElsewhere).toMatch(/^blocked/);
    } finally {
      other.close();
    }
  });

  test('(j) the registry\'s log holds no password, robot secret or token from the UI\'s logins', async () => {
    const log = readFileSync(registry.logFile!, 'utf8');
    expect(log).toMatch(/"path":"\/ui\/api\/tags"/); // the UI's calls are logged...
    for (const secret of secrets) expect(log).not.toContain(secret); // ...their credentials are not
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/); // no JWT (access or refresh token)
  });
});
