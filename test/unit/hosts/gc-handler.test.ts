/**
 * The scheduled lifecycle Lambda (lambda/hosts/lambda/gc.ts): retention, then the collector with a deadline
 * a margin before the invocation's end; an incomplete run returns, a failed one (or a failed retention) throws.
 * The collector and retention are replaced here: what is under test is the handler's choices.
 */
import type { GcOptions, GcReport } from '../../../lambda/core/gc';
import type { GcRunRecord } from '../../../lambda/ports/gc-store';

const collectGarbage = jest.fn<Promise<GcReport>, [unknown, GcOptions]>();
const applyRetention = jest.fn<Promise<{ plan: unknown; results: unknown[] }>, unknown[]>();
jest.mock('../../../lambda/core/gc', () => ({ collectGarbage: (...args: [unknown, GcOptions]) => collectGarbage(...args) }));
jest.mock('../../../lambda/core/retention', () => ({ applyRetention: (...args: unknown[]) => applyRetention(...args) }));

import { DEADLINE_MARGIN_MS, handler } from '../../../lambda/hosts/lambda/gc';

const record = (status: GcRunRecord['status']): GcRunRecord => ({
  runId: 'r1', startedAt: 1, finishedAt: 2, dryRun: false, graceMs: 86_400_000, status, host: 'lambda',
  manifestsDeleted: 0, linksDeleted: 0, blobsDeleted: 0, objectsDeleted: 0, bytesFreed: 0, error: status === 'failed' ? 'boom' : undefined,
});
const context = { getRemainingTimeInMillis: () => 900_000 };

beforeEach(() => {
  collectGarbage.mockReset();
  applyRetention.mockReset().mockResolvedValue({ plan: {}, results: [] });
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.env.STRATUS_GC_GRACE_SECONDS = '7200';
});

afterEach(() => jest.restoreAllMocks());

test('retention runs first, then the collector with the grace from STRATUS_GC_GRACE_SECONDS and a deadline a minute before the timeout', async () => {
  collectGarbage.mockResolvedValue({ run: record('completed'), plan: [] });
  const before = Date.now();
  await expect(handler({}, context)).resolves.toMatchObject({ status: 'completed' });
  expect(applyRetention).toHaveBeenCalledWith(expect.anything(), expect.objectContaining({ dryRun: false }));
  expect(applyRetention.mock.invocationCallOrder[0]).toBeLessThan(collectGarbage.mock.invocationCallOrder[0]);
  const opts = collectGarbage.mock.calls[0][1];
  expect(opts).toMatchObject({ graceMs: 7_200_000, dryRun: false, host: expect.stringMatching(/^lambda:/) });
  expect(opts.deadline).toBeGreaterThanOrEqual(before + 900_000 - DEADLINE_MARGIN_MS);
  expect(opts.deadline).toBeLessThanOrEqual(Date.now() + 900_000 - DEADLINE_MARGIN_MS);
});

test('a run stopped at its deadline returns normally (the next scheduled run goes on)', async () => {
  collectGarbage.mockResolvedValue({ run: record('incomplete'), plan: [] });
  await expect(handler({}, context)).resolves.toMatchObject({ status: 'incomplete' });
});

test('a failed run (the collector records it and throws) fails the invocation', async () => {
  collectGarbage.mockRejectedValue(new Error('gc run r1 failed: boom'));
  await expect(handler({}, context)).rejects.toThrow('gc run r1 failed: boom');
});

test('a failed retention still lets the collector run, then the invocation fails', async () => {
  applyRetention.mockRejectedValue(new Error('policy store down'));
  collectGarbage.mockResolvedValue({ run: record('completed'), plan: [] });
  await expect(handler({}, context)).rejects.toThrow('policy store down');
  expect(collectGarbage).toHaveBeenCalledTimes(1);
});
