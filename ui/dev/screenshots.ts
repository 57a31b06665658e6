/**
 * Screenshots of the UI while working on it: `tsx ui/dev/screenshots.ts <base url> <out dir> [theme]`,
 * with Debian's chromium; a fourth argument `user:password` logs in first; SHOT_PAGES="name=/path,..."
 * replaces the mock's pages. Prints every console error and failed request (the UI must have none).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';

const [base = 'http://127.0.0.1:5099', out = '/tmp/stratus-ui-shots', theme = 'light', login = ''] = process.argv.slice(2);
const MOCK_PAGES: Array<[string, string]> = [
  ['repositories', '/'],
  ['tags', '/ui/repository?name=team/app'],
  ['image', '/ui/manifest?repository=team/app&reference=v1.000.1'],
  ['index', '/ui/manifest?repository=multi/arch&reference=latest'],
  ['admin-users', '/ui/admin/users'],
  ['admin-robots', '/ui/admin/robots'],
  ['admin-gc', '/ui/admin/gc'],
  ['admin-policies', '/ui/admin/policies'],
];
const PAGES: Array<[string, string]> = process.env.SHOT_PAGES
  ? process.env.SHOT_PAGES.split(',').map((entry): [string, string] => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])
  : MOCK_PAGES;

async function main() {
  mkdirSync(out, { recursive: true });
  const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1360, height: 900 });
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: theme }]);
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') console.log(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => console.log(`page error: ${String(e)}`));
  page.on('requestfailed', (r) => console.log(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) console.log(`HTTP ${r.status()} ${r.url()}`); });
  if (login) {
    const [user, password] = login.split(':');
    await page.goto(`${base}/ui/login`, { waitUntil: 'networkidle0' });
    await page.type('input[name=username]', user!);
    await page.type('input[name=password]', password!);
    await page.click('button[type=submit]');
    await page.waitForFunction(() => !window.location.pathname.startsWith('/ui/login'), { timeout: 30_000 });
    await page.waitForNetworkIdle({ idleTime: 200 });
    await page.screenshot({ path: join(out, `${theme}-after-login.png`) });
  }
  for (const [name, path] of PAGES) {
    await page.goto(`${base}${path}`, { waitUntil: 'networkidle0' });
    await page.screenshot({ path: join(out, `${theme}-${name}.png`), fullPage: name !== 'tags' });
  }
  await browser.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
