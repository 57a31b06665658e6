/** The BlobIndex contract: blob records once per digest, links per repository. */
import type { BlobIndex } from '../../../lambda/ports/blob-index';
import type { Catalog } from '../../../lambda/ports/catalog';
import { blobRecord, digestOf, NOW, uniqueRepo } from './fixtures';

/** Declares the BlobIndex contract tests for the stores `make` returns (with the catalog they write to). */
export function blobIndexContract(name: string, make: () => Promise<BlobIndex & Catalog>): void {
  describe(`BlobIndex contract: ${name}`, () => {
    let store: BlobIndex & Catalog;
    beforeAll(async () => { store = await make(); });

    it('getBlob -> null until createBlob, then the record', async () => {
      const record = blobRecord(`unknown-${Math.random()}`);
      expect(await store.getBlob(record.digest)).toBeNull();
      expect(await store.createBlob(record, NOW)).toEqual({ created: true, record });
      expect(await store.getBlob(record.digest)).toEqual(record);
    });

    it('createBlob of a digest already recorded -> created: false with the existing record, which is kept', async () => {
      const first = blobRecord(`same-${Math.random()}`, 'blobs/first');
      await store.createBlob(first, NOW);
      const again = { ...first, objectKey: 'blobs/second' };
      expect(await store.createBlob(again, NOW)).toEqual({ created: false, record: first });
      expect(await store.getBlob(first.digest)).toEqual(first);
    });

    it('concurrent createBlob of one digest: exactly one creates, every caller gets the winner', async () => {
      const text = `race-${Math.random()}`;
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.createBlob(blobRecord(text, `blobs/r${i}`), NOW)));
      const winners = results.filter((r) => r.created);
      expect(winners).toHaveLength(1);
      for (const r of results) expect(r.record).toEqual(winners[0]!.record);
    });

    it('getLinkedBlob -> null until linkBlob (in that repository only); the repository enters the catalog', async () => {
      const repo = uniqueRepo('link');
      const other = uniqueRepo('other');
      const record = blobRecord(`linked-${Math.random()}`);
      expect(await store.getLinkedBlob(repo, record.digest)).toBeNull();
      await store.linkBlob(repo, record, NOW);
      expect(await store.getLinkedBlob(repo, record.digest)).toEqual(record);
      expect(await store.getLinkedBlob(other, record.digest)).toBeNull();
      expect(await store.repositoryExists(repo)).toBe(true);
    });

    it('unlinkBlob -> true once, then false; the blob record itself stays', async () => {
      const repo = uniqueRepo('unlink');
      const record = blobRecord(`unlink-${Math.random()}`);
      await store.createBlob(record, NOW);
      await store.linkBlob(repo, record, NOW);
      expect(await store.unlinkBlob(repo, record.digest)).toBe(true);
      expect(await store.unlinkBlob(repo, record.digest)).toBe(false);
      expect(await store.getLinkedBlob(repo, record.digest)).toBeNull();
      expect(await store.getBlob(record.digest)).toEqual(record);
    });

    it('missingBlobs lists the digests not linked, in the order given, past 100 at once', async () => {
      const repo = uniqueRepo('missing');
      const digests = Array.from({ length: 150 }, (_, i) => digestOf(`${repo}-${i}`));
      const linked = new Set(digests.filter((_, i) => i % 3 === 0));
      await Promise.all([...linked].map((d) => store.linkBlob(repo, { digest: d, size: 1, objectKey: `blobs/${d}` }, NOW)));
      expect(await store.missingBlobs(repo, digests)).toEqual(digests.filter((d) => !linked.has(d)));
      expect(await store.missingBlobs(repo, [])).toEqual([]);
    });
  });
}
