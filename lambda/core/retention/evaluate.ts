import type { Image, RepositoryImages } from './images';
import { DAY_MS, LifecyclePolicy, RetentionRule, RuleAction, RuleSelection } from './policy';

/** The rule a decision comes from, as reports name it. */
export interface RuleRef {
  priority: number;
  description?: string;
  action: RuleAction;
}

/** One image decided on, with the rule and the reason in words. */
export interface ImageDecision {
  image: Image;
  rule: RuleRef;
  reason: string;
}

/** What a policy does to a repository: images to expire, and images a rule would expire but that are kept (and why). */
export interface Evaluation {
  expire: ImageDecision[];
  kept: ImageDecision[];
}

export interface EvaluationInput {
  repository: RepositoryImages;
  policy: LifecyclePolicy;
  now: number;
  /** Whether a tag of this repository is immutable (an image with one is never expired). */
  isImmutable: (tag: string) => boolean;
}

/**
 * Evaluates a policy as ECR does: rules in rulePriority order; each ranks the images its tag selection
 * matches, newest push first, counting every one of them (also those a higher rule already decided on), and
 * decides only on images no higher rule claimed. An expire rule claims every image its tag selection matches,
 * expired or not: a lower rule never expires it. A keep rule claims only the images it keeps (pulled within
 * countNumber days). An image with an immutable tag is never expired: it is listed as kept.
 */
export function evaluateRetention({ repository, policy, now, isImmutable }: EvaluationInput): Evaluation {
  const claimed = new Map<string, { rule: RuleRef; reason?: string }>();
  const expire: ImageDecision[] = [];
  const kept = new Map<string, ImageDecision>();
  for (const rule of policy.rules) {
    const ref = refOf(rule);
    const selects = tagSelector(rule.selection);
    const selected = repository.images.filter((img) => selects(img.tags)).sort(newestFirst);
    if (rule.action.type === 'keep') {
      for (const image of selected) {
        const why = !claimed.has(image.digest) && pulledWithin(rule.selection, image, now);
        if (why) claimed.set(image.digest, { rule: ref, reason: why });
      }
      continue;
    }
    selected.forEach((image, rank) => {
      const why = expiryReason(rule.selection, image, rank, now);
      const claim = claimed.get(image.digest);
      if (claim) {
        // kept by a keep rule: say so once, naming the first rule that would have expired it
        if (why && claim.reason && !kept.has(image.digest)) {
          kept.set(image.digest, { image, rule: claim.rule, reason: `${claim.reason}; kept from rule ${rule.rulePriority}: ${why}` });
        }
        return;
      }
      claimed.set(image.digest, { rule: ref });
      if (!why) return;
      const immutable = image.tags.filter(isImmutable);
      if (immutable.length > 0) {
        kept.set(image.digest, { image, rule: ref, reason: `${why}; kept: ${plural(immutable.length, 'tag')} ${immutable.join(', ')} ${immutable.length > 1 ? 'are' : 'is'} immutable` });
      } else if (image.tags.length === 0 && repository.unknownChildren.length > 0) {
        kept.set(image.digest, { image, rule: ref, reason: `${why}; kept: it may belong to index ${repository.unknownChildren[0]}, whose children are not recorded (re-push that index)` });
      } else {
        expire.push({ image, rule: ref, reason: why });
      }
    });
  }
  return { expire, kept: [...kept.values()] };
}

/**
 * Whether a rule's tag selection matches an image, by its tags (ECR: every prefix or pattern listed must
 * match one of its tags). Patterns are compiled once per rule: a repository may hold thousands of images.
 */
export function tagSelector(selection: RuleSelection): (tags: string[]) => boolean {
  switch (selection.tagStatus) {
    case 'any': return () => true;
    case 'untagged': return (tags) => tags.length === 0;
    case 'tagged': {
      const prefixes = selection.tagPrefixList ?? [];
      const patterns = (selection.tagPatternList ?? []).map(wildcardRegExp);
      return (tags) => tags.length > 0
        && prefixes.every((prefix) => tags.some((t) => t.startsWith(prefix)))
        && patterns.every((pattern) => tags.some((t) => pattern.test(t)));
    }
  }
}

/** ECR's wildcard (`*`: any run of characters, the rest literal, the whole tag), as a RegExp. */
function wildcardRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

/** Why the rule expires the image at this rank (0 = newest of those it selects), or undefined when it does not. */
function expiryReason(selection: RuleSelection, image: Image, rank: number, now: number): string | undefined {
  const what = describeSelection(selection);
  const n = selection.countNumber;
  switch (selection.countType) {
    case 'imageCountMoreThan':
      return rank >= n ? `more than ${n} ${plural(n, 'image')}${what ? ` ${what}` : ''}; this is the ${ordinal(rank + 1)} newest` : undefined;
    case 'sinceImagePushed': {
      const days = daysSince(image.pushedAt, now);
      return days !== undefined && days > n ? `${what ? `${what}, ` : ''}pushed ${plural(days, 'day', true)} ago, more than ${n}` : undefined;
    }
    case 'sinceImagePulled': {
      const pulled = lastPull(image, now);
      return pulled && pulled.days > n ? `${what ? `${what}, ` : ''}${pulled.text}, more than ${n}` : undefined;
    }
  }
}

/** A keep rule's reason to keep the image, or undefined. */
function pulledWithin(selection: RuleSelection, image: Image, now: number): string | undefined {
  const pulled = lastPull(image, now);
  if (!pulled || pulled.days > selection.countNumber) return undefined;
  return `${pulled.text}, within ${selection.countNumber}`;
}

/** Days since the last pull, or since the push when never pulled (ECR's rule); undefined when neither is known. */
function lastPull(image: Image, now: number): { days: number; text: string } | undefined {
  if (image.lastPulledAt !== undefined) {
    const days = daysSince(image.lastPulledAt, now)!;
    return { days, text: `last pulled ${plural(days, 'day', true)} ago` };
  }
  const days = daysSince(image.pushedAt, now);
  return days === undefined ? undefined : { days, text: `never pulled, pushed ${plural(days, 'day', true)} ago` };
}

/** Whole days elapsed; undefined for an unknown time (0: stored before Stratus recorded it). */
function daysSince(at: number, now: number): number | undefined {
  return at > 0 ? Math.floor(Math.max(0, now - at) / DAY_MS) : undefined;
}

/** `tagged with prefix ci-`, `tagged matching prod* and rc*`, `untagged`, or '' for any. */
export function describeSelection(selection: RuleSelection): string {
  if (selection.tagStatus === 'untagged') return 'untagged';
  if (selection.tagStatus === 'any') return '';
  const parts: string[] = [];
  const prefixes = selection.tagPrefixList ?? [];
  const patterns = selection.tagPatternList ?? [];
  if (prefixes.length) parts.push(`with ${prefixes.length > 1 ? 'prefixes' : 'prefix'} ${prefixes.join(' and ')}`);
  if (patterns.length) parts.push(`matching ${patterns.join(' and ')}`);
  return `tagged ${parts.join(' and ')}`;
}

function refOf(rule: RetentionRule): RuleRef {
  return { priority: rule.rulePriority, ...(rule.description ? { description: rule.description } : {}), action: rule.action.type };
}

// Ties (same push time) in digest order, so that every run and every host ranks alike.
function newestFirst(a: Image, b: Image): number {
  return b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
}

/** `word` or `words` for n of them; with `count`, preceded by n. */
function plural(n: number, word: string, count = false): string {
  const w = n === 1 ? word : `${word}s`;
  return count ? `${n} ${w}` : w;
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}
