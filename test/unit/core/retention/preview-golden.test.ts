import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planRetention, RetentionDeps } from '../../../../lambda/core/retention/plan';
import { planLines, previewSummary } from '../../../../lambda/core/retention/report';
import type { ImmutabilityRule } from '../../../../lambda/ports/policy-store';
import { MemoryPolicyStore } from '../../fakes/memory-policy-store';
import { pageOf } from '../../fakes/memory-catalog';
import { NOW, registryState } from './fixture';

// What `retention preview` prints for a few policies over one fixed registry state (fixture.ts), compared
// with the files in golden/. UPDATE_GOLDEN=1 rewrites them; read the diff before committing it.
const GOLDEN = join(__dirname, 'golden');

async function preview(policies: Record<string, object>, immutability: ImmutabilityRule[] = []): Promise<string> {
  const store = new MemoryPolicyStore();
  for (const [pattern, policy] of Object.entries(policies)) await store.putRetention({ pattern, policyText: JSON.stringify(policy), updatedAt: 0 });
  for (const rule of immutability) await store.putImmutability(rule);
  const state = registryState();
  const deps: RetentionDeps = {
    policies: store,
    gc: { readRepository: async (name) => state.find((r) => r.repository === name)! },
    catalog: { listRepositories: async (n, last) => pageOf(state.map((r) => r.repository), n, last) },
    manifests: { deleteManifest: async () => { throw new Error('a preview deletes nothing'); } },
  };
  const plan = await planRetention(deps, { now: NOW });
  return [...planLines(plan), previewSummary(plan)].join('\n') + '\n';
}

function expectGolden(name: string, text: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  if (!existsSync(file)) throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1 and check what it wrote`);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const rule = (rulePriority: number, description: string, selection: object, type = 'expire') => ({ rulePriority, description, selection, action: { type } });

describe('retention preview output (golden files)', () => {
  it('ci-and-untagged: the 10 newest CI builds stay, untagged images older than 14 days go, index children and signatures stay', async () => {
    expectGolden('ci-and-untagged', await preview({
      '*': { rules: [
        rule(1, 'keep 10 CI builds', { tagStatus: 'tagged', tagPrefixList: ['ci-'], countType: 'imageCountMoreThan', countNumber: 10 }),
        rule(2, 'untagged leftovers', { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
      ] },
    }));
  });

  it('keep-pulled: a keep rule saves what was pulled within 7 days, an immutable release is kept, the rest ages out', async () => {
    expectGolden('keep-pulled', await preview({
      'team/*': { rules: [
        rule(1, 'in use', { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 7 }, 'keep'),
        rule(2, 'CI builds', { tagStatus: 'tagged', tagPatternList: ['ci-*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }),
        rule(3, 'everything else', { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }),
      ] },
    }, [{ pattern: 'team/app', mode: 'MUTABLE_WITH_EXCLUSION', exclusions: ['v1.0.*'], updatedAt: 0 }]));
  });

  it('precedence: an exact name beats team/*, which beats *', async () => {
    const any = (n: number) => ({ rules: [rule(1, `${n} newest`, { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: n })] });
    expectGolden('precedence', await preview({ '*': any(1), 'team/*': any(3), 'team/app': any(18) }));
  });
});
