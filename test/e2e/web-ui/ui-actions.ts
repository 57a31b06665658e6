/**
 * What a person does on the web UI, in one place: the tests name screens by their roles, labels and visible
 * text (what a user and a screen reader see), so a change of markup touches only this file.
 */
import type { ElementHandle } from 'puppeteer-core';
import type { UiTab } from './browser';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const HTMLElement: any;


/** A user of the registry. */
export interface Login { user: string; password: string }

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

/** Types into the current screen's search box (replacing what it held) and waits for the answer. */
export async function search(tab: UiTab, text: string): Promise<void> {
  const box = await searchBox(tab);
  await box.click({ count: 3 });
  await tab.page.keyboard.press('Backspace');
  await box.type(text, { delay: 40 }); // a fast typist
  await tab.page.waitForNetworkIdle({ idleTime: 400 });
  const shown = await box.evaluate((b: { value: string }) => b.value);
  if (shown !== text) throw new Error(`typed "${text}" into the search box, it shows "${shown}"`);
}

/** The text of each row of the first table body on screen, cells joined by " | ". */
export function tableRows(tab: UiTab): Promise<string[]> {
  return tab.page.evaluate(() => [...document.querySelectorAll('table tbody tr')]
    .map((tr) => [...tr.querySelectorAll('th,td')].map((c) => (c).innerText.trim()).join(' | ')));
}
