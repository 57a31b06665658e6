import { join } from 'node:path';
import type { Logger } from '../lambda/shared/logger';
import { removeUnfinishedWrites } from './data-dir';
import type { LockHolder } from './data-dir-lock';
import { removeEndpoints } from './endpoints-file';
import { findStaleBackends, stopStaleBackends } from './stale-backends';

/**
 * Clears what a killed `npm start` (or CLI command) left on its data directory, once its stale lock has
 * been taken over: the endpoints it published (they name ports nobody serves now), backends still
 * running on the files, and the local S3's temporary files of writes cut off mid-way. DynamoDB Local's
 * SQLite database is left alone: SQLite rolls back an unfinished transaction from its journal itself on
 * the next open, and removing the journal would be what corrupts it.
 */
export async function recoverFromUncleanStop(dataDir: string, stale: LockHolder, logger: Logger): Promise<void> {
  removeEndpoints(dataDir);
  const orphans = findStaleBackends(dataDir);
  await stopStaleBackends(orphans);
  const unfinished = removeUnfinishedWrites(join(dataDir, 's3'));
  logger.warn('the previous run on this data directory did not stop cleanly; recovered', {
    previous: `${stale.role} (pid ${stale.pid}, since ${stale.startedAt})`,
    stoppedLeftoverBackends: orphans.length,
    removedUnfinishedWrites: unfinished,
  });
}
