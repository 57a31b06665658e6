/**
 * What the web UI tests measure in the page: when a table row appears against the resource timing of the
 * API call that brought it (both on the page's clock), and how light a colour is (for the themes).
 */
import type { UiTab } from './browser';

// The page's globals, for the functions that run in the browser (the project's types have no DOM library).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any, window: any, requestAnimationFrame: any;
declare type PerformanceResourceTiming = { responseEnd: number };

/**
 * Starts watching for the row of `firstTag` (call before the click that loads it): a requestAnimationFrame
 * loop in the page notes when the row is on screen. renderTime() then reads it against the resource
 * timing entry of the /ui/api/tags call (its responseEnd): both on the page's clock.
 */
export async function watchForRow(tab: UiTab, firstTag: string): Promise<void> {
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
export async function renderTime(tab: UiTab): Promise<{ renderMs: number; sinceClickMs: number; rows: number }> {
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

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
export function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
  return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
}
