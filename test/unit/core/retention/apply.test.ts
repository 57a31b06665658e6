/** applyRetention on fakes: it deletes what the plan lists, and skips an image that changed since the plan. */
import { applyRetention } from '../../../../lambda/core/retention/apply';
import type { RetentionDeps } from '../../../../lambda/core/retention/plan';
import { resultLine } from '../../../../lambda/core/retention/report';
import type { RepositorySnapshot } from '../../../../lambda/ports/gc-store';
import { MemoryPolicyStore } from '../../fakes/memory-policy-store';
import { digest, NOW } from './fixture';

const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const manifest = (name: string, pushedAt: number) => ({ digest: digest(name), mediaType: IMAGE, size: 1, children: [] as string[], pushedAt });

/** team/app: three CI builds (ci-3 newest); the policy keeps one. */
function state(): RepositorySnapshot {
  return {
    repository: 'team/app', links: [],
    manifests: [manifest('b1', NOW - 3000), manifest('b2', NOW - 2000), manifest('b3', NOW - 1000)],
    tags: [{ tag: 'ci-1', digest: digest('b1') }, { tag: 'ci-2', digest: digest('b2') }, { tag: 'ci-3', digest: digest('b3') }],
  };
}

/** Deps whose repository reads come from `reads` in turn (the plan's, then apply's re-read), recording deletes. */
async function setUp(reads: RepositorySnapshot[]) {
  const policies = new MemoryPolicyStore();
  await policies.putRetention({ pattern: 'team/*', updatedAt: 0, policyText: JSON.stringify({ rules: [
    { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['ci-'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
  ] }) });
  const deleted: string[] = [];
  const deps: RetentionDeps = {
    policies,
    gc: { readRepository: async () => reads.shift()! },
    catalog: { listRepositories: async () => ({ items: ['team/app'], more: false }) },
    manifests: { deleteManifest: async (_repo, d) => { deleted.push(d); return true; } },
  };
  return { deps, deleted };
}

describe('applyRetention', () => {
  it('deletes each planned image and reports it with its preview line', async () => {
    const { deps, deleted } = await setUp([state(), state()]);
    const report = await applyRetention(deps, { now: NOW, dryRun: false });
    expect(deleted).toEqual([digest('b2'), digest('b1')]);
    expect(report.results.map((r) => [r.outcome, resultLine(r).startsWith('expire  team/app  ci-')])).toEqual([['expired', true], ['expired', true]]);
  });

  it('a dry run plans and deletes nothing', async () => {
    const { deps, deleted } = await setUp([state()]);
    const report = await applyRetention(deps, { now: NOW, dryRun: true });
    expect([report.plan.repositories[0].expire.length, report.results, deleted]).toEqual([2, [], []]);
  });

  it('skips an image tagged again since the plan, and one an index names now', async () => {
    // Prepare: between plan and apply, ci-2's image got the tag prod, and an index now lists ci-1's image
    const now = state();
    now.tags.push({ tag: 'prod', digest: digest('b2') });
    now.manifests.push({ ...manifest('idx', NOW), mediaType: 'application/vnd.oci.image.index.v1+json', children: [digest('b1')] });
    const { deps, deleted } = await setUp([state(), now]);
    // Act
    const report = await applyRetention(deps, { now: NOW, dryRun: false });
    // Assess
    expect(deleted).toEqual([]);
    expect(report.results.map((r) => [r.outcome, r.detail])).toEqual([
      ['skipped', 'tags changed since the plan: now ci-2,prod'],
      ['skipped', 'no longer an image of its own (deleted, or named by an index or as a subject since the plan)'],
    ]);
    expect(resultLine(report.results[0])).toMatch(/^skip    team\/app  ci-2  .*  \(skipped: tags changed since the plan: now ci-2,prod\)$/);
  });

  it('a backend fault on one image is reported as failed and the others still go', async () => {
    const { deps, deleted } = await setUp([state(), state()]);
    const remove = deps.manifests.deleteManifest;
    deps.manifests.deleteManifest = async (repo, d) => {
      if (d === digest('b2')) throw new Error('backend unavailable');
      return remove(repo, d);
    };
    const report = await applyRetention(deps, { now: NOW, dryRun: false });
    expect(report.results.map((r) => r.outcome)).toEqual(['failed', 'expired']);
    expect(deleted).toEqual([digest('b1')]);
  });
});
