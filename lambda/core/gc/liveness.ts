import type { ManifestFacts, RepositorySnapshot } from '../../ports/gc-store';
import { formatAge, shortDigest } from './ages';

/** Whether an item is live, and why (or why it is garbage). */
export interface Verdict {
  live: boolean;
  reason: string;
}

/** Every manifest's and link's verdict in one repository, by digest. */
export interface RepositoryLiveness {
  manifests: Map<string, Verdict>;
  links: Map<string, Verdict>;
}

/**
 * What is live in one repository (README "What is live"): tagged manifests, children of live indexes,
 * referrers of live subjects, and whatever was touched at or after `cutoff`, with every blob they name.
 * Pure: the plan and the verify step run this same function on the snapshot and on the re-read.
 * Manifests must have `blobs` and `children` resolved (see references.ts); one left without them (its body
 * could not be read) keeps the whole repository, since what it names is unknown.
 */
export function assessRepository(repo: RepositorySnapshot, cutoff: number, now: number): RepositoryLiveness {
  const unreadable = repo.manifests.find((m) => m.blobs === undefined || m.children === undefined);
  if (unreadable) return keepAll(repo, `manifest ${shortDigest(unreadable.digest)} could not be read: the repository is kept`);

  const byDigest = new Map(repo.manifests.map((m) => [m.digest, m]));
  const referrers = referrersBySubject(repo.manifests);
  const live = new Map<string, string>();
  const queue: string[] = [];
  const mark = (digest: string, reason: string) => {
    if (!byDigest.has(digest) || live.has(digest)) return;
    live.set(digest, reason);
    queue.push(digest);
  };
  for (const t of repo.tags) mark(t.digest, `tagged ${t.tag}`);
  for (const m of repo.manifests) if (touched(m) >= cutoff) mark(m.digest, 'younger than grace');
  while (queue.length > 0) {
    const digest = queue.shift()!;
    for (const child of byDigest.get(digest)!.children!) mark(child, `child of live index ${shortDigest(digest)}`);
    for (const r of referrers.get(digest) ?? []) mark(r, `referrer of live ${shortDigest(digest)}`);
  }

  const manifests = new Map<string, Verdict>();
  const namedBy = new Map<string, string>();
  for (const m of repo.manifests) {
    const reason = live.get(m.digest);
    manifests.set(m.digest, reason ? { live: true, reason } : { live: false, reason: garbageReason(m, now) });
    if (reason) for (const b of m.blobs!) if (!namedBy.has(b)) namedBy.set(b, m.digest);
  }
  const links = new Map<string, Verdict>();
  for (const l of repo.links) {
    const by = namedBy.get(l.digest);
    if (by) links.set(l.digest, { live: true, reason: `named by live ${shortDigest(by)}` });
    else if ((l.touchedAt ?? 0) >= cutoff) links.set(l.digest, { live: true, reason: 'younger than grace' });
    else links.set(l.digest, { live: false, reason: 'no live manifest names it' });
  }
  return { manifests, links };
}

/** When a manifest was last pushed or named by a new push (0 when never recorded). */
function touched(m: ManifestFacts): number {
  return Math.max(m.touchedAt ?? 0, m.pushedAt ?? 0);
}

function garbageReason(m: ManifestFacts, now: number): string {
  if (m.subject) return `referrer of ${shortDigest(m.subject)}, which is not live`;
  const at = m.pushedAt ?? m.touchedAt;
  return at ? `untagged, pushed ${formatAge(now - at)} ago, nothing reaches it` : 'untagged, nothing reaches it';
}

function referrersBySubject(manifests: ManifestFacts[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of manifests) if (m.subject) out.set(m.subject, [...(out.get(m.subject) ?? []), m.digest]);
  return out;
}

function keepAll(repo: RepositorySnapshot, reason: string): RepositoryLiveness {
  const verdict = { live: true, reason };
  return {
    manifests: new Map(repo.manifests.map((m) => [m.digest, verdict])),
    links: new Map(repo.links.map((l) => [l.digest, verdict])),
  };
}
