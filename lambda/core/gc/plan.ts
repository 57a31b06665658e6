import type { BlobFacts, LinkFacts, ManifestFacts, RegistrySnapshot, RepositorySnapshot } from '../../ports/gc-store';
import type { ObjectInfo } from '../../ports/blob-store';
import { formatAge, shortDigest } from './ages';
import { assessRepository } from './liveness';
import type { PlannedDeletion } from './types';

/** One repository's garbage as the snapshot shows it. */
export interface RepositoryPlan {
  repository: string;
  manifests: Array<{ facts: ManifestFacts; entry: PlannedDeletion }>;
  links: Array<{ facts: LinkFacts; entry: PlannedDeletion }>;
}

/** What one run sets out to delete from the table, and what it knows of the bucket. */
export interface RunPlan {
  repositories: RepositoryPlan[];
  /** Blob records no live link holds: collected once every snapshot link of theirs is deleted (or left `deleting`). */
  blobs: Array<{ facts: BlobFacts; entry: PlannedDeletion; links: number }>;
  /** Manifest bodies in the bucket, by key: the manifests (any repository) whose item names the key. */
  bodies: Map<string, { users: number; entry?: PlannedDeletion }>;
  /** Every object key an item of the snapshot names. */
  knownKeys: Set<string>;
  entries: PlannedDeletion[];
}

/**
 * The plan of a run from its snapshot (manifests resolved, see references.ts): garbage manifests and links
 * per repository (liveness.ts), blob records whose every link is garbage, and manifest bodies whose every
 * manifest is garbage. The dry run and the real run both use it; the real run then verifies each item.
 */
export function planRun(snapshot: RegistrySnapshot, cutoff: number, now: number): RunPlan {
  const plan: RunPlan = { repositories: [], blobs: [], bodies: new Map(), knownKeys: new Set(), entries: [] };
  const liveLinks = new Map<string, number>();
  const allLinks = new Map<string, number>();
  for (const repo of snapshot.repositories) {
    const planned = planRepository(repo, cutoff, now);
    if (planned.manifests.length + planned.links.length > 0) plan.repositories.push(planned);
    plan.entries.push(...planned.manifests.map((m) => m.entry), ...planned.links.map((l) => l.entry));
    const garbage = new Set(planned.links.map((l) => l.facts.digest));
    for (const l of repo.links) {
      allLinks.set(l.digest, (allLinks.get(l.digest) ?? 0) + 1);
      if (!garbage.has(l.digest)) liveLinks.set(l.digest, (liveLinks.get(l.digest) ?? 0) + 1);
    }
    for (const m of repo.manifests) {
      if (!m.bodyKey) continue;
      plan.knownKeys.add(m.bodyKey);
      const body = plan.bodies.get(m.bodyKey) ?? { users: 0 };
      body.users++;
      plan.bodies.set(m.bodyKey, body);
    }
  }
  // A body goes when every manifest naming it is garbage (keys written before per-PUT keys are shared).
  const garbageUsers = new Map<string, ManifestFacts[]>();
  for (const repo of plan.repositories) {
    for (const { facts } of repo.manifests) if (facts.bodyKey) garbageUsers.set(facts.bodyKey, [...(garbageUsers.get(facts.bodyKey) ?? []), facts]);
  }
  for (const [key, users] of garbageUsers) {
    const body = plan.bodies.get(key)!;
    if (users.length < body.users) continue;
    body.entry = { kind: 'object', key, bytes: users[0]!.size, reason: `body of garbage manifest ${shortDigest(users[0]!.digest)}`, done: false };
    plan.entries.push(body.entry);
  }
  for (const b of snapshot.blobs) {
    plan.knownKeys.add(b.objectKey);
    const dying = b.gcState === 'deleting';
    if (!dying && ((liveLinks.get(b.digest) ?? 0) > 0 || (b.touchedAt ?? 0) >= cutoff)) continue;
    const links = allLinks.get(b.digest) ?? 0;
    const reason = dying ? `left deleting by run ${b.gcRun ?? '?'}` : links > 0 ? 'its last links are garbage' : 'no repository links it';
    const entry: PlannedDeletion = { kind: 'blob', digest: b.digest, key: b.objectKey, bytes: b.size, reason, done: false };
    plan.blobs.push({ facts: b, entry, links });
    plan.entries.push(entry);
  }
  return plan;
}

function planRepository(repo: RepositorySnapshot, cutoff: number, now: number): RepositoryPlan {
  const verdicts = assessRepository(repo, cutoff, now);
  const manifests = repo.manifests.filter((m) => !verdicts.manifests.get(m.digest)!.live).map((facts) => ({
    facts,
    entry: {
      kind: 'manifest' as const, repository: repo.repository, digest: facts.digest,
      bytes: facts.bodyKey ? 0 : facts.size, reason: verdicts.manifests.get(facts.digest)!.reason, done: false,
    },
  }));
  const links = repo.links.filter((l) => !verdicts.links.get(l.digest)!.live).map((facts) => ({
    facts,
    entry: {
      kind: 'link' as const, repository: repo.repository, digest: facts.digest, bytes: 0,
      reason: verdicts.links.get(facts.digest)!.reason, done: false,
    },
  }));
  return { repository: repo.repository, manifests, links };
}

/** The prefixes of the bucket a run lists for unrecorded objects (core/storage-layout.ts). */
export const LISTED_PREFIXES = ['blobs/', 'manifests/', 'uploads/'];

/** The upload session that owns an object (`blobs/<id>`, `uploads/<id>/...`), if any. */
export function uploadIdOf(key: string): string | undefined {
  if (key.startsWith('blobs/')) return key.slice('blobs/'.length).split('/')[0] || undefined;
  if (key.startsWith('uploads/')) return key.slice('uploads/'.length).split('/')[0] || undefined;
  return undefined;
}

/**
 * Objects no item names, older than `olderThan` (ms since the epoch) and owned by no upload session of the
 * snapshot: the unrecorded objects a run deletes (after checking the sessions and the table again).
 */
export function planOrphan(o: ObjectInfo, plan: RunPlan, uploadIds: Set<string>, olderThan: number, now: number): PlannedDeletion | null {
  if (plan.knownKeys.has(o.key) || o.lastModified >= olderThan) return null;
  const id = uploadIdOf(o.key);
  if (id && uploadIds.has(id)) return null;
  const reason = `no record names it, written ${formatAge(now - o.lastModified)} ago`;
  return { kind: 'object', key: o.key, bytes: o.size, reason, done: false };
}
