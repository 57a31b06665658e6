import type { ImmutabilityRule, TagMutability } from '../../ports/policy-store';
import { isRepositoryPattern, mostSpecific } from './repository-pattern';

/** The modes in the order the CLI lists them. */
export const TAG_MUTABILITY_MODES: readonly TagMutability[] = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];

/** ECR's limits on exclusion filters: at most 5, each 1-128 of [0-9a-zA-Z._*-]. */
export const MAX_EXCLUSIONS = 5;
const FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;

/** A rule that cannot be stored; the message says what to write instead. */
export class InvalidPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPolicyError';
  }
}

/** Checks a rule before it is stored: a known mode, a repository pattern, exclusions exactly where the mode takes them. */
export function validateImmutabilityRule(rule: ImmutabilityRule): ImmutabilityRule {
  if (!TAG_MUTABILITY_MODES.includes(rule.mode)) {
    throw new InvalidPolicyError(`unknown mode "${rule.mode}": use one of ${TAG_MUTABILITY_MODES.join(', ')}`);
  }
  if (!isRepositoryPattern(rule.pattern)) {
    throw new InvalidPolicyError(`invalid repository pattern "${rule.pattern}": use a repository name (team/app), a prefix ending in /* (team/*), or * for every repository`);
  }
  const exclusions = rule.exclusions ?? [];
  if (!takesExclusions(rule.mode) && exclusions.length > 0) {
    throw new InvalidPolicyError(`${rule.mode} takes no exclusion filters: use IMMUTABLE_WITH_EXCLUSION (listed tags stay mutable) or MUTABLE_WITH_EXCLUSION (only listed tags are immutable)`);
  }
  if (takesExclusions(rule.mode) && exclusions.length === 0) {
    throw new InvalidPolicyError(`${rule.mode} needs at least one exclusion filter, e.g. --exclude 'dev-*'`);
  }
  if (exclusions.length > MAX_EXCLUSIONS) throw new InvalidPolicyError(`at most ${MAX_EXCLUSIONS} exclusion filters per rule (ECR's limit); ${exclusions.length} given`);
  const bad = exclusions.find((f) => !FILTER.test(f));
  if (bad !== undefined) throw new InvalidPolicyError(`invalid exclusion filter "${bad}": 1 to 128 letters, digits, '.', '_', '-', with '*' for any run of characters`);
  return rule;
}

/** True for the modes that take exclusion filters. */
export function takesExclusions(mode: TagMutability): boolean {
  return mode === 'IMMUTABLE_WITH_EXCLUSION' || mode === 'MUTABLE_WITH_EXCLUSION';
}

/** ECR's wildcard filter: `*` stands for any run of characters (none included), everything else is literal; whole tag. */
export function wildcardMatches(filter: string, tag: string): boolean {
  const source = filter.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(tag);
}

/** Whether a tag may not be moved or deleted under a rule (no rule: mutable). */
export function tagIsImmutable(rule: ImmutabilityRule | undefined, tag: string): boolean {
  if (!rule) return false;
  const excluded = (rule.exclusions ?? []).some((f) => wildcardMatches(f, tag));
  switch (rule.mode) {
    case 'MUTABLE': return false;
    case 'IMMUTABLE': return true;
    case 'IMMUTABLE_WITH_EXCLUSION': return !excluded;
    case 'MUTABLE_WITH_EXCLUSION': return excluded;
  }
}

/** The rule that applies to a repository (the most specific pattern; see mostSpecific), if any. */
export function immutabilityRuleFor(rules: readonly ImmutabilityRule[], repository: string): ImmutabilityRule | undefined {
  return mostSpecific(rules, repository);
}

/** True when a rule may make some tag immutable (DELETE by digest then has to look at the digest's tags). */
export function canMakeTagsImmutable(rule: ImmutabilityRule | undefined): boolean {
  return rule !== undefined && rule.mode !== 'MUTABLE';
}

/** `team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*, latest)`: how errors and the CLI name a rule. */
export function describeRule(rule: ImmutabilityRule): string {
  const exclusions = rule.exclusions?.length ? ` (exclusions: ${rule.exclusions.join(', ')})` : '';
  return `${rule.pattern}: ${rule.mode}${exclusions}`;
}

/** What a rule means for a repository's tags, in a sentence (the CLI's `immutability show <repository>`). */
export function explainRule(rule: ImmutabilityRule | undefined): string {
  if (!rule) return 'no rule applies: every tag is mutable';
  const filters = (rule.exclusions ?? []).join(', ');
  switch (rule.mode) {
    case 'MUTABLE': return 'every tag is mutable';
    case 'IMMUTABLE': return 'every tag is immutable: it cannot be moved to another digest or deleted';
    case 'IMMUTABLE_WITH_EXCLUSION': return `every tag is immutable except those matching ${filters}`;
    case 'MUTABLE_WITH_EXCLUSION': return `only tags matching ${filters} are immutable; the others are mutable`;
  }
}
