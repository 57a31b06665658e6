import { evaluateRetention } from '../../../../lambda/core/retention/evaluate';
import { imagesOf } from '../../../../lambda/core/retention/images';
import { parseLifecyclePolicy } from '../../../../lambda/core/retention/parse-policy';
import { DAY_MS } from '../../../../lambda/core/retention/policy';
import type { ManifestFacts, RepositorySnapshot } from '../../../../lambda/ports/gc-store';

const NOW = Date.UTC(2026, 5, 1);
const IMAGE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const digest = (name: string) => `sha256:${name.padEnd(64, '0')}`;

/** A manifest pushed `daysAgo` days before NOW. */
function manifest(name: string, daysAgo: number, extra: Partial<ManifestFacts> = {}): ManifestFacts {
  return { digest: digest(name), mediaType: IMAGE, size: 100, pushedAt: NOW - daysAgo * DAY_MS, children: [], ...extra };
}

function snapshot(manifests: ManifestFacts[], tags: Record<string, string>): RepositorySnapshot {
  return { repository: 'app', manifests, links: [], tags: Object.entries(tags).map(([tag, name]) => ({ tag, digest: digest(name) })) };
}

function evaluate(snap: RepositorySnapshot, rules: unknown[], immutable: string[] = []) {
  const result = evaluateRetention({
    repository: imagesOf(snap), policy: parseLifecyclePolicy(JSON.stringify({ rules })), now: NOW, isImmutable: (t) => immutable.includes(t),
  });
  return {
    expired: result.expire.map((d) => `${d.image.digest.slice(7, 11).replace(/0+$/, '')} rule ${d.rule.priority}: ${d.reason}`),
    kept: result.kept.map((d) => `${d.image.digest.slice(7, 11).replace(/0+$/, '')} rule ${d.rule.priority}: ${d.reason}`),
  };
}

const countRule = (priority: number, selection: object, n: number) => ({ rulePriority: priority, selection: { ...selection, countType: 'imageCountMoreThan', countNumber: n }, action: { type: 'expire' } });
const ageRule = (priority: number, selection: object, type: string, days: number, action = 'expire') => ({ rulePriority: priority, selection: { ...selection, countType: type, countUnit: 'days', countNumber: days }, action: { type: action } });

