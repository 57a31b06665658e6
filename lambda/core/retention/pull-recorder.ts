import type { ManifestStore } from '../../ports/manifest-store';
import type { Logger } from '../../shared/logger';

/** How often a manifest's lastPulledAt is written at most (per process, and about that across processes). */
export const PULL_RECORD_PERIOD_MS = 3_600_000;
/** Manifests remembered per process; past this the oldest are forgotten (they may be written once more). */
const MAX_REMEMBERED = 10_000;

/** Runs work the answer does not wait for; the host decides when (see RegistryDeps.background). */
export type Background = (task: () => Promise<void>) => void;

/**
 * Records when manifests are pulled (what `sinceImagePulled` and keep rules read), at most once per manifest
 * per hour: a per-process map of when each was last recorded, then a write conditional in DynamoDB
 * (recordPull with notSince = now - 1 h), so that many processes still write about once an hour. The write
 * is never on the pull's path: it is handed to `background`, and a failure is a warning.
 */
export class PullRecorder {
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly store: Pick<ManifestStore, 'recordPull'>,
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly background: Background,
    private readonly periodMs = PULL_RECORD_PERIOD_MS,
  ) {}

  /** A GET of this manifest was answered. */
  pulled(repository: string, digest: string): void {
    const key = `${repository}@${digest}`;
    const at = this.now();
    const last = this.recorded.get(key);
    if (last !== undefined && at - last <= this.periodMs) return; // as recordPull: written when more than a period old
    this.remember(key, at);
    this.background(async () => {
      try {
        await this.store.recordPull(repository, digest, at, at - this.periodMs);
      } catch (err) {
        if (this.recorded.get(key) === at) this.recorded.delete(key); // the next pull tries again
        this.logger.warn('could not record a pull time', { repository, digest, error: String(err) });
      }
    });
  }

  private remember(key: string, at: number): void {
    this.recorded.delete(key); // re-inserted last: the map stays in order of recording
    this.recorded.set(key, at);
    if (this.recorded.size > MAX_REMEMBERED) this.recorded.delete(this.recorded.keys().next().value!);
  }
}

/** Starts the task once the current request's work has been handed back (hosts without a hook of their own). */
export const afterCurrentTask: Background = (task) => {
  setTimeout(() => void task(), 0);
};

const recorders = new WeakMap<object, PullRecorder>();

/** The registry's one recorder (its map must outlive requests): built on first use, per RegistryDeps. */
export function pullRecorderOf(deps: {
  meta: Pick<ManifestStore, 'recordPull'>; logger: Logger; now: () => number; background?: Background;
}): PullRecorder {
  let recorder = recorders.get(deps);
  if (!recorder) {
    recorder = new PullRecorder(deps.meta, deps.logger, deps.now, deps.background ?? afterCurrentTask);
    recorders.set(deps, recorder);
  }
  return recorder;
}
