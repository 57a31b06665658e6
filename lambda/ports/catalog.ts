import type { Page } from './page';

/**
 * The repository catalog. A repository enters it when a blob is linked or a manifest stored there
 * (BlobIndex.linkBlob, ManifestStore.putManifest) and stays listed after its content is deleted.
 */
export interface Catalog {
  /** Whether the repository holds anything (or ever did). */
  repositoryExists(repository: string): Promise<boolean>;
  /** Lists a repository (its first write: an upload's commit or a manifest put found it unlisted); idempotent. */
  addRepository(repository: string): Promise<void>;
  /** Repository names in lexical order, after `last`, at most n. */
  listRepositories(n: number, last?: string): Promise<Page>;
}
