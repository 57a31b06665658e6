import type { ManifestService } from '../manifests/manifest-service';
import { mapLimit } from '../../shared/map-limit';

/** How deep the tree goes (a signature of an SBOM of an image is depth 2), and how wide per level. */
export const REFERRER_DEPTH = 3;
export const REFERRERS_PER_LEVEL = 100;
/** Referrer lists read per tree at most: a pathological tree costs a bounded number of Queries. */
const MAX_LISTS = 200;

/** A referrer of a manifest, with its own referrers. */
export interface ReferrerNode {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  size: number;
  annotations: Record<string, string>;
  referrers: ReferrerNode[];
}

/** The referrers of a manifest as a tree, at most REFERRER_DEPTH deep and REFERRERS_PER_LEVEL wide at each node. */
export async function referrerTree(manifests: Pick<ManifestService, 'referrers'>, repository: string, digest: string): Promise<ReferrerNode[]> {
  const budget = { lists: MAX_LISTS };
  const level = async (subject: string, depth: number): Promise<ReferrerNode[]> => {
    if (depth > REFERRER_DEPTH || budget.lists <= 0) return [];
    budget.lists--;
    const found = (await manifests.referrers(repository, subject)).slice(0, REFERRERS_PER_LEVEL);
    return mapLimit(found, 4, async (d) => ({
      digest: d.digest, mediaType: d.mediaType, artifactType: d.artifactType ?? null, size: d.size,
      annotations: d.annotations ?? {}, referrers: await level(d.digest, depth + 1),
    }));
  };
  return level(digest, 1);
}
