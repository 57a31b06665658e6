/** What `npx stratus gc` prints, from a collector report: the grace it reads, the summary line, the history rows. */
import { formatDuration, historyRows, parseGrace, summaryLine } from '../../../cli/gc-report';
import type { GcReport } from '../../../lambda/core/gc';
import type { GcRunRecord } from '../../../lambda/ports/gc-store';

const run = (over: Partial<GcRunRecord> = {}): GcRunRecord => ({
  runId: '7f3c', startedAt: Date.UTC(2026, 11, 3, 12), finishedAt: Date.UTC(2026, 11, 3, 12) + 2100, dryRun: false, graceMs: 86_400_000,
  status: 'completed', host: 'cli@box', manifestsDeleted: 12, linksDeleted: 30, blobsDeleted: 25, objectsDeleted: 3, bytesFreed: 412_500_000, ...over,
});

describe('--grace', () => {
  it.each([['0s', 0], ['90s', 90_000], ['30m', 1_800_000], ['1h', 3_600_000], ['24h', 86_400_000], ['7d', 604_800_000], ['1.5h', 5_400_000]])('%s is %d ms', (text, ms) => {
    expect(parseGrace(text)).toBe(ms);
  });

  it.each(['', '5x', '-1h', '1 h', 'h'])('"%s" is a usage error saying what to write', (text) => {
    expect(() => parseGrace(text)).toThrow(`invalid --grace "${text}": use a duration such as 30m, 1h, 7d (0s: no grace)`);
  });

  it('prints as written: 24h stays 24h, a week is 7d', () => {
    expect([0, 1_800_000, 86_400_000, 604_800_000, 1500].map(formatDuration)).toEqual(['0s', '30m', '24h', '7d', '1.5 s']);
  });
});

describe('the summary line', () => {
  it('a run counts what it deleted from its record', () => {
    const report: GcReport = { run: run(), plan: [] };
    expect(summaryLine(report)).toBe('gc: 12 manifests, 30 links, 25 blobs, 3 objects, 412.5 MB freed in 2.1 s (run 7f3c)');
  });

  it('a dry run counts its plan; a run stopped at its deadline says the next run goes on', () => {
    const plan: GcReport['plan'] = [
      { kind: 'manifest', repository: 'app', digest: 'sha256:m', bytes: 500, reason: 'untagged', done: false },
      { kind: 'link', repository: 'app', digest: 'sha256:b', bytes: 0, reason: 'no live manifest names it', done: false },
      { kind: 'blob', digest: 'sha256:b', key: 'blobs/u1', bytes: 1_499_500, reason: 'no repository links it', done: false },
    ];
    expect(summaryLine({ run: run({ dryRun: true }), plan })).toBe('gc (dry run): 1 manifests, 1 links, 1 blobs, 0 objects, 1.5 MB would be freed in 2.1 s (run 7f3c)');
    expect(summaryLine({ run: run({ status: 'incomplete' }), plan: [] })).toMatch(/\(run 7f3c\); stopped at its deadline, the next run goes on$/);
  });
});

it('gc history: one aligned row per run, dry runs and unfinished runs marked', () => {
  const rows = historyRows([run(), run({ runId: 'd1', dryRun: true }), run({ runId: 'r0', status: 'running', finishedAt: undefined })]);
  expect(rows[0]).toMatch(/^STARTED {2,}HOST {2,}STATUS {2,}MANIFESTS {2}LINKS {2}BLOBS {2}OBJECTS {2}FREED {2,}DURATION {2}RUN$/);
  expect(rows[1]).toMatch(/^2026-12-03T12:00:00.000Z {2}cli@box {2}completed {2,}12 {2,}30 {2,}25 {2,}3 {2,}412.5 MB {2}2.1 s {2,}7f3c$/);
  expect(rows[2]).toContain('completed (dry run)');
  expect(rows[3]).toMatch(/running .* - {2,}r0$/);
});
