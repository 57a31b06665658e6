/**
 * Debian's Chromium, headless, driven by puppeteer-core (as test/e2e/browser.test.ts launches it), with
 * what the web UI tests watch on every page: JavaScript errors and console errors (each one fails the test
 * unless the test expected it), the requests to /ui/api/, and screenshots into a folder per test.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import puppeteer, { Browser, HTTPRequest, Page } from 'puppeteer-core';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
declare const document: { body: { innerText: string } };

const ROOT = resolve(__dirname, '../../..');
/** Where the web UI tests leave their screenshots (git-ignored): one folder per test. */
export const SCREENSHOTS = join(ROOT, '.stratus', 'test-results', 'web-ui');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts the browser; one per test file. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** One API call the page made. */
export interface ApiCall { method: string; path: string; status?: number }

/** A tab on the UI, with what it saw. */
export class UiTab {
  /** Page errors and console errors not expected by the test. */
  readonly problems: string[] = [];
  /** Every request to /ui/api/ since the last resetCalls(). */
  calls: ApiCall[] = [];
  private readonly expected: RegExp[] = [];
  private shots = 0;

  private constructor(readonly page: Page, readonly base: string, private readonly folder: string) {
    page.on('pageerror', (err) => this.problems.push(`page error: ${(err as Error).message ?? err}`));
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const text = `console.error: ${m.text()} (${m.location().url ?? ''})`;
      if (!this.expected.some((e) => e.test(text))) this.problems.push(text);
    });
    page.on('requestfailed', (r) => {
      const text = `request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`;
      // A navigation away cancels what the last page still had in flight: not the UI's fault.
      if (r.failure()?.errorText !== 'net::ERR_ABORTED' && !this.expected.some((e) => e.test(text))) this.problems.push(text);
    });
    page.on('request', (r: HTTPRequest) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/ui/api/')) this.calls.push({ method: r.method(), path: url.pathname + url.search });
    });
    page.on('response', (r) => {
      const url = new URL(r.url());
      const call = [...this.calls].reverse().find((c) => c.path === url.pathname + url.search && c.status === undefined);
      if (call) call.status = r.status();
    });
  }

  /** A new tab on `base` (the registry's origin), screenshots into SCREENSHOTS/<test>/. */
  static async open(browser: Browser, base: string, test: string, viewport = { width: 1280, height: 800 }): Promise<UiTab> {
    const folder = join(SCREENSHOTS, test.replace(/[^a-z0-9-]+/gi, '-').toLowerCase());
    rmSync(folder, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(folder, { recursive: true });
    const page = await (await browser.createBrowserContext()).newPage();
    await page.setViewport(viewport);
    return new UiTab(page, base, folder);
  }

  /** Console errors and failed requests matching `pattern` are expected from now on (e.g. Chromium's line for a 401 the test provokes). */
  expect(pattern: RegExp): void {
    this.expected.push(pattern);
  }

  resetCalls(): void {
    this.calls = [];
  }

  /** Navigates to a path of the UI and waits for the network to settle. */
  async go(path: string): Promise<void> {
    await this.page.goto(new URL(path, this.base).toString(), { waitUntil: 'networkidle0' });
  }

  /** A numbered screenshot of the viewport (or the whole page); returns its path. */
  async shot(name: string, fullPage = false): Promise<string> {
    const path = join(this.folder, `${String(++this.shots).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path, fullPage });
    return path;
  }

  /** The page's visible text. */
  text(): Promise<string> {
    return this.page.evaluate(() => document.body.innerText);
  }

  /** Waits until the page's visible text contains `text`. */
  async waitForText(text: string, timeout = 10_000): Promise<void> {
    try {
      await this.page.waitForFunction((t: string) => document.body.innerText.includes(t), { timeout, polling: 50 }, text);
    } catch (err) {
      throw new Error(`"${text}" did not appear: ${(err as Error).message}\npage text:\n${(await this.text()).slice(0, 2000)}\nproblems: ${this.problems.join('\n')}`);
    }
  }

  async close(): Promise<void> {
    await this.page.browserContext().close();
  }
}
