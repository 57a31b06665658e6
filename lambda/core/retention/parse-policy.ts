import type { CountType, LifecyclePolicy, RetentionRule, RuleAction, TagStatus } from './policy';

/** A policy that cannot be stored: each problem names where (a JSON path such as `rules[1].selection.countUnit`) and what to write. */
export class LifecyclePolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid lifecycle policy:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'LifecyclePolicyError';
  }
}

const TAG_STATUSES: readonly TagStatus[] = ['tagged', 'untagged', 'any'];
const COUNT_TYPES: readonly CountType[] = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled'];
const ACTIONS: readonly RuleAction[] = ['expire', 'keep'];
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = ['tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber', 'storageClass'];
/** ECR's limit on wildcards in one tagPatternList entry. */
export const MAX_PATTERN_WILDCARDS = 4;
// Characters of a tag (the distribution spec's grammar), and `*` in patterns.
const PREFIX = /^[A-Za-z0-9_.-]{1,128}$/;
const PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;

type Json = Record<string, unknown>;

/**
 * Parses a lifecycle policy as written for ECR (plus the keep rule) and checks it the way ECR does: unique
 * priorities, an `any` expire rule last, tag lists only (and always) on tagged rules, countUnit only with the
 * since* count types. Every problem is reported at once. Returns the rules sorted by priority.
 */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LifecyclePolicyError([`not JSON (${(err as Error).message}): write {"rules": [ ... ]} as for ECR`]);
  }
  const problems: string[] = [];
  if (!isObject(doc) || !Array.isArray(doc.rules)) {
    throw new LifecyclePolicyError(['the policy must be an object with a "rules" list: {"rules": [{"rulePriority": 1, "selection": {...}, "action": {"type": "expire"}}]}']);
  }
  unknownKeys(doc, ['rules'], '', problems);
  if (doc.rules.length === 0) problems.push('rules: the list is empty; give at least one rule');
  const rules = doc.rules.map((r, i) => parseRule(r, `rules[${i}]`, problems)).filter((r): r is RetentionRule => r !== undefined);
  checkAcrossRules(rules, doc.rules, problems);
  if (problems.length > 0) throw new LifecyclePolicyError(problems);
  return { rules: [...rules].sort((a, b) => a.rulePriority - b.rulePriority) };
}

