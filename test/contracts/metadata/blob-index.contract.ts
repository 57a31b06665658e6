/** The BlobIndex contract: blob records once per digest, links per repository, and the collector's marks they clear. */
import { BlobIndex, BlobRecordGoneError } from '../../../lambda/ports/blob-index';
import type { Catalog } from '../../../lambda/ports/catalog';
import type { UploadSessionStore } from '../../../lambda/ports/upload-session-store';
import type { CollectorMarks } from './collector-marks';
import { blobRecord, digestOf, NOW, uniqueRepo, uploadSession } from './fixtures';

/** Declares the BlobIndex contract tests for the stores `make` returns (with the catalog they write to). */
export function blobIndexContract(
  name: string, make: () => Promise<{ store: BlobIndex & Catalog & UploadSessionStore; marks: CollectorMarks }>,
): void {
  describe(`BlobIndex contract: ${name}`, () => {
    let store: BlobIndex & Catalog & UploadSessionStore;
    let marks: CollectorMarks;
    beforeAll(async () => { ({ store, marks } = await make()); });

    it('readUploadTarget: the live session (null when expired or not asked for), the record and whether the repository is listed', async () => {
      const repo = uniqueRepo('target');
      const record = blobRecord(`target-${Math.random()}`);
      const nowSeconds = Math.floor(Date.now() / 1000);
      const live = uploadSession(nowSeconds + 3600, { repository: repo });
      const dead = uploadSession(nowSeconds - 10, { repository: repo });
      await store.createUpload(live);
      await store.createUpload(dead);
      expect(await store.readUploadTarget(repo, record.digest, Date.now(), live.id)).toEqual({ session: live, record: null, listed: false });
      await store.createBlob(record, NOW);
      await store.addRepository(repo);
      expect(await store.readUploadTarget(repo, record.digest, Date.now())).toEqual({ session: null, record: { ...record, touchedAt: NOW }, listed: true });
      expect((await store.readUploadTarget(repo, record.digest, Date.now(), dead.id)).session).toBeNull();
    });

    it('commitUpload create: the record, link and back-link written and the session deleted in one write; a second create -> false, nothing written', async () => {
      const repo = uniqueRepo('commit');
      const record = blobRecord(`commit-${Math.random()}`);
      const session = uploadSession(Math.floor(Date.now() / 1000) + 3600, { repository: repo });
      await store.createUpload(session);
      expect(await store.commitUpload(repo, record, { kind: 'create' }, NOW, session.id)).toBe(true);
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW });
      expect(await store.getLinkedBlob(repo, record.digest, { consistent: true })).toEqual({ ...record, touchedAt: NOW });
      expect(await store.getUpload(session.id)).toBeNull();
      const other = uniqueRepo('commit-other');
      expect(await store.commitUpload(other, { ...record, objectKey: 'blobs/dup' }, { kind: 'create' }, NOW + 1)).toBe(false);
      expect(await store.getLinkedBlob(other, record.digest, { consistent: true })).toBeNull();
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW });
    });

    it('commitUpload renew: a condemned record renewed and linked; a deleting or re-pointed one -> false; replace takes a deleting one', async () => {
      const record = blobRecord(`renew-${Math.random()}`);
      await store.createBlob(record, NOW);
      await marks.mark({ kind: 'blob', digest: record.digest }, 'condemned');
      const repo = uniqueRepo('renew-commit');
      expect(await store.commitUpload(repo, record, { kind: 'renew', objectKey: record.objectKey }, NOW + 5)).toBe(true);
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW + 5 });
      expect(await store.commitUpload(repo, record, { kind: 'renew', objectKey: 'blobs/elsewhere' }, NOW + 6)).toBe(false);
      await marks.mark({ kind: 'blob', digest: record.digest }, 'deleting');
      const late = uniqueRepo('renew-late');
      expect(await store.commitUpload(late, record, { kind: 'renew', objectKey: record.objectKey }, NOW + 7)).toBe(false);
      expect(await store.getLinkedBlob(late, record.digest, { consistent: true })).toBeNull();
      const fresh = { ...record, objectKey: 'blobs/fresh-copy' };
      expect(await store.commitUpload(late, fresh, { kind: 'replace', objectKey: 'blobs/not-it' }, NOW + 8)).toBe(false);
      expect(await store.commitUpload(late, fresh, { kind: 'replace', objectKey: record.objectKey }, NOW + 8)).toBe(true);
      expect(await store.getBlob(record.digest)).toEqual({ ...fresh, touchedAt: NOW + 8 });
      expect((await store.getLinkedBlob(late, record.digest, { consistent: true }))?.objectKey).toBe('blobs/fresh-copy');
    });

    it('getBlob -> null until createBlob, then the record, touched at the time given', async () => {
      const record = blobRecord(`unknown-${Math.random()}`);
      expect(await store.getBlob(record.digest)).toBeNull();
      expect(await store.createBlob(record, NOW)).toEqual({ created: true, record: { ...record, touchedAt: NOW } });
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW });
    });

    it('createBlob of a digest already recorded -> created: false with the existing record, which is kept', async () => {
      const first = blobRecord(`same-${Math.random()}`, 'blobs/first');
      await store.createBlob(first, NOW);
      const again = { ...first, objectKey: 'blobs/second' };
      expect(await store.createBlob(again, NOW + 1)).toEqual({ created: false, record: { ...first, touchedAt: NOW } });
      expect(await store.getBlob(first.digest)).toEqual({ ...first, touchedAt: NOW });
    });

    it('createBlob of a record the collector is deleting -> created: false with the record as stored (gcState deleting)', async () => {
      const record = blobRecord(`dying-${Math.random()}`);
      await store.createBlob(record, NOW);
      await marks.mark({ kind: 'blob', digest: record.digest }, 'deleting');
      expect(await store.createBlob({ ...record, objectKey: 'blobs/fresh' }, NOW + 1))
        .toEqual({ created: false, record: { ...record, touchedAt: NOW, gcState: 'deleting' } });
    });

    it('concurrent createBlob of one digest: exactly one creates, every caller gets the winner', async () => {
      const text = `race-${Math.random()}`;
      const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.createBlob(blobRecord(text, `blobs/r${i}`), NOW)));
      const winners = results.filter((r) => r.created);
      expect(winners).toHaveLength(1);
      for (const r of results) expect(r.record).toEqual(winners[0]!.record);
    });

    it('replaceBlob: replaces a record that still names the expected object (dying or not) with a fresh one; else false', async () => {
      const record = blobRecord(`replace-${Math.random()}`, 'blobs/old');
      await store.createBlob(record, NOW);
      await marks.mark({ kind: 'blob', digest: record.digest }, 'deleting');
      expect(await store.replaceBlob({ ...record, objectKey: 'blobs/new' }, 'blobs/old', NOW + 5)).toBe(true);
      expect(await store.getBlob(record.digest)).toEqual({ ...record, objectKey: 'blobs/new', touchedAt: NOW + 5 });
      expect(await store.replaceBlob({ ...record, objectKey: 'blobs/late' }, 'blobs/old', NOW + 6)).toBe(false);
      expect((await store.getBlob(record.digest))!.objectKey).toBe('blobs/new');
      const absent = blobRecord(`replace-absent-${Math.random()}`);
      expect(await store.replaceBlob(absent, 'blobs/anything', NOW)).toBe(true);
      expect(await store.getBlob(absent.digest)).toEqual({ ...absent, touchedAt: NOW });
    });

    it('getLinkedBlob -> null until linkBlob (in that repository only); the repository enters the catalog', async () => {
      const repo = uniqueRepo('link');
      const other = uniqueRepo('other');
      const record = blobRecord(`linked-${Math.random()}`);
      await store.createBlob(record, NOW);
      expect(await store.getLinkedBlob(repo, record.digest)).toBeNull();
      await store.linkBlob(repo, record, NOW + 1);
      expect(await store.getLinkedBlob(repo, record.digest)).toEqual({ ...record, touchedAt: NOW + 1 });
      expect(await store.getLinkedBlob(other, record.digest)).toBeNull();
      expect(await store.repositoryExists(repo)).toBe(true);
    });

    it('linkBlob renews the blob record (touchedAt, condemned mark removed) and writes a back-link per repository', async () => {
      const [a, b] = [uniqueRepo('renew-a'), uniqueRepo('renew-b')];
      const record = blobRecord(`renew-${Math.random()}`);
      await store.createBlob(record, NOW);
      await marks.mark({ kind: 'blob', digest: record.digest }, 'condemned');
      await store.linkBlob(a, record, NOW + 7);
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW + 7 });
      expect(await marks.marksOf({ kind: 'blob', digest: record.digest })).toEqual({ touchedAt: NOW + 7 });
      await store.linkBlob(b, record, NOW + 8);
      expect(await marks.backLinks(record.digest)).toEqual([a, b].sort());
    });

    it('linkBlob of a record absent or being deleted -> BlobRecordGoneError, and nothing is linked', async () => {
      const repo = uniqueRepo('gone');
      const absent = blobRecord(`absent-${Math.random()}`);
      await expect(store.linkBlob(repo, absent, NOW)).rejects.toBeInstanceOf(BlobRecordGoneError);
      const dying = blobRecord(`dying-${Math.random()}`);
      await store.createBlob(dying, NOW);
      await marks.mark({ kind: 'blob', digest: dying.digest }, 'deleting');
      await expect(store.linkBlob(repo, dying, NOW + 1)).rejects.toBeInstanceOf(BlobRecordGoneError);
      expect(await store.getLinkedBlob(repo, absent.digest)).toBeNull();
      expect(await store.getLinkedBlob(repo, dying.digest)).toBeNull();
      expect(await marks.backLinks(dying.digest)).toEqual([]);
      expect(await marks.marksOf({ kind: 'blob', digest: dying.digest })).toMatchObject({ gcState: 'deleting' });
    });

    it('concurrent links of one blob into many repositories all succeed (transaction conflicts are retried)', async () => {
      const record = blobRecord(`crowd-${Math.random()}`);
      await store.createBlob(record, NOW);
      const repos = Array.from({ length: 8 }, (_, i) => uniqueRepo(`crowd${i}`));
      await Promise.all(repos.map((r) => store.linkBlob(r, record, NOW + 1)));
      expect(await marks.backLinks(record.digest)).toEqual([...repos].sort());
    });

    it('getLinkedBlob shows the link\'s condemned mark; touchLink rescues it, renews a stale link, leaves a fresh one, and says gone', async () => {
      const repo = uniqueRepo('touch');
      const record = blobRecord(`touch-${Math.random()}`);
      await store.createBlob(record, NOW);
      await store.linkBlob(repo, record, NOW);
      await marks.mark({ kind: 'link', repository: repo, digest: record.digest }, 'condemned');
      expect(await store.getLinkedBlob(repo, record.digest)).toEqual({ ...record, touchedAt: NOW, gcState: 'condemned' });
      expect(await store.touchLink(repo, record.digest, NOW + 10, NOW - 100)).toBe('rescued');
      expect(await store.getLinkedBlob(repo, record.digest)).toEqual({ ...record, touchedAt: NOW + 10 });
      expect(await marks.marksOf({ kind: 'link', repository: repo, digest: record.digest })).toEqual({ touchedAt: NOW + 10 });
      expect(await store.touchLink(repo, record.digest, NOW + 20, NOW + 10)).toBe('fresh');
      expect((await store.getLinkedBlob(repo, record.digest))!.touchedAt).toBe(NOW + 10);
      expect(await store.touchLink(repo, record.digest, NOW + 30, NOW + 11)).toBe('touched');
      expect((await store.getLinkedBlob(repo, record.digest))!.touchedAt).toBe(NOW + 30);
      expect(await store.touchLink(repo, digestOf(`never-${Math.random()}`), NOW, NOW)).toBe('gone');
      expect(await store.getLinkedBlob(repo, digestOf('never'))).toBeNull();
    });

    it('unlinkBlob -> true once, then false; the link and its back-link go, the blob record stays', async () => {
      const repo = uniqueRepo('unlink');
      const record = blobRecord(`unlink-${Math.random()}`);
      await store.createBlob(record, NOW);
      await store.linkBlob(repo, record, NOW);
      expect(await marks.backLinks(record.digest)).toEqual([repo]);
      expect(await store.unlinkBlob(repo, record.digest)).toBe(true);
      expect(await store.unlinkBlob(repo, record.digest)).toBe(false);
      expect(await store.getLinkedBlob(repo, record.digest)).toBeNull();
      expect(await marks.backLinks(record.digest)).toEqual([]);
      expect(await store.getBlob(record.digest)).toEqual({ ...record, touchedAt: NOW });
    });

    it('missingBlobs lists the digests not linked, in the order given, past 100 at once', async () => {
      const repo = uniqueRepo('missing');
      const digests = Array.from({ length: 150 }, (_, i) => digestOf(`${repo}-${i}`));
      const linked = new Set(digests.filter((_, i) => i % 3 === 0));
      await Promise.all([...linked].map(async (d) => {
        const { record } = await store.createBlob({ digest: d, size: 1, objectKey: `blobs/${d}` }, NOW);
        await store.linkBlob(repo, record, NOW);
      }));
      expect(await store.missingBlobs(repo, digests)).toEqual(digests.filter((d) => !linked.has(d)));
      expect(await store.missingBlobs(repo, [])).toEqual([]);
    });
  });
}
