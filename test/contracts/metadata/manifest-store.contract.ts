/** The ManifestStore contract: manifests, tags with inline copies, referrers, and deletes racing puts. */
import type { BlobIndex } from '../../../lambda/ports/blob-index';
import type { Catalog } from '../../../lambda/ports/catalog';
import {
  ImmutableTagError, ManifestStore, ReferenceMissingError, TAG_COPY_MAX_BYTES, TAGS_PER_ATOMIC_WRITE,
} from '../../../lambda/ports/manifest-store';
import type { CollectorMarks } from './collector-marks';
import { comparable, digestOf, manifestRecord, NOW, uniqueRepo } from './fixtures';

/** Declares the ManifestStore contract tests for the stores `make` returns (with the catalog and blob links it works with). */
export function manifestStoreContract(
  name: string, make: () => Promise<{ store: ManifestStore & BlobIndex & Catalog; marks: CollectorMarks }>,
): void {
  describe(`ManifestStore contract: ${name}`, () => {
    let store: ManifestStore & BlobIndex & Catalog;
    let marks: CollectorMarks;
    beforeAll(async () => { ({ store, marks } = await make()); });

    /** Blobs recorded and linked to `repo`, as uploads leave them; their digests. */
    async function linkedBlobs(repo: string, count: number, at = NOW): Promise<string[]> {
      return Promise.all(Array.from({ length: count }, async (_, i) => {
        const { record } = await store.createBlob({ digest: digestOf(`${repo}-blob-${i}`), size: i, objectKey: `blobs/${repo}-${i}` }, at);
        await store.linkBlob(repo, record, at);
        return record.digest;
      }));
    }

    it('putManifest then getManifest returns the record (annotations with an empty key included); unknown -> null', async () => {
      const repo = uniqueRepo('put');
      const m = manifestRecord('{"a":1}', { subject: digestOf('subject'), artifactType: 'application/x-test', annotations: { '': 'empty key', k: 'v' } });
      expect(await store.getManifest(repo, m.digest)).toBeNull();
      await store.putManifest(repo, m, [], { now: NOW });
      expect(comparable(await store.getManifest(repo, m.digest))).toEqual(comparable({ ...m, pushedAt: NOW, touchedAt: NOW }));
      expect(await store.repositoryExists(repo)).toBe(true);
    });

    it('a manifest stored elsewhere (bodyKey) comes back with its key and no body', async () => {
      const repo = uniqueRepo('large');
      const m = manifestRecord('large', { body: undefined, bodyKey: 'manifests/sha256/abc', size: 5_000_000 });
      await store.putManifest(repo, m, ['big'], { now: NOW });
      expect(await store.getManifest(repo, m.digest)).toEqual({ ...m, pushedAt: NOW, touchedAt: NOW });
      expect(await store.getTag(repo, 'big')).toEqual({ tag: 'big', digest: m.digest });
    });

    it(`getTag carries an inline copy of a manifest of up to ${TAG_COPY_MAX_BYTES} bytes, and none of a larger one`, async () => {
      const repo = uniqueRepo('copy');
      const small = manifestRecord(`{"small":"${'s'.repeat(TAG_COPY_MAX_BYTES - 20)}"}`);
      const large = manifestRecord(`{"large":"${'l'.repeat(TAG_COPY_MAX_BYTES)}"}`);
      await store.putManifest(repo, small, ['small'], { now: NOW });
      await store.putManifest(repo, large, ['large'], { now: NOW });
      const tag = await store.getTag(repo, 'small');
      expect({ ...tag, manifest: comparable(tag!.manifest) }).toEqual({ tag: 'small', digest: small.digest, manifest: comparable(small) });
      expect(await store.getTag(repo, 'large')).toEqual({ tag: 'large', digest: large.digest });
      expect(await store.getTag(repo, 'nothing')).toBeNull();
    });

    it('a tag put again points at the new manifest, its inline copy too', async () => {
      const repo = uniqueRepo('retag');
      const one = manifestRecord('{"v":1}');
      const two = manifestRecord('{"v":2}');
      await store.putManifest(repo, one, ['latest'], { now: NOW });
      await store.putManifest(repo, two, ['latest'], { now: NOW });
      const tag = await store.getTag(repo, 'latest');
      expect(tag!.digest).toBe(two.digest);
      expect(comparable(tag!.manifest)).toEqual(comparable(two));
      expect(await store.getManifest(repo, one.digest)).not.toBeNull();
    });

    it('listTags: lexical order, n and last, `more` while tags follow; n = 0 -> empty', async () => {
      const repo = uniqueRepo('list');
      await store.putManifest(repo, manifestRecord('{"l":1}'), ['b', 'a', 'c', 'B', 'a1'], { now: NOW });
      expect(await store.listTags(repo, 10)).toEqual({ items: ['B', 'a', 'a1', 'b', 'c'], more: false });
      expect(await store.listTags(repo, 2)).toEqual({ items: ['B', 'a'], more: true });
      expect(await store.listTags(repo, 2, 'a')).toEqual({ items: ['a1', 'b'], more: true });
      expect(await store.listTags(repo, 2, 'b')).toEqual({ items: ['c'], more: false });
      expect(await store.listTags(repo, 5)).toEqual({ items: ['B', 'a', 'a1', 'b', 'c'], more: false });
      expect(await store.listTags(repo, 0)).toEqual({ items: [], more: false });
      expect(await store.listTags(uniqueRepo('none'), 10)).toEqual({ items: [], more: false });
    });

    it(`more tags than one atomic write holds (${TAGS_PER_ATOMIC_WRITE}): all are stored, and a reader never sees a tag before its manifest`, async () => {
      const repo = uniqueRepo('many');
      const m = manifestRecord('{"many":true}', { subject: digestOf('many-subject') });
      const tags = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      let done = false;
      const seen: Array<{ tag: string; manifest: boolean }> = [];
      const put = store.putManifest(repo, m, tags, { now: NOW }).finally(() => { done = true; });
      while (!done) {
        const page = await store.listTags(repo, 300);
        for (const tag of page.items.slice(-1)) seen.push({ tag, manifest: (await store.getManifest(repo, m.digest)) !== null });
        await new Promise((resolve) => setImmediate(resolve)); // lets an in-memory store's writes go on
      }
      await put;
      expect(seen.filter((s) => !s.manifest)).toEqual([]);
      expect((await store.listTags(repo, 300)).items).toEqual(tags);
      expect((await store.getTag(repo, 't249'))!.digest).toBe(m.digest);
      expect((await store.listReferrers(repo, digestOf('many-subject'))).map((d) => d.digest)).toEqual([m.digest]);
    });

    it('deleteTag -> true once, then false; the manifest stays', async () => {
      const repo = uniqueRepo('untag');
      const m = manifestRecord('{"untag":1}');
      await store.putManifest(repo, m, ['x'], { now: NOW });
      expect(await store.deleteTag(repo, 'x')).toBe(true);
      expect(await store.deleteTag(repo, 'x')).toBe(false);
      expect(await store.getTag(repo, 'x')).toBeNull();
      expect(await store.getManifest(repo, m.digest)).not.toBeNull();
    });

    it('deleteManifest takes its tags and referrer entry, not other manifests\' tags; false when absent', async () => {
      const repo = uniqueRepo('delete');
      const subject = digestOf('delete-subject');
      const m = manifestRecord('{"del":1}', { subject });
      const other = manifestRecord('{"del":2}', { subject });
      await store.putManifest(repo, m, ['one', 'two'], { now: NOW });
      await store.putManifest(repo, other, ['three'], { now: NOW });
      expect(await store.deleteManifest(repo, m.digest)).toBe(true);
      expect(await store.getManifest(repo, m.digest)).toBeNull();
      expect((await store.listTags(repo, 10)).items).toEqual(['three']);
      expect((await store.listReferrers(repo, subject)).map((d) => d.digest)).toEqual([other.digest]);
      expect(await store.deleteManifest(repo, m.digest)).toBe(false);
    });

    it('a put after a delete brings the manifest back with only its own tags', async () => {
      const repo = uniqueRepo('again');
      const m = manifestRecord('{"again":1}');
      await store.putManifest(repo, m, ['before'], { now: NOW });
      await store.deleteManifest(repo, m.digest);
      await store.putManifest(repo, m, ['after'], { now: NOW });
      expect((await store.listTags(repo, 10)).items).toEqual(['after']);
      expect(await store.getManifest(repo, m.digest)).not.toBeNull();
    });

    it('deleteManifest racing puts of the same manifest under new tags: a serial outcome, never a tag without its manifest', async () => {
      const repo = uniqueRepo('race');
      for (let round = 0; round < 10; round++) {
        const m = manifestRecord(`{"race":${round}}`);
        await store.putManifest(repo, m, [`old${round}`], { now: NOW });
        const fresh = [0, 1, 2].map((i) => `new${round}-${i}`);
        const [deleted] = await Promise.all([store.deleteManifest(repo, m.digest), ...fresh.map((t) => store.putManifest(repo, m, [t], { now: NOW }))]);
        expect(deleted).toBe(true);
        const present = (await store.getManifest(repo, m.digest)) !== null;
        const tagged = await Promise.all(fresh.map(async (t) => (await store.getTag(repo, t)) !== null));
        if (!present) expect({ round, tagged }).toEqual({ round, tagged: [false, false, false] });
        else expect({ round, anyTagged: tagged.includes(true) }).toEqual({ round, anyTagged: true });
        expect({ round, old: await store.getTag(repo, `old${round}`) }).toEqual({ round, old: null });
      }
    });

    it('missingManifests lists the digests not stored, in the order given', async () => {
      const repo = uniqueRepo('missing');
      const stored = manifestRecord('{"stored":1}');
      await store.putManifest(repo, stored, [], { now: NOW });
      const absent = [digestOf('a1'), digestOf('a2')];
      expect(await store.missingManifests(repo, [absent[0]!, stored.digest, absent[1]!])).toEqual(absent);
    });

    it('listReferrers returns the descriptors (artifactType, annotations) of manifests with that subject', async () => {
      const repo = uniqueRepo('referrers');
      const subject = digestOf('referred');
      const sig = manifestRecord('{"sig":1}', { subject, artifactType: 'application/x-sig', annotations: { by: 'ci' } });
      await store.putManifest(repo, sig, [], { now: NOW });
      expect(await store.listReferrers(repo, subject)).toEqual([
        { mediaType: sig.mediaType, digest: sig.digest, size: sig.size, artifactType: 'application/x-sig', annotations: { by: 'ci' } },
      ]);
      expect(await store.listReferrers(repo, digestOf('nobody'))).toEqual([]);
    });

    it('a put stores blobs and children and checks each link and child it names without writing it; a condemned one -> ReferenceMissingError', async () => {
      const repo = uniqueRepo('check');
      const [config, layer] = await linkedBlobs(repo, 2);
      const child = manifestRecord('{"child":1}');
      await store.putManifest(repo, child, [], { now: NOW });
      const index = manifestRecord('{"index":1}', { blobs: [config!, layer!], children: [child.digest] });
      await store.putManifest(repo, index, ['v1'], { now: NOW + 50 });
      expect(comparable(await store.getManifest(repo, index.digest)))
        .toEqual(comparable({ ...index, pushedAt: NOW + 50, touchedAt: NOW + 50 }));
      // Checked, not written: many puts naming one base layer never write the same item.
      for (const digest of [config!, layer!]) expect(await marks.marksOf({ kind: 'link', repository: repo, digest })).toEqual({ touchedAt: NOW });
      expect(await marks.marksOf({ kind: 'manifest', repository: repo, digest: child.digest })).toEqual({ touchedAt: NOW });

      await marks.mark({ kind: 'link', repository: repo, digest: layer! }, 'condemned');
      const second = manifestRecord('{"index":2}', { blobs: [config!, layer!] });
      const err = await store.putManifest(repo, second, ['v2'], { now: NOW + 60 }).catch((e: unknown) => e);
      expect((err as ReferenceMissingError).missing).toEqual([layer]);
      await marks.mark({ kind: 'manifest', repository: repo, digest: child.digest }, 'condemned');
      const third = manifestRecord('{"index":3}', { children: [child.digest] });
      const childErr = await store.putManifest(repo, third, ['v3'], { now: NOW + 70 }).catch((e: unknown) => e);
      expect((childErr as ReferenceMissingError).missing).toEqual([child.digest]);
      expect(await store.getTag(repo, 'v2')).toBeNull();
      expect(await store.getTag(repo, 'v3')).toBeNull();
      expect(await marks.marksOf({ kind: 'link', repository: repo, digest: layer! })).toMatchObject({ gcState: 'condemned' });
    });

    it('readForPut: the named links (with marks), the named manifests (summaries, condemned) and whether the repository is listed', async () => {
      const repo = uniqueRepo('read-for-put');
      expect(await store.readForPut(repo, [digestOf('a')], [digestOf('b')])).toEqual({ links: new Map(), manifests: new Map(), listed: false });
      const [kept, condemned] = await linkedBlobs(repo, 2);
      await marks.mark({ kind: 'link', repository: repo, digest: condemned! }, 'condemned');
      const summary = { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 42, platforms: ['linux/amd64'] };
      const child = manifestRecord('{"child":"read"}', { summary });
      await store.putManifest(repo, child, [], { now: NOW });
      const read = await store.readForPut(repo, [kept!, condemned!, digestOf('absent')], [child.digest, digestOf('absent-child')]);
      expect(read.listed).toBe(true);
      expect([...read.links.keys()].sort()).toEqual([kept!, condemned!].sort());
      expect(read.links.get(kept!)).toMatchObject({ digest: kept, objectKey: expect.any(String), touchedAt: NOW });
      expect(read.links.get(kept!)?.gcState).toBeUndefined();
      expect(read.links.get(condemned!)?.gcState).toBe('condemned');
      expect(read.manifests).toEqual(new Map([[child.digest, { summary, condemned: false }]]));
    });

    it('a put lists a new repository in the catalog unless the caller read it listed', async () => {
      const fresh = uniqueRepo('listed-new');
      await store.putManifest(fresh, manifestRecord('{"listed":1}'), ['v1'], { now: NOW });
      expect(await store.repositoryExists(fresh)).toBe(true);
      const told = uniqueRepo('listed-told');
      await store.putManifest(told, manifestRecord('{"listed":2}'), ['v1'], { now: NOW, listed: true });
      expect(await store.repositoryExists(told)).toBe(false);
    });

    it('a put whose blob link or child manifest is gone -> ReferenceMissingError naming it; nothing is stored', async () => {
      const repo = uniqueRepo('gone');
      const [kept, deleted] = await linkedBlobs(repo, 2);
      await store.unlinkBlob(repo, deleted!);
      const m = manifestRecord('{"gone":1}', { blobs: [kept!, deleted!], subject: digestOf('gone-subject') });
      const err = await store.putManifest(repo, m, ['v1'], { now: NOW + 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReferenceMissingError);
      expect((err as ReferenceMissingError).missing).toEqual([deleted]);
      expect(await store.getManifest(repo, m.digest)).toBeNull();
      expect(await store.getTag(repo, 'v1')).toBeNull();
      expect(await store.listReferrers(repo, digestOf('gone-subject'))).toEqual([]);
      expect(await marks.marksOf({ kind: 'link', repository: repo, digest: kept! })).toEqual({ touchedAt: NOW });

      const index = manifestRecord('{"index-gone":1}', { children: [digestOf('no-such-child')] });
      const childErr = await store.putManifest(repo, index, ['i1'], { now: NOW }).catch((e: unknown) => e);
      expect((childErr as ReferenceMissingError).missing).toEqual([digestOf('no-such-child')]);
      expect(await store.getTag(repo, 'i1')).toBeNull();
    });

    it('referencesMayBeAbsent (a mirror fill): absent blobs and children are stored as named, neither checked nor renewed', async () => {
      const repo = uniqueRepo('mirror-fill');
      const [present] = await linkedBlobs(repo, 1);
      const absentBlob = digestOf('not-fetched-yet');
      const absentChild = digestOf('child-not-fetched-yet');
      const m = manifestRecord('{"fill":1}', { blobs: [present!, absentBlob], children: [absentChild] });
      await store.putManifest(repo, m, ['latest'], { now: NOW + 5, referencesMayBeAbsent: true });
      const stored = await store.getManifest(repo, m.digest);
      expect(stored?.blobs).toEqual([present, absentBlob]);
      expect(stored?.children).toEqual([absentChild]);
      expect((await store.getTag(repo, 'latest'))?.digest).toBe(m.digest);
      expect(await marks.marksOf({ kind: 'link', repository: repo, digest: present! })).toEqual({ touchedAt: NOW });
    });

    it('more references than fit beside the manifest (150 layers): those past 99 renewed first, the rest checked; a missing or condemned one refuses the put', async () => {
      const repo = uniqueRepo('wide');
      const layers = await linkedBlobs(repo, 150);
      await marks.mark({ kind: 'link', repository: repo, digest: layers[140]! }, 'condemned');
      const m = manifestRecord('{"wide":1}', { blobs: layers });
      await store.putManifest(repo, m, ['wide'], { now: NOW + 9 });
      for (const digest of [layers[140]!, layers[149]!]) {
        expect(await marks.marksOf({ kind: 'link', repository: repo, digest })).toEqual({ touchedAt: NOW + 9 });
      }
      expect(await marks.marksOf({ kind: 'link', repository: repo, digest: layers[0]! })).toEqual({ touchedAt: NOW });
      await marks.mark({ kind: 'link', repository: repo, digest: layers[3]! }, 'condemned');
      const condemned = manifestRecord('{"wide":3}', { blobs: layers });
      await expect(store.putManifest(repo, condemned, ['wide3'], { now: NOW + 10 })).rejects.toBeInstanceOf(ReferenceMissingError);
      await store.unlinkBlob(repo, layers[120]!);
      const again = manifestRecord('{"wide":2}', { blobs: layers });
      await expect(store.putManifest(repo, again, ['wide2'], { now: NOW + 10 })).rejects.toBeInstanceOf(ReferenceMissingError);
      expect(await store.getManifest(repo, again.digest)).toBeNull();
      expect(await store.getTag(repo, 'wide2')).toBeNull();
    });

    it('concurrent puts of manifests naming the same blobs all succeed', async () => {
      const repo = uniqueRepo('shared-layers');
      const shared = await linkedBlobs(repo, 3);
      const images = Array.from({ length: 8 }, (_, i) => manifestRecord(`{"shared":${i}}`, { blobs: shared }));
      await Promise.all(images.map((m, i) => store.putManifest(repo, m, [`v${i}`], { now: NOW + i })));
      for (const [i, m] of images.entries()) expect((await store.getTag(repo, `v${i}`))!.digest).toBe(m.digest);
    });

    it('a re-put clears the manifest\'s condemned mark, renews pushedAt and keeps lastPulledAt', async () => {
      const repo = uniqueRepo('reput');
      const m = manifestRecord('{"reput":1}');
      await store.putManifest(repo, m, [], { now: NOW });
      expect(await store.recordPull(repo, m.digest, NOW + 1, NOW)).toBe(true);
      await marks.mark({ kind: 'manifest', repository: repo, digest: m.digest }, 'condemned');
      await store.putManifest(repo, m, ['again'], { now: NOW + 2 });
      expect(await store.getManifest(repo, m.digest)).toMatchObject({ pushedAt: NOW + 2, touchedAt: NOW + 2, lastPulledAt: NOW + 1 });
      expect(await marks.marksOf({ kind: 'manifest', repository: repo, digest: m.digest })).toEqual({ touchedAt: NOW + 2 });
    });

    it('recordPull sets lastPulledAt when absent or older than notSince; false for a recent one or an absent manifest', async () => {
      const repo = uniqueRepo('pulled');
      const m = manifestRecord('{"pulled":1}');
      expect(await store.recordPull(repo, m.digest, NOW, NOW)).toBe(false);
      expect(await store.getManifest(repo, m.digest)).toBeNull();
      await store.putManifest(repo, m, [], { now: NOW });
      expect(await store.recordPull(repo, m.digest, NOW + 100, NOW)).toBe(true);
      expect((await store.getManifest(repo, m.digest))!.lastPulledAt).toBe(NOW + 100);
      expect(await store.recordPull(repo, m.digest, NOW + 200, NOW + 100)).toBe(false);
      expect((await store.getManifest(repo, m.digest))!.lastPulledAt).toBe(NOW + 100);
      expect(await store.recordPull(repo, m.digest, NOW + 300, NOW + 101)).toBe(true);
      expect((await store.getManifest(repo, m.digest))!.lastPulledAt).toBe(NOW + 300);
    });

    it('a put stores its summary on the manifest and on each tag (with the tag\'s pushedAt); manifestSummaries finds held manifests only', async () => {
      const repo = uniqueRepo('summary');
      const summary = { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1234, platforms: ['linux/arm64/v8'] };
      const m = manifestRecord('{"summary":1}', { summary });
      const old = manifestRecord('{"summary":"old"}');
      await store.putManifest(repo, m, ['a'], { now: NOW });
      await store.putManifest(repo, old, [], { now: NOW });
      expect((await store.getManifest(repo, m.digest))!.summary).toEqual(summary);
      const found = await store.manifestSummaries(repo, [m.digest, old.digest, digestOf('absent')]);
      expect([...found.keys()].sort()).toEqual([m.digest, old.digest].sort());
      expect(found.get(m.digest)).toEqual(summary);
      expect(found.get(old.digest)).toBeUndefined();
      const page = await store.listTagSummaries(repo, 10);
      expect(page).toEqual({ items: [{ tag: 'a', digest: m.digest, summary, pushedAt: NOW, manifest: { mediaType: m.mediaType, size: m.size } }], more: false });
    });

    it('listTagSummaries: lexical order, n and last, a substring filter, lastPulledAt from the manifest; tagsOf and countTags', async () => {
      const repo = uniqueRepo('summaries');
      const one = manifestRecord('{"s":1}', { summary: { mediaType: 'x', size: 1, platforms: [] } });
      const two = manifestRecord('{"s":2}', { summary: { mediaType: 'x', size: 2, platforms: [] } });
      await store.putManifest(repo, one, ['v1', 'v1-rc', 'latest'], { now: NOW });
      await store.putManifest(repo, two, ['v2', 'v2-rc'], { now: NOW + 5 });
      await store.recordPull(repo, two.digest, NOW + 9, NOW + 9);
      const tagsOf = (page: { items: Array<{ tag: string }> }) => page.items.map((i) => i.tag);
      expect(tagsOf(await store.listTagSummaries(repo, 10))).toEqual(['latest', 'v1', 'v1-rc', 'v2', 'v2-rc']);
      expect(await store.listTagSummaries(repo, 2)).toMatchObject({ items: [{ tag: 'latest' }, { tag: 'v1' }], more: true });
      expect(await store.listTagSummaries(repo, 2, 'v1')).toMatchObject({ items: [{ tag: 'v1-rc' }, { tag: 'v2' }], more: true });
      expect(await store.listTagSummaries(repo, 10, undefined, 'rc')).toMatchObject({ items: [{ tag: 'v1-rc' }, { tag: 'v2-rc' }], more: false });
      expect(await store.listTagSummaries(repo, 1, 'v1-rc', 'rc')).toMatchObject({ items: [{ tag: 'v2-rc' }], more: false });
      expect(await store.listTagSummaries(repo, 1, undefined, 'rc')).toMatchObject({ items: [{ tag: 'v1-rc' }], more: true });
      const v2 = (await store.listTagSummaries(repo, 1, 'v1-rc')).items[0]!;
      expect(v2).toMatchObject({ tag: 'v2', digest: two.digest, pushedAt: NOW + 5, lastPulledAt: NOW + 9, summary: { size: 2 } });
      expect(await store.listTagSummaries(repo, 0)).toEqual({ items: [], more: false });
      expect(await store.tagsOf(repo, one.digest, 10)).toEqual(['latest', 'v1', 'v1-rc']);
      expect(await store.tagsOf(repo, one.digest, 2)).toEqual(['latest', 'v1']);
      expect(await store.countTags(repo)).toBe(5);
      expect(await store.countTags(uniqueRepo('none'))).toBe(0);
    });

    it('an immutable tag is written when new or already at the digest; moving it -> ImmutableTagError, nothing of that write stored', async () => {
      const repo = uniqueRepo('immutable');
      const one = manifestRecord('{"imm":1}');
      const two = manifestRecord('{"imm":2}');
      await store.putManifest(repo, one, ['v1', 'latest'], { now: NOW, immutableTags: ['v1'] });
      await store.putManifest(repo, one, ['v1'], { now: NOW + 1, immutableTags: ['v1'] });
      const err = await store.putManifest(repo, two, ['latest', 'v1'], { now: NOW + 2, immutableTags: ['v1'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImmutableTagError);
      expect((err as ImmutableTagError).tag).toBe('v1');
      expect((await store.getTag(repo, 'v1'))!.digest).toBe(one.digest);
      expect((await store.getTag(repo, 'latest'))!.digest).toBe(one.digest);
      await store.putManifest(repo, two, ['latest', 'v1'], { now: NOW + 3 });
      expect((await store.getTag(repo, 'v1'))!.digest).toBe(two.digest);
    });
  });
}
