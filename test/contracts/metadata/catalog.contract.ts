/** The Catalog contract: repositories enter it with their first blob link or manifest, listed in order. */
import type { BlobIndex } from '../../../lambda/ports/blob-index';
import type { Catalog } from '../../../lambda/ports/catalog';
import type { ManifestStore } from '../../../lambda/ports/manifest-store';
import { blobRecord, manifestRecord, NOW } from './fixtures';

/** Declares the Catalog contract tests for fresh, empty stores from `make` (with the ports that fill it). */
export function catalogContract(name: string, make: () => Promise<Catalog & BlobIndex & ManifestStore>): void {
  describe(`Catalog contract: ${name}`, () => {
    let store: Catalog & BlobIndex & ManifestStore;
    beforeAll(async () => { store = await make(); });

    it('an empty catalog lists nothing and knows no repository', async () => {
      expect(await store.listRepositories(10)).toEqual({ items: [], more: false });
      expect(await store.repositoryExists('team/app')).toBe(false);
    });

    it('a blob link or a manifest puts a repository in the catalog, once; it stays after the manifest is deleted', async () => {
      for (const blob of [blobRecord('a'), blobRecord('b')]) await store.createBlob(blob, NOW).then(() => store.linkBlob('team/app', blob, NOW));
      const m = manifestRecord('{"c":1}');
      await store.putManifest('team/api', m, ['v1'], { now: NOW });
      await store.deleteManifest('team/api', m.digest);
      expect(await store.repositoryExists('team/app')).toBe(true);
      expect(await store.repositoryExists('team/api')).toBe(true);
      expect(await store.repositoryExists('team')).toBe(false);
      expect(await store.listRepositories(10)).toEqual({ items: ['team/api', 'team/app'], more: false });
    });

    it('listRepositories: lexical order, n and last, `more` while names follow; n = 0 -> empty', async () => {
      for (const repo of ['z', 'a/b', 'a', 'A', 'a-b']) await store.createBlob(blobRecord(repo), NOW).then(({ record }) => store.linkBlob(repo, record, NOW));
      const all = ['A', 'a', 'a-b', 'a/b', 'team/api', 'team/app', 'z'];
      expect(await store.listRepositories(100)).toEqual({ items: all, more: false });
      expect(await store.listRepositories(3)).toEqual({ items: all.slice(0, 3), more: true });
      expect(await store.listRepositories(3, 'a-b')).toEqual({ items: ['a/b', 'team/api', 'team/app'], more: true });
      expect(await store.listRepositories(3, 'team/app')).toEqual({ items: ['z'], more: false });
      expect(await store.listRepositories(7)).toEqual({ items: all, more: false });
      expect(await store.listRepositories(0)).toEqual({ items: [], more: false });
    });
  });
}
