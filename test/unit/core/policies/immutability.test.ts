import {
  describeRule, explainRule, immutabilityRuleFor, InvalidPolicyError, tagIsImmutable, validateImmutabilityRule, wildcardMatches,
} from '../../../../lambda/core/policies/immutability';
import type { ImmutabilityRule, TagMutability } from '../../../../lambda/ports/policy-store';

const rule = (pattern: string, mode: TagMutability, exclusions?: string[]): ImmutabilityRule => ({ pattern, mode, exclusions, updatedAt: 0 });

describe('immutabilityRuleFor: the most specific pattern wins', () => {
  const every = rule('*', 'IMMUTABLE');
  const team = rule('team/*', 'MUTABLE');
  const teamApi = rule('team/api/*', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*']);
  const exact = rule('team/api/web', 'MUTABLE_WITH_EXCLUSION', ['v*']);
  const rules = [every, exact, team, teamApi];

  it.each([
    ['team/api/web', exact],
    ['team/api/worker', teamApi],
    ['team/api/web/extra', teamApi],
    ['team/app', team],
    ['other', every],
    ['teamx/app', every],
  ])('%s -> its rule', (repository, expected) => {
    expect(immutabilityRuleFor(rules, repository)).toBe(expected);
  });

  it('no rule covering the repository -> undefined (mutable)', () => {
    expect(immutabilityRuleFor([team], 'other/app')).toBeUndefined();
    expect(tagIsImmutable(undefined, 'v1')).toBe(false);
  });

  it('a prefix pattern does not cover the prefix itself (team/* is not team)', () => {
    expect(immutabilityRuleFor([team], 'team')).toBeUndefined();
  });
});

describe('tagIsImmutable per mode', () => {
  it.each([
    ['MUTABLE', undefined, 'v1', false],
    ['IMMUTABLE', undefined, 'v1', true],
    ['IMMUTABLE', undefined, 'latest', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest'], 'v1', true],
    ['IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest'], 'dev-42', false],
    ['IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest'], 'latest', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*.*.*'], 'v1.2.3', true],
    ['MUTABLE_WITH_EXCLUSION', ['v*.*.*'], 'v1.2', false],
    ['MUTABLE_WITH_EXCLUSION', ['v*.*.*'], 'latest', false],
  ] as Array<[TagMutability, string[] | undefined, string, boolean]>)('%s %j: %s -> immutable %s', (mode, exclusions, tag, expected) => {
    expect(tagIsImmutable(rule('*', mode, exclusions), tag)).toBe(expected);
  });
});

describe('wildcardMatches (ECR wildcard filters)', () => {
  it.each([
    ['dev-*', 'dev-', true],
    ['dev-*', 'dev-1', true],
    ['dev-*', 'xdev-1', false],
    ['*-rc', '1.0-rc', true],
    ['*-rc', '1.0-rc1', false],
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['v1.0', 'v1x0', false], // '.' is literal
    ['*', 'anything', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'acb', false],
  ])('%s vs %s -> %s', (filter, tag, expected) => {
    expect(wildcardMatches(filter, tag)).toBe(expected);
  });
});

describe('validateImmutabilityRule', () => {
  it('accepts each mode with the exclusions it takes', () => {
    expect(() => validateImmutabilityRule(rule('team/*', 'IMMUTABLE'))).not.toThrow();
    expect(() => validateImmutabilityRule(rule('*', 'MUTABLE'))).not.toThrow();
    expect(() => validateImmutabilityRule(rule('team/app', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*']))).not.toThrow();
    expect(() => validateImmutabilityRule(rule('team/app', 'MUTABLE_WITH_EXCLUSION', ['v*']))).not.toThrow();
  });

  it.each([
    [rule('team/*', 'FROZEN' as TagMutability), /unknown mode "FROZEN": use one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION/],
    [rule('Team/*', 'IMMUTABLE'), /invalid repository pattern "Team\/\*"/],
    [rule('team/*/x', 'IMMUTABLE'), /invalid repository pattern/],
    [rule('team/*', 'IMMUTABLE', ['dev-*']), /IMMUTABLE takes no exclusion filters/],
    [rule('team/*', 'IMMUTABLE_WITH_EXCLUSION'), /needs at least one exclusion filter/],
    [rule('team/*', 'MUTABLE_WITH_EXCLUSION', ['a', 'b', 'c', 'd', 'e', 'f']), /at most 5 exclusion filters/],
    [rule('team/*', 'MUTABLE_WITH_EXCLUSION', ['v1/2']), /invalid exclusion filter "v1\/2"/],
  ])('refuses %j', (bad, message) => {
    expect(() => validateImmutabilityRule(bad)).toThrow(InvalidPolicyError);
    expect(() => validateImmutabilityRule(bad)).toThrow(message);
  });
});

describe('describeRule and explainRule', () => {
  it('name the pattern, the mode and the filters', () => {
    expect(describeRule(rule('team/*', 'IMMUTABLE'))).toBe('team/*: IMMUTABLE');
    expect(describeRule(rule('team/*', 'IMMUTABLE_WITH_EXCLUSION', ['dev-*', 'latest']))).toBe('team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*, latest)');
    expect(explainRule(undefined)).toBe('no rule applies: every tag is mutable');
    expect(explainRule(rule('x', 'MUTABLE_WITH_EXCLUSION', ['v*']))).toBe('only tags matching v* are immutable; the others are mutable');
  });
});