describe('evaluateRetention', () => {
  it('imageCountMoreThan keeps the N newest images its tags select and expires the rest, oldest last', () => {
    const snap = snapshot([manifest('a', 1), manifest('b', 2), manifest('c', 3), manifest('d', 4), manifest('e', 5)],
      { 'ci-1': 'a', 'ci-2': 'b', 'ci-3': 'c', 'ci-4': 'd', 'v1': 'e' });
    expect(evaluate(snap, [countRule(1, { tagStatus: 'tagged', tagPrefixList: ['ci-'] }, 2)]).expired).toEqual([
      'c rule 1: more than 2 images tagged with prefix ci-; this is the 3rd newest',
      'd rule 1: more than 2 images tagged with prefix ci-; this is the 4th newest',
    ]);
  });

  it('an image a higher rule selects is never expired by a lower rule, but lower rules still count it', () => {
    // Prepare: rule 1 protects release tags (a count they never reach); rule 2 keeps 2 images of any kind
    const snap = snapshot([manifest('a', 1), manifest('b', 2), manifest('c', 3), manifest('d', 4)], { 'v1.0': 'a', 'v0.9': 'c', dev: 'b' });
    // Act
    const { expired } = evaluate(snap, [countRule(1, { tagStatus: 'tagged', tagPatternList: ['v*'] }, 100), countRule(2, { tagStatus: 'any' }, 2)]);
    // Assess: c (3rd newest overall) belongs to rule 1; only d, untagged, goes
    expect(expired).toEqual(['d rule 2: more than 2 images; this is the 4th newest']);
  });

  it('a tag list selects only images that have a tag for every entry (ECR: all of them)', () => {
    const snap = snapshot([manifest('a', 40), manifest('b', 40)], { 'prod-1': 'a', 'rc-1': 'a', 'prod-2': 'b' });
    expect(evaluate(snap, [ageRule(1, { tagStatus: 'tagged', tagPatternList: ['prod-*', 'rc-*'] }, 'sinceImagePushed', 30)]).expired)
      .toEqual(['a rule 1: tagged matching prod-* and rc-*, pushed 40 days ago, more than 30']);
  });

  it('sinceImagePushed counts whole days: 30 days and 23 hours is not more than 30', () => {
    const snap = snapshot([manifest('a', 30 + 23 / 24), manifest('b', 31)], {});
    expect(evaluate(snap, [ageRule(1, { tagStatus: 'untagged' }, 'sinceImagePushed', 30)]).expired)
      .toEqual(['b rule 1: untagged, pushed 31 days ago, more than 30']);
  });

  it('sinceImagePulled uses the last pull, or the push for an image never pulled', () => {
    const snap = snapshot([
      manifest('a', 100, { lastPulledAt: NOW - 2 * DAY_MS }),
      manifest('b', 100, { lastPulledAt: NOW - 50 * DAY_MS }),
      manifest('c', 45),
      manifest('d', 5),
    ], {});
    // (listed newest push first, as each rule ranks them)
    expect(evaluate(snap, [ageRule(1, { tagStatus: 'any' }, 'sinceImagePulled', 30)]).expired).toEqual([
      'c rule 1: never pulled, pushed 45 days ago, more than 30',
      'b rule 1: last pulled 50 days ago, more than 30',
    ]);
  });

  it('a keep rule keeps what was pulled within N days from every lower rule, and says which rule it saved it from', () => {
    // Prepare: old CI images; one was pulled yesterday
    const snap = snapshot([manifest('a', 60, { lastPulledAt: NOW - DAY_MS }), manifest('b', 61), manifest('c', 1)], { 'ci-1': 'a', 'ci-2': 'b', 'ci-3': 'c' });
    // Act
    const result = evaluate(snap, [
      ageRule(1, { tagStatus: 'any' }, 'sinceImagePulled', 7, 'keep'),
      ageRule(2, { tagStatus: 'tagged', tagPrefixList: ['ci-'] }, 'sinceImagePushed', 30),
    ]);
    // Assess: b was not pulled within 7 days, so the keep rule does not hold it
    expect(result.expired).toEqual(['b rule 2: tagged with prefix ci-, pushed 61 days ago, more than 30']);
    expect(result.kept).toEqual(['a rule 1: last pulled 1 day ago, within 7; kept from rule 2: tagged with prefix ci-, pushed 60 days ago, more than 30']);
  });

  it('an image with an immutable tag is never expired: it is listed as kept, with the tag and the rule it escaped', () => {
    const snap = snapshot([manifest('a', 1), manifest('b', 2), manifest('c', 3)], { 'v1': 'c', 'v1.0.0': 'c', 'v2': 'b', 'v3': 'a' });
    const result = evaluate(snap, [countRule(1, { tagStatus: 'tagged', tagPrefixList: ['v'] }, 1)], ['v1.0.0']);
    expect(result.expired).toEqual(['b rule 1: more than 1 image tagged with prefix v; this is the 2nd newest']);
    expect(result.kept).toEqual(['c rule 1: more than 1 image tagged with prefix v; this is the 3rd newest; kept: tag v1.0.0 is immutable']);
  });

  it("index children and referrers are not images: they follow their parent and are never expired on their own", () => {
    // Prepare: an old untagged index with two children, an old signature of it, and an old untagged image
    const snap = snapshot([
      manifest('i', 50, { mediaType: INDEX, children: [digest('c1'), digest('c2')] }),
      manifest('c1', 50), manifest('c2', 50),
      manifest('s', 50, { subject: digest('i') }),
      manifest('u', 50),
    ], {});
    // Act
    const { expired } = evaluate(snap, [ageRule(1, { tagStatus: 'untagged' }, 'sinceImagePushed', 10)]);
    // Assess
    expect(expired).toEqual(['i rule 1: untagged, pushed 50 days ago, more than 10', 'u rule 1: untagged, pushed 50 days ago, more than 10']);
  });

  it("reads an index's children from its inline body when they were not recorded on the item", () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: IMAGE, digest: digest('c1'), size: 100 }] }));
    const snap = snapshot([manifest('i', 1, { mediaType: INDEX, children: undefined, body }), manifest('c1', 50, { children: undefined })], { latest: 'i' });
    expect(evaluate(snap, [ageRule(1, { tagStatus: 'untagged' }, 'sinceImagePushed', 10)]).expired).toEqual([]);
  });

  it('keeps every untagged image while an index has children that cannot be told (no list, body in S3)', () => {
    const snap = snapshot([manifest('i', 1, { mediaType: INDEX, children: undefined, bodyKey: 'manifests/sha256/x' }), manifest('u', 50)], { latest: 'i' });
    const result = evaluate(snap, [ageRule(1, { tagStatus: 'untagged' }, 'sinceImagePushed', 10)]);
    expect(result.expired).toEqual([]);
    expect(result.kept[0]).toMatch(/^u rule 1: untagged, pushed 50 days ago, more than 10; kept: it may belong to index sha256:i0+, whose children are not recorded \(re-push that index\)$/);
  });

  it('an image whose push time was never recorded is not expired by age, and ranks oldest by count', () => {
    const snap = snapshot([manifest('a', 0, { pushedAt: undefined }), manifest('b', 40)], {});
    expect(evaluate(snap, [ageRule(1, { tagStatus: 'untagged' }, 'sinceImagePushed', 10)]).expired).toEqual(['b rule 1: untagged, pushed 40 days ago, more than 10']);
    expect(evaluate(snap, [countRule(1, { tagStatus: 'untagged' }, 1)]).expired).toEqual(['a rule 1: more than 1 image untagged; this is the 2nd newest']);
  });
});
