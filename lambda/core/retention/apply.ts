import type { ImageDecision } from './evaluate';
import { imagesOf } from './images';
import { planRetention, RepositoryPlan, RetentionDeps, RetentionPlan } from './plan';

/**
 * What became of one planned image: deleted ('expired'), left because its tags changed or it became part
 * of an index since the plan ('skipped'), already deleted by someone else ('gone'), or a backend fault ('failed').
 */
export type ExpiryOutcome = 'expired' | 'skipped' | 'gone' | 'failed';

export interface ExpiryResult {
  repository: string;
  decision: ImageDecision;
  outcome: ExpiryOutcome;
  /** Why it was skipped or failed. */
  detail?: string;
}

export interface ApplyOptions {
  now: number;
  /** Plan only: nothing is deleted. */
  dryRun: boolean;
  /** Only these repositories (default: every repository a policy covers). */
  repositories?: string[];
  /** Told of each repository of the plan, in order, before its images are expired (the CLI prints its header). */
  onRepository?(repo: RepositoryPlan): void;
  /** Told of each image as it is done (the CLI prints its line). */
  onResult?(result: ExpiryResult): void;
}

export interface RetentionReport {
  plan: RetentionPlan;
  /** In plan order; empty on a dry run. */
  results: ExpiryResult[];
}

/**
 * Plans (planRetention) and, unless dryRun, carries the plan out: each expired image's manifest is deleted
 * with the tags pointing at it (ManifestStore.deleteManifest). Each repository is read again just before:
 * an image whose tags changed since the plan, or that an index now names, is skipped. The garbage collector
 * then reclaims what the deleted manifests named.
 */
export async function applyRetention(deps: RetentionDeps, opts: ApplyOptions): Promise<RetentionReport> {
  const plan = await planRetention(deps, { now: opts.now, repositories: opts.repositories });
  const results: ExpiryResult[] = [];
  if (opts.dryRun) return { plan, results };
  for (const repo of plan.repositories) {
    opts.onRepository?.(repo);
    if (repo.expire.length === 0) continue;
    const current = new Map(imagesOf(await deps.gc.readRepository(repo.repository)).images.map((img) => [img.digest, img]));
    for (const decision of repo.expire) {
      const result = await expireOne(deps, repo.repository, decision, current.get(decision.image.digest)?.tags);
      results.push(result);
      opts.onResult?.(result);
    }
  }
  return { plan, results };
}

async function expireOne(deps: RetentionDeps, repository: string, decision: ImageDecision, tagsNow: string[] | undefined): Promise<ExpiryResult> {
  const planned = decision.image.tags;
  if (tagsNow === undefined) {
    return { repository, decision, outcome: 'skipped', detail: 'no longer an image of its own (deleted, or named by an index or as a subject since the plan)' };
  }
  if (tagsNow.join(',') !== planned.join(',')) {
    return { repository, decision, outcome: 'skipped', detail: `tags changed since the plan: now ${tagsNow.length ? tagsNow.join(',') : '<untagged>'}` };
  }
  try {
    const deleted = await deps.manifests.deleteManifest(repository, decision.image.digest);
    return { repository, decision, outcome: deleted ? 'expired' : 'gone' };
  } catch (err) {
    return { repository, decision, outcome: 'failed', detail: String(err) };
  }
}
