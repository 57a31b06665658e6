import { TagImmutability } from '../../../../lambda/core/policies/tag-immutability';
import { MemoryPolicyStore } from '../../fakes/memory-policy-store';

describe('TagImmutability: rules read through a per-process cache', () => {
  it('reads the store at most once per period, however many PUTs ask', async () => {
    const store = new MemoryPolicyStore();
    await store.putImmutability({ pattern: 'team/*', mode: 'IMMUTABLE', updatedAt: 0 });
    let clock = 1_000_000;
    const rules = new TagImmutability(store, () => clock, 10_000);

    await Promise.all(Array.from({ length: 50 }, () => rules.immutableAmong('team/app', ['v1'])));
    for (let i = 0; i < 9; i++) { clock += 1000; await rules.immutableAmong('team/app', ['v1']); }
    expect(store.reads).toBe(1);
    clock += 1000;
    await rules.immutableAmong('team/app', ['v1']);
    expect(store.reads).toBe(2);
  });

  it('a rule change applies once the period has passed', async () => {
    const store = new MemoryPolicyStore();
    let clock = 0;
    const rules = new TagImmutability(store, () => clock, 10_000);
    expect((await rules.immutableAmong('team/app', ['v1', 'dev'])).tags).toEqual([]);
    await store.putImmutability({ pattern: 'team/app', mode: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['dev'], updatedAt: 1 });
    clock = 9_999;
    expect((await rules.immutableAmong('team/app', ['v1', 'dev'])).tags).toEqual([]);
    clock = 10_000;
    const now = await rules.immutableAmong('team/app', ['v1', 'dev']);
    expect(now.tags).toEqual(['v1']);
    expect(now.rule?.pattern).toBe('team/app');
  });

  it('a failed read is not kept: the next call reads again', async () => {
    const store = new MemoryPolicyStore();
    const failing = Object.assign(Object.create(store), {
      calls: 0,
      async listImmutability(this: { calls: number }) {
        this.calls++;
        if (this.calls === 1) throw new Error('DynamoDB down');
        return store.listImmutability();
      },
    });
    const rules = new TagImmutability(failing, () => 0, 10_000);
    await expect(rules.ruleFor('x')).rejects.toThrow('DynamoDB down');
    await expect(rules.ruleFor('x')).resolves.toBeUndefined();
  });

  it('without a policy store no tag is immutable and nothing is read', async () => {
    const rules = new TagImmutability(undefined, () => 0);
    expect(await rules.immutableAmong('a', ['v1'])).toEqual({ tags: [] });
  });

  it('a PUT with no tags does not read the rules', async () => {
    const store = new MemoryPolicyStore();
    const rules = new TagImmutability(store, () => 0);
    await rules.immutableAmong('a', []);
    expect(store.reads).toBe(0);
  });
});
