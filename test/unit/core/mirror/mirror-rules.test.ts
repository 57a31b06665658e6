import { MirrorRules, ORIGIN_CACHE_MS } from '../../../../lambda/core/mirror/mirror-rules';
import type { MirroredRepository, MirrorRule } from '../../../../lambda/ports/mirror-store';

function rule(prefix: string, upstream = 'https://registry-1.docker.io'): MirrorRule {
  return { prefix, upstream, tagTtlSeconds: 300, anonymousPull: true, createdAt: 0 };
}

/** Rules, marks and catalog in memory, counting the reads. */
function setup(rules: MirrorRule[]) {
  let time = 1_000_000;
  const marks = new Map<string, MirroredRepository>();
  const catalog = new Set<string>();
  const reads = { rules: 0, marks: 0, catalog: 0 };
  const store = {
    listRules: async () => { reads.rules++; return [...rules]; },
    getMirrored: async (repo: string) => { reads.marks++; return marks.get(repo) ?? null; },
  };
  const cat = { repositoryExists: async (repo: string) => { reads.catalog++; return catalog.has(repo); } };
  const mirror = new MirrorRules(store, cat, () => time);
  return { mirror, marks, catalog, reads, rules, advance: (ms: number) => { time += ms; } };
}

describe('MirrorRules.originOf', () => {
  it('an unfilled name under the root rule is mirrored, unmarked, with the upstream name', async () => {
    const { mirror } = setup([rule('')]);
    const origin = await mirror.originOf('library/busybox');
    expect(origin).toEqual({ kind: 'mirrored', marked: false, match: { rule: rule(''), upstreamName: 'library/busybox' } });
  });

  it('a repository in the catalog without a mark is local even under the root rule (local wins)', async () => {
    const { mirror, catalog } = setup([rule('')]);
    catalog.add('team/app');
    expect(await mirror.originOf('team/app')).toEqual({ kind: 'local' });
  });

  it('a marked repository is mirrored by the rule of its mark, not the longest prefix today', async () => {
    const { mirror, marks, catalog } = setup([rule(''), rule('ghcr/', 'https://ghcr.io')]);
    marks.set('ghcr/org/app', { repository: 'ghcr/org/app', prefix: '', since: 0 });
    catalog.add('ghcr/org/app');
    const origin = await mirror.originOf('ghcr/org/app');
    expect(origin.kind === 'mirrored' && origin.match.rule.upstream).toBe('https://registry-1.docker.io');
    expect(origin.kind === 'mirrored' && origin.match.upstreamName).toBe('ghcr/org/app');
    expect(origin.kind === 'mirrored' && origin.marked).toBe(true);
  });

  it('a mark whose rule was removed leaves the repository local', async () => {
    const { mirror, marks } = setup([rule('ghcr/')]);
    marks.set('docker/x', { repository: 'docker/x', prefix: 'docker/', since: 0 });
    expect(await mirror.originOf('docker/x')).toEqual({ kind: 'local' });
  });

  it('a local-only rule keeps its names local under the root rule, without reads, and frees a name filled before', async () => {
    const local: MirrorRule = { ...rule('team/', ''), localOnly: true };
    const { mirror, reads } = setup([rule(''), local]);
    expect(await mirror.originOf('team/app')).toEqual({ kind: 'local' });
    expect(reads).toEqual({ rules: 1, marks: 0, catalog: 0 });
    expect((await mirror.originOf('library/busybox')).kind).toBe('mirrored');
    expect(await mirror.ruleFor('team/app')).toBeNull();

  });

  it('a name an outsider filled through the root rule becomes local once a local-only rule covers it', async () => {
    const { mirror, marks, rules, advance } = setup([rule('')]);
    marks.set('team/web', { repository: 'team/web', prefix: '', since: 0 });
    expect((await mirror.originOf('team/web')).kind).toBe('mirrored');
    rules.push({ ...rule('team/', ''), localOnly: true });
    advance(10_001); // the rule cache's period: the cached marked origin is checked against the new rules
    expect(await mirror.originOf('team/web')).toEqual({ kind: 'local' });
  });

  it('a name no rule covers is local without reading marks or the catalog', async () => {
    const { mirror, reads } = setup([rule('ghcr/')]);
    expect(await mirror.originOf('team/app')).toEqual({ kind: 'local' });
    expect(await mirror.originOf('ghcr')).toEqual({ kind: 'local' });
    expect(reads).toEqual({ rules: 1, marks: 0, catalog: 0 });
  });

  it('with no rules at all, nothing but the (cached) rule list is read', async () => {
    const { mirror, reads } = setup([]);
    for (let i = 0; i < 5; i++) expect(await mirror.originOf('library/busybox')).toEqual({ kind: 'local' });
    expect(reads).toEqual({ rules: 1, marks: 0, catalog: 0 });
  });

  it('settled origins are cached for ORIGIN_CACHE_MS; an unmarked one is looked up every time', async () => {
    const { mirror, reads, catalog, advance } = setup([rule('')]);
    catalog.add('team/app');
    await mirror.originOf('team/app');
    await mirror.originOf('team/app');
    expect(reads.marks).toBe(1);
    advance(ORIGIN_CACHE_MS);
    await mirror.originOf('team/app');
    expect(reads.marks).toBe(2);
    await mirror.originOf('library/busybox');
    await mirror.originOf('library/busybox');
    expect(reads.marks).toBe(4);
  });

  it('marked() records this process\'s own mark without a read', async () => {
    const { mirror, reads } = setup([rule('')]);
    const match = (await mirror.ruleFor('library/busybox'))!;
    mirror.marked('library/busybox', match);
    expect(await mirror.originOf('library/busybox')).toEqual({ kind: 'mirrored', match, marked: true });
    expect(reads.marks).toBe(0);
  });

  it('rules are read at most once per 10 s, concurrent callers sharing the read', async () => {
    const { mirror, reads, rules, advance } = setup([]);
    await Promise.all([mirror.ruleFor('a/b'), mirror.ruleFor('a/b'), mirror.originOf('a/b')]);
    expect(reads.rules).toBe(1);
    rules.push(rule(''));
    expect(await mirror.ruleFor('a/b')).toBeNull();
    advance(10_000);
    expect((await mirror.ruleFor('a/b'))?.upstreamName).toBe('a/b');
    expect(reads.rules).toBe(2);
  });
});