function parseRule(raw: unknown, at: string, problems: string[]): RetentionRule | undefined {
  if (!isObject(raw)) {
    problems.push(`${at}: a rule is an object with rulePriority, selection and action`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(raw, RULE_KEYS, at, problems);
  const { rulePriority, description } = raw;
  if (!Number.isSafeInteger(rulePriority) || (rulePriority as number) < 1) {
    problems.push(`${at}.rulePriority: ${show(rulePriority)} is not a whole number from 1; give each rule its own, e.g. "rulePriority": 1`);
  }
  if (description !== undefined && typeof description !== 'string') problems.push(`${at}.description: must be a string`);
  const action = parseAction(raw.action, `${at}.action`, problems);
  const selection = parseSelection(raw.selection, `${at}.selection`, action, problems);
  if (problems.length > before || !selection || !action) return undefined;
  return { rulePriority: rulePriority as number, ...(description ? { description: description as string } : {}), selection, action: { type: action } };
}

function parseAction(raw: unknown, at: string, problems: string[]): RuleAction | undefined {
  if (!isObject(raw)) {
    problems.push(`${at}: missing; write "action": {"type": "expire"} (or "keep", see the README's Retention policies)`);
    return undefined;
  }
  const type = raw.type;
  if (type === 'transition') {
    problems.push(`${at}.type: "transition" (ECR's archive storage class) is not supported: Stratus has one storage class; use "expire"`);
    return undefined;
  }
  if (!ACTIONS.includes(type as RuleAction)) {
    problems.push(`${at}.type: ${show(type)} is not an action: write "expire" (or "keep", Stratus's extension)`);
    return undefined;
  }
  unknownKeys(raw, ['type'], at, problems);
  return type as RuleAction;
}

function parseSelection(raw: unknown, at: string, action: RuleAction | undefined, problems: string[]): RetentionRule['selection'] | undefined {
  if (!isObject(raw)) {
    problems.push(`${at}: missing; write e.g. "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}`);
    return undefined;
  }
  const before = problems.length;
  unknownKeys(raw, SELECTION_KEYS, at, problems);
  const { tagStatus, countType, countUnit, countNumber, storageClass } = raw;
  if (storageClass !== undefined && storageClass !== 'standard') {
    problems.push(`${at}.storageClass: ${show(storageClass)}: Stratus has one storage class; remove storageClass (or write "standard")`);
  }
  if (!TAG_STATUSES.includes(tagStatus as TagStatus)) {
    problems.push(`${at}.tagStatus: ${show(tagStatus)} is not one of "tagged", "untagged", "any"`);
  }
  const prefixes = tagList(raw.tagPrefixList, `${at}.tagPrefixList`, PREFIX, problems);
  const patterns = tagList(raw.tagPatternList, `${at}.tagPatternList`, PATTERN, problems);
  patterns?.forEach((p, i) => {
    const stars = p.split('*').length - 1;
    if (stars > MAX_PATTERN_WILDCARDS) problems.push(`${at}.tagPatternList[${i}]: "${p}" has ${stars} wildcards; at most ${MAX_PATTERN_WILDCARDS} (ECR's limit)`);
  });
  if (tagStatus === 'tagged' && !prefixes && !patterns) {
    problems.push(`${at}: a "tagged" rule needs "tagPrefixList" or "tagPatternList", e.g. "tagPatternList": ["ci-*"]; for every image use "tagStatus": "any"`);
  }
  if ((tagStatus === 'untagged' || tagStatus === 'any') && (prefixes || patterns)) {
    problems.push(`${at}: "tagPrefixList" and "tagPatternList" go only with "tagStatus": "tagged"; remove them or write "tagged"`);
  }
  if (countType === 'sinceImageTransitioned') {
    problems.push(`${at}.countType: "sinceImageTransitioned" (ECR's archive) is not supported: use "sinceImagePushed" or "sinceImagePulled"`);
  } else if (!COUNT_TYPES.includes(countType as CountType)) {
    problems.push(`${at}.countType: ${show(countType)} is not one of ${COUNT_TYPES.map((c) => `"${c}"`).join(', ')}`);
  }
  if (countType === 'imageCountMoreThan' && countUnit !== undefined) {
    problems.push(`${at}.countUnit: goes only with "sinceImagePushed" or "sinceImagePulled"; remove it (imageCountMoreThan counts images)`);
  }
  if ((countType === 'sinceImagePushed' || countType === 'sinceImagePulled') && countUnit !== 'days') {
    problems.push(`${at}.countUnit: ${countUnit === undefined ? 'missing' : `${show(countUnit)} is not a unit`}; write "countUnit": "days"`);
  }
  if (!Number.isSafeInteger(countNumber) || (countNumber as number) < 1) {
    problems.push(`${at}.countNumber: ${show(countNumber)} is not a whole number from 1`);
  }
  if (action === 'keep' && countType !== 'sinceImagePulled') {
    problems.push(`${at}.countType: a keep rule keeps what was pulled recently; write "countType": "sinceImagePulled" with "countUnit": "days"`);
  }
  if (problems.length > before) return undefined;
  return {
    tagStatus: tagStatus as TagStatus,
    ...(prefixes ? { tagPrefixList: prefixes } : {}),
    ...(patterns ? { tagPatternList: patterns } : {}),
    countType: countType as CountType,
    ...(countUnit ? { countUnit: 'days' as const } : {}),
    countNumber: countNumber as number,
  };
}

/** Checks that need every rule: unique priorities, and an `any` expire rule evaluated last. */
function checkAcrossRules(rules: RetentionRule[], raw: unknown[], problems: string[]): void {
  const indexOf = (rule: RetentionRule) => raw.findIndex((r) => isObject(r) && r.rulePriority === rule.rulePriority);
  const seen = new Map<number, number>();
  raw.forEach((r, i) => {
    if (!isObject(r) || !Number.isSafeInteger(r.rulePriority)) return;
    const first = seen.get(r.rulePriority as number);
    if (first !== undefined) problems.push(`rules[${i}].rulePriority: ${r.rulePriority} is also the priority of rules[${first}]; give each rule its own number`);
    else seen.set(r.rulePriority as number, i);
  });
  const highest = Math.max(...rules.map((r) => r.rulePriority));
  for (const rule of rules) {
    if (rule.action.type === 'expire' && rule.selection.tagStatus === 'any' && rule.rulePriority !== highest) {
      problems.push(`rules[${indexOf(rule)}].rulePriority: an expire rule with "tagStatus": "any" must have the highest rulePriority (it is evaluated last); give it more than ${highest}`);
    }
  }
}

function tagList(raw: unknown, at: string, shape: RegExp, problems: string[]): string[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`${at}: must be a non-empty list of strings, e.g. ["ci-"]`);
    return undefined;
  }
  raw.forEach((v, i) => {
    if (typeof v !== 'string' || !shape.test(v)) {
      problems.push(`${at}[${i}]: ${show(v)} is not a tag ${shape === PATTERN ? 'pattern' : 'prefix'}: 1 to 128 of letters, digits, '_', '.', '-'${shape === PATTERN ? ", and '*'" : ''}`);
    }
  });
  return raw as string[];
}

function unknownKeys(obj: Json, known: string[], at: string, problems: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) problems.push(`${at ? `${at}.` : ''}${key}: unknown field; the known ones here are ${known.join(', ')}`);
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v);
}
