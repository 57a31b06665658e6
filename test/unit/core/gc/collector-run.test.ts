/** How a run ends and what it records: completed, incomplete at its deadline, failed (recorded, then thrown); one summary line. */
import { collectGarbage } from '../../../../lambda/core/gc';
import type { GcRunRecord, GcStore, RegistrySnapshot } from '../../../../lambda/ports/gc-store';
import type { Logger } from '../../../../lambda/shared/logger';
import { MemoryBlobStore } from '../../fakes/memory-blob-store';

const EMPTY: RegistrySnapshot = { repositories: [], blobs: [], uploadIds: [] };

/** A store that records runs and answers the snapshot it is given (no item is ever collected here). */
function storeAnswering(snapshot: () => Promise<RegistrySnapshot>) {
  const runs: GcRunRecord[] = [];
  const store = { snapshot, putRun: async (r: GcRunRecord) => void runs.push({ ...r }) } as unknown as GcStore;
  return { store, runs };
}

function recordingLogger() {
  const lines: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const logger: Logger = {
    info: (m, f) => void lines.push(['info', m, f]),
    warn: (m, f) => void lines.push(['warn', m, f]),
    error: (m, f) => void lines.push(['error', m, f]),
  };
  return { logger, lines };
}

test('a run records itself running, then completed, and logs one summary line', async () => {
  const { store, runs } = storeAnswering(async () => EMPTY);
  const { logger, lines } = recordingLogger();
  let clock = 1_000;

  const report = await collectGarbage({ gc: store, blobs: new MemoryBlobStore(), logger, now: () => (clock += 5) }, { graceMs: 0, dryRun: false, host: 'unit' });

  expect(runs.map((r) => r.status)).toEqual(['running', 'completed']);
  expect(report.run).toEqual(expect.objectContaining({ status: 'completed', host: 'unit', dryRun: false, startedAt: 1_005 }));
  expect(report.run.finishedAt).toBeGreaterThan(report.run.startedAt);
  expect(lines).toEqual([['info', 'gc finished', expect.objectContaining({
    runId: report.run.runId, manifests: 0, links: 0, blobs: 0, objects: 0, bytesFreed: 0, dryRun: false, durationMs: expect.any(Number),
  })]]);
});

test('a run past its deadline stops between steps and is recorded incomplete', async () => {
  const { store, runs } = storeAnswering(async () => EMPTY);
  const { logger } = recordingLogger();

  const report = await collectGarbage({ gc: store, blobs: new MemoryBlobStore(), logger, now: () => 2_000 }, { graceMs: 0, dryRun: false, host: 'unit', deadline: 2_000 });

  expect(report.run.status).toBe('incomplete');
  expect(runs.at(-1)!.status).toBe('incomplete');
});

test('a run whose backend fails is recorded failed with the error, then throws', async () => {
  const { store, runs } = storeAnswering(async () => {
    throw new Error('DynamoDB unavailable');
  });
  const { logger, lines } = recordingLogger();

  await expect(collectGarbage({ gc: store, blobs: new MemoryBlobStore(), logger, now: Date.now }, { graceMs: 0, dryRun: true, host: 'unit' }))
    .rejects.toThrow(/failed: DynamoDB unavailable/);

  expect(runs.at(-1)).toEqual(expect.objectContaining({ status: 'failed', error: 'DynamoDB unavailable', dryRun: true }));
  expect(lines.map(([level, message]) => [level, message])).toEqual([['error', 'gc failed']]);
});
