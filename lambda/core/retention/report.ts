/**
 * The lines `retention preview` and `retention apply` print (and the scheduled run logs): one per image,
 * the same text for an image whether previewed or expired, so that the two can be compared line by line.
 */
import type { ExpiryResult, RetentionReport } from './apply';
import type { ImageDecision } from './evaluate';
import type { RepositoryPlan, RetentionPlan } from './plan';

/** `expire  team/app  ci-14,ci-14b  sha256:...  pushed 2026-01-02 10:00Z  last pulled never  rule 1 "ci": <reason>`. */
export function decisionLine(verb: 'expire' | 'keep' | 'skip' | 'fail', repository: string, d: ImageDecision): string {
  const { image, rule } = d;
  const tags = image.tags.length ? image.tags.join(',') : '<untagged>';
  const pulled = image.lastPulledAt !== undefined ? time(image.lastPulledAt) : 'never';
  const ruleName = `rule ${rule.priority}${rule.description ? ` "${rule.description}"` : ''}`;
  return [verb.padEnd(6), repository, tags, image.digest, `pushed ${image.pushedAt > 0 ? time(image.pushedAt) : 'unknown'}`, `last pulled ${pulled}`, `${ruleName}: ${d.reason}`].join('  ');
}

/** Every line of a plan: per repository its header, the images kept against a rule, then those to expire. */
export function planLines(plan: RetentionPlan): string[] {
  return plan.repositories.flatMap((repo) => [...repositoryLines(repo), ...repo.expire.map((d) => decisionLine('expire', repo.repository, d))]);
}

/**
 * A repository's header and its kept images: what `apply` prints before it expires the repository's images
 * (each expired image's line then follows as it is done), so that its output reads as the preview's.
 */
export function repositoryLines(repo: RepositoryPlan): string[] {
  if (repo.invalidPolicy) return [`${repo.repository}: policy ${repo.pattern} no longer parses, nothing expired: ${repo.invalidPolicy}`];
  const expire = repo.expire.length ? `${repo.expire.length} to expire` : 'nothing to expire';
  return [
    `${repo.repository}: policy ${repo.pattern}, ${expire}, ${repo.kept.length} kept against a rule`,
    ...repo.kept.map((d) => decisionLine('keep', repo.repository, d)),
  ];
}

/** The line of one applied image: its preview line when expired, else what happened instead. */
export function resultLine(r: ExpiryResult): string {
  switch (r.outcome) {
    case 'expired': return decisionLine('expire', r.repository, r.decision);
    case 'gone': return `${decisionLine('expire', r.repository, r.decision)}  (already deleted)`;
    case 'skipped': return `${decisionLine('skip', r.repository, r.decision)}  (skipped: ${r.detail})`;
    case 'failed': return `${decisionLine('fail', r.repository, r.decision)}  (failed: ${r.detail})`;
  }
}

/** The preview's last line: `3 images to expire (4 tags) in 2 of 5 repositories with a policy; 1 kept`. */
export function previewSummary(plan: RetentionPlan): string {
  const expire = plan.repositories.flatMap((r) => r.expire);
  const kept = plan.repositories.reduce((n, r) => n + r.kept.length, 0);
  const touched = plan.repositories.filter((r) => r.expire.length > 0).length;
  const invalid = plan.repositories.filter((r) => r.invalidPolicy).length;
  return `${count(expire.length, 'image')} to expire (${tagCount(expire)}) in ${touched} of ${count(plan.repositories.length, 'repository', 'repositories')} with a policy; ${kept} kept`
    + (invalid ? `; ${invalid} with a policy that no longer parses (fix it with npx stratus retention set)` : '');
}

/** The apply's last line: what was deleted, skipped and failed. */
export function applySummary(report: RetentionReport): string {
  const by = (o: ExpiryResult['outcome']) => report.results.filter((r) => r.outcome === o);
  const expired = by('expired');
  const repositories = new Set(expired.map((r) => r.repository)).size;
  return `expired ${count(expired.length, 'image')} (${tagCount(expired.map((r) => r.decision))}) in ${count(repositories, 'repository', 'repositories')}; `
    + `${by('skipped').length} skipped, ${by('gone').length} already deleted, ${by('failed').length} failed; npx stratus gc reclaims their storage once the grace period has passed`;
}

function tagCount(decisions: ImageDecision[]): string {
  const tags = decisions.reduce((n, d) => n + d.image.tags.length, 0);
  const untagged = decisions.filter((d) => d.image.tags.length === 0).length;
  return `${count(tags, 'tag')}, ${untagged} untagged`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `2026-01-02 10:00Z`: minutes are enough to tell images apart, and the line stays short. */
function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}
