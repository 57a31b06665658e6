import type { RegistryDeps } from '../core/config';
import type { Logger } from '../shared/logger';
import { UploadService } from '../core/uploads/upload-service';

/** Default period of the Node host's sweep of expired upload sessions (STRATUS_UPLOAD_SWEEP_SECONDS). */
export const DEFAULT_UPLOAD_SWEEP_SECONDS = 900;

/**
 * One sweep of expired upload sessions (their multipart uploads aborted, their leftovers under
 * `uploads/<id>/` deleted: core/storage-layout.ts), logged with its counts. What the scheduled Lambda runs,
 * and the Node host every few minutes.
 */
export async function sweepExpiredUploads(deps: RegistryDeps, logger: Logger): Promise<{ swept: number; failed: number }> {
  const started = performance.now();
  const counts = await new UploadService(deps).sweepExpired();
  logger.info('swept expired uploads', { ...counts, durationMs: Math.round(performance.now() - started) });
  return counts;
}

/**
 * Sweeps every `intervalSeconds` (0: never) until the returned stop function is called. The timer does not
 * keep the process alive, and a failed sweep (backend down) is logged and retried at the next tick.
 */
export function startUploadSweeper(deps: RegistryDeps, logger: Logger, intervalSeconds: number): () => void {
  if (intervalSeconds <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredUploads(deps, logger)
      .catch((err) => logger.warn('upload sweep failed', { error: String(err) }))
      .finally(() => { running = false; });
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
