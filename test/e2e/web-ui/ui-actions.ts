/**
 * What a person does on the web UI, in one place: the tests name screens by their roles, labels and visible
 * text (what a user and a screen reader see), so a change of markup touches only this file.
 */
import type { ElementHandle } from 'puppeteer-core';
import type { UiTab } from './browser';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const HTMLElement: any, location: any;


/** A user of the registry. */
export interface Login { user: string; password: string }

/** The administrator each test registry starts with (STRATUS_ADMIN_USER, STRATUS_ADMIN_PASSWORD). */
export const ADMIN: Login = { user: 'admin', password: 'admin-Secret-1' };

/** Basic credentials for the /v2 API (fixtures and checks outside the browser). */
export const basic = (who: Login): string => `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`;

/** Fills the login form and submits it (it must be on screen). */
export async function submitLogin(tab: UiTab, who: Login): Promise<void> {
  const { page } = tab;
  const name = await page.waitForSelector('::-p-aria([name="User or robot name"][role="textbox"])', { timeout: 10_000 });
  await name!.click({ count: 3 });
  await name!.type(who.user);
  const password = await page.waitForSelector('::-p-aria(Password or robot secret)');
  await password!.click({ count: 3 });
  await password!.type(who.password);
  await (await page.waitForSelector('form ::-p-aria([name="Log in"][role="button"])'))!.click();
}

/** Opens the UI and logs in; resolves once the repositories are listed. */
export async function logIn(tab: UiTab, who: Login): Promise<void> {
  await tab.go('/ui/login');
  await submitLogin(tab, who);
  await tab.waitForText('Repositories');
  await tab.page.waitForNetworkIdle({ idleTime: 200 });
}

/** Logs out with the UI's button. */
export async function logOut(tab: UiTab): Promise<void> {
  await (await tab.page.waitForSelector('::-p-aria([name="Log out"][role="button"])'))!.click();
}

/** The link whose visible text is exactly `text`. */
export async function linkNamed(tab: UiTab, text: string, timeout = 10_000): Promise<ElementHandle> {
  const handle = await tab.page.waitForFunction((t: string) => [...document.querySelectorAll('a')].find((a) => a.textContent?.trim() === t), { timeout, polling: 50 }, text);
  return handle as unknown as ElementHandle;
}

/** The button whose accessible name is `name`, within `scope` when given. */
export async function buttonNamed(tab: UiTab, name: string, timeout = 10_000): Promise<ElementHandle> {
  return (await tab.page.waitForSelector(`::-p-aria([name="${name}"][role="button"])`, { timeout }))!;
}

/** The search box of the current screen. */
export async function searchBox(tab: UiTab): Promise<ElementHandle> {
  return (await tab.page.waitForSelector('input[type="search"]', { timeout: 10_000 }))!;
}

/**
 * Types into the current screen's search box (replacing what it held) at full speed, as a fast typist or a
 * paste does, and waits until the URL carries it (the UI asks after a short pause) and the answer is in.
 */
export async function search(tab: UiTab, text: string): Promise<void> {
  const box = await searchBox(tab);
  await box.click({ count: 3 });
  await tab.page.keyboard.press('Backspace');
  await box.type(text);
  await tab.page.waitForFunction((t: string) => new URLSearchParams(location.search).get('q') === (t.trim() || null), { timeout: 10_000, polling: 50 }, text);
  await tab.page.waitForNetworkIdle({ idleTime: 400 });
  const shown = await box.evaluate((b: { value: string }) => b.value);
  if (shown !== text) throw new Error(`typed "${text}" into the search box, it shows "${shown}"`);
}

/** The text of each row of the first table body on screen, cells joined by " | ". */
export function tableRows(tab: UiTab): Promise<string[]> {
  return tab.page.evaluate(() => [...document.querySelectorAll('table tbody tr')]
    .map((tr) => [...tr.querySelectorAll('th,td')].map((c) => (c).innerText.trim()).join(' | ')));
}

/** The button named `name` in the table row that contains `text`. */
export async function rowButton(tab: UiTab, text: string, name: string): Promise<ElementHandle> {
  const rows = await tab.page.$$('table tbody tr');
  for (const row of rows) {
    if (!(await row.evaluate((r, t) => (r).innerText.split(/\s+/).includes(t), text))) continue;
    const button = await row.$(`::-p-aria([name="${name}"][role="button"])`) ?? await row.$(`button[aria-label^="${name}"]`);
    if (button) return button;
  }
  throw new Error(`no "${name}" button in a row with ${text}`);
}
