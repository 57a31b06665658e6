import type { Catalog } from '../../ports/catalog';
import type { GcStore } from '../../ports/gc-store';
import type { ManifestStore } from '../../ports/manifest-store';
import type { PolicyStore, RetentionPolicy } from '../../ports/policy-store';
import { immutabilityRuleFor, tagIsImmutable } from '../policies/immutability';
import { mostSpecific } from '../policies/repository-pattern';
import { evaluateRetention, ImageDecision } from './evaluate';
import { imagesOf } from './images';
import { LifecyclePolicyError, parseLifecyclePolicy } from './parse-policy';
import type { LifecyclePolicy } from './policy';

/** What retention reads and deletes (DynamoDB adapters in production). */
export interface RetentionDeps {
  policies: Pick<PolicyStore, 'listRetention' | 'listImmutability'>;
  gc: Pick<GcStore, 'readRepository'>;
  manifests: Pick<ManifestStore, 'deleteManifest'>;
  catalog: Pick<Catalog, 'listRepositories'>;
}

/** One repository's part of a plan. */
export interface RepositoryPlan {
  repository: string;
  /** The pattern of the policy that covers it (the most specific one). */
  pattern: string;
  expire: ImageDecision[];
  kept: ImageDecision[];
  /** Set when the stored policy no longer parses: nothing of this repository is expired. */
  invalidPolicy?: string;
}

/** What a retention run would do, repository by repository (only repositories a policy covers). */
export interface RetentionPlan {
  now: number;
  repositories: RepositoryPlan[];
}

export interface PlanOptions {
  now: number;
  /** Only these repositories (default: every repository in the catalog). */
  repositories?: string[];
}

const CATALOG_PAGE = 1000;

/**
 * Reads the policies, then each covered repository (strongly consistent), and evaluates: the one plan that
 * `retention preview` prints and `retention apply` carries out.
 */
export async function planRetention(deps: RetentionDeps, opts: PlanOptions): Promise<RetentionPlan> {
  const stored = await deps.policies.listRetention();
  if (stored.length === 0) return { now: opts.now, repositories: [] };
  const immutability = await deps.policies.listImmutability();
  const parsed = new Map(stored.map((p) => [p.pattern, parseStored(p)]));
  const names = opts.repositories ?? (await allRepositories(deps.catalog));
  const plans: RepositoryPlan[] = [];
  for (const repository of names) {
    const covering = mostSpecific(stored, repository);
    if (!covering) continue;
    const policy = parsed.get(covering.pattern)!;
    if (typeof policy === 'string') {
      plans.push({ repository, pattern: covering.pattern, expire: [], kept: [], invalidPolicy: policy });
      continue;
    }
    const rule = immutabilityRuleFor(immutability, repository);
    const snapshot = await deps.gc.readRepository(repository);
    const evaluation = evaluateRetention({
      repository: imagesOf(snapshot), policy, now: opts.now, isImmutable: (tag) => tagIsImmutable(rule, tag),
    });
    plans.push({ repository, pattern: covering.pattern, ...evaluation });
  }
  return { now: opts.now, repositories: plans };
}

/** The policy, or why it no longer parses (stored before a check existed, or written by hand). */
function parseStored(p: RetentionPolicy): LifecyclePolicy | string {
  try {
    return parseLifecyclePolicy(p.policyText);
  } catch (err) {
    if (err instanceof LifecyclePolicyError) return err.problems.join('; ');
    throw err;
  }
}

async function allRepositories(catalog: Pick<Catalog, 'listRepositories'>): Promise<string[]> {
  const names: string[] = [];
  for (let last: string | undefined; ;) {
    const page = await catalog.listRepositories(CATALOG_PAGE, last);
    names.push(...page.items);
    if (!page.more || page.items.length === 0) return names;
    last = page.items[page.items.length - 1];
  }
}
