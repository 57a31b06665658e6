import { parseManifest } from '../../oci/manifest';
import type { BlobStore } from '../../ports/blob-store';
import type { ManifestFacts, RepositorySnapshot } from '../../ports/gc-store';
import type { Logger } from '../../shared/logger';

/**
 * The repository with every manifest's `blobs` and `children` known: items written before these were stored
 * are parsed from their inline body or their body object. A body that cannot be read or parsed leaves them
 * undefined, which liveness answers by keeping the repository.
 */
export async function withReferences(repo: RepositorySnapshot, blobs: BlobStore, logger: Logger): Promise<RepositorySnapshot> {
  if (repo.manifests.every((m) => m.blobs !== undefined && m.children !== undefined)) return repo;
  const manifests = await Promise.all(repo.manifests.map((m) => resolve(repo.repository, m, blobs, logger)));
  return { ...repo, manifests };
}

async function resolve(repository: string, m: ManifestFacts, blobs: BlobStore, logger: Logger): Promise<ManifestFacts> {
  if (m.blobs !== undefined && m.children !== undefined) return m;
  try {
    const body = m.body ?? (m.bodyKey ? await readAll(blobs, m.bodyKey) : null);
    if (!body) throw new Error(m.bodyKey ? `body object ${m.bodyKey} is missing` : 'no body stored');
    const parsed = parseManifest(body, m.mediaType);
    return { ...m, blobs: m.blobs ?? parsed.requiredBlobs, children: m.children ?? parsed.requiredManifests };
  } catch (err) {
    logger.warn('gc: manifest body unreadable, repository kept', { repository, digest: m.digest, error: String(err) });
    return m;
  }
}

async function readAll(blobs: BlobStore, key: string): Promise<Uint8Array | null> {
  const stream = await blobs.get(key);
  if (!stream) return null;
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}
