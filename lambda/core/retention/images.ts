import { parseManifest } from '../../oci/manifest';
import { manifestKind } from '../../oci/media-types';
import type { ManifestFacts, RepositorySnapshot } from '../../ports/gc-store';

/** An image as retention sees it: a top-level manifest of a repository and the tags pointing at it. */
export interface Image {
  digest: string;
  /** Sorted; empty for an untagged image. */
  tags: string[];
  /** When it was last pushed (ms); items from before pushedAt was stored fall back to touchedAt, else 0. */
  pushedAt: number;
  /** When a GET last recorded a pull (at most about once an hour), if ever. */
  lastPulledAt?: number;
}

/** A repository's images, and the indexes whose children cannot be told (see childrenOf). */
export interface RepositoryImages {
  images: Image[];
  /** Indexes stored before `children` was recorded whose body is not inline: their children are unknown. */
  unknownChildren: string[];
}

/**
 * The images of a repository: its manifests that are neither a child of an index in the repository nor a
 * referrer (a `subject`). Index children and referrers follow their parent: never expired on their own.
 */
export function imagesOf(snapshot: RepositorySnapshot): RepositoryImages {
  const children = new Set<string>();
  const unknownChildren: string[] = [];
  for (const m of snapshot.manifests) {
    const named = childrenOf(m);
    if (named === undefined) unknownChildren.push(m.digest);
    else named.forEach((d) => children.add(d));
  }
  const tagsOf = new Map<string, string[]>();
  for (const { tag, digest } of snapshot.tags) tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tag]);
  const images = snapshot.manifests
    .filter((m) => !m.subject && !children.has(m.digest))
    .map((m) => ({
      digest: m.digest,
      tags: (tagsOf.get(m.digest) ?? []).sort(),
      pushedAt: m.pushedAt ?? m.touchedAt ?? 0,
      ...(m.lastPulledAt !== undefined ? { lastPulledAt: m.lastPulledAt } : {}),
    }));
  return { images, unknownChildren };
}

/** The manifests an index names: stored on the item, else read from its inline body; undefined when neither is there. */
function childrenOf(m: ManifestFacts): string[] | undefined {
  if (m.children) return m.children;
  if (manifestKind(m.mediaType) !== 'index') return [];
  if (!m.body) return undefined;
  try {
    return parseManifest(m.body, m.mediaType).requiredManifests;
  } catch {
    return undefined;
  }
}

