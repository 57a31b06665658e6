/**
 * The scheduled function (lib/upload-sweeper.ts, hourly) that removes expired upload sessions with their
 * S3 multipart uploads and leftovers (core/storage-layout.ts): DynamoDB's TTL deletes the session items,
 * but not their bytes.
 */
import type { RegistryDeps } from '../../core/config';
import { jsonLogger } from '../../shared/logger';
import { buildDeps, settingsFromEnv } from '../settings';
import { sweepExpiredUploads } from '../upload-sweeper';

const logger = jsonLogger({ service: 'stratus-upload-sweeper' });
let deps: RegistryDeps | undefined;

/** Sweeps once; throws (so the invocation counts as an error) only when the sweep itself could not run. */
export async function handler(): Promise<{ swept: number; failed: number }> {
  // Auth is irrelevant to sweeping: built without it, so no signing keys are read.
  deps ??= buildDeps({ ...settingsFromEnv(process.env), auth: undefined }, logger);
  return sweepExpiredUploads(deps, logger);
}
