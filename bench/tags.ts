/**
 * `npm run bench:tags [-- --runs=N]`: complete tags lists of a 1,000-tag and a 10,000-tag repository on a
 * fresh Stratus (`npm start`, DynamoDB Local), unpaginated and following `Link` pages of n=1000, and the
 * catalog beside them. The focused measure behind issue 17's listing targets; `npm run bench` measures the
 * 1,000-tag case against distribution. Only 127.0.0.1 is contacted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanups, startStratus } from './contenders';
import { listAll, setUpTags } from './listings';
import { median, round } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const RUNS = Number(/^--runs=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--runs=')) ?? '')?.[1] ?? 15);

/** Milliseconds per complete listing of `path` (median and spread over RUNS after a warm-up), checking the count. */
async function timeListing(base: string, path: string, field: 'tags' | 'repositories', expected?: number): Promise<string> {
  await listAll(base, path, field);
  const ms: number[] = [];
  let pages = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const out = await listAll(base, path, field);
    ms.push(performance.now() - t0);
    pages = out.pages;
    if (expected !== undefined && out.entries.length !== expected) throw new Error(`${path}: ${out.entries.length} entries, expected ${expected}`);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return `${round(median(ms), 2)} ms (min ${round(sorted[0]!, 2)}, max ${round(sorted[sorted.length - 1]!, 2)}), ${pages} page(s)`;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'stratus-bench-tags-'));
  try {
    const reg = await startStratus(5900 + Math.floor(Math.random() * 90), work);
    const small = await setUpTags(reg.base, 'bench/tags1k', 1000);
    const large = await setUpTags(reg.base, 'bench/tags10k', 10000);
    process.stdout.write(`set-up: 1,000 tags in ${small} s, 10,000 tags in ${large} s; ${RUNS} runs per figure\n`);
    const lines: Array<[string, string, 'tags' | 'repositories', number | undefined]> = [
      ['1,000 tags, one request', '/v2/bench/tags1k/tags/list', 'tags', 1000],
      ['1,000 tags, n=100 pages', '/v2/bench/tags1k/tags/list?n=100', 'tags', 1000],
      ['10,000 tags, one request', '/v2/bench/tags10k/tags/list', 'tags', 10000],
      ['10,000 tags, n=1000 pages', '/v2/bench/tags10k/tags/list?n=1000', 'tags', 10000],
      ['catalog', '/v2/_catalog', 'repositories', undefined],
    ];
    for (const [label, path, field, expected] of lines) {
      process.stdout.write(`${label.padEnd(28)} ${await timeListing(reg.base, path, field, expected)}\n`);
    }
  } finally {
    for (const stop of cleanups.splice(0)) await stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
