/**
 * The BlobStore contract: what every implementation (the S3 adapter on any S3, the in-memory fake)
 * promises and the core relies on. Call it from a test file with a factory of fresh, empty stores.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BlobStore, MultipartUploadGoneError } from '../../lambda/ports/blob-store';

/** What the implementation under test can do beyond the port's types. */
export interface BlobStoreContractOptions {
  /** Presigned URLs are served over HTTP (a real S3), so the contract fetches one. */
  servesPresignedUrls: boolean;
}

const MiB = 1024 * 1024;

/** Declares the BlobStore contract tests for the stores `make` returns. */
export function blobStoreContract(name: string, make: () => Promise<BlobStore>, opts: BlobStoreContractOptions): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    beforeAll(async () => { store = await make(); });

    it('put then get returns the bytes; get of a missing key -> null', async () => {
      const body = randomBytes(1000);
      await store.put('c/whole', body);
      expect(await read(await store.get('c/whole'))).toEqual(body);
      expect(await store.get('c/missing')).toBeNull();
    });

    it('get of a range returns those bytes, both ends inclusive, clamped to the end', async () => {
      const body = randomBytes(100);
      await store.put('c/ranged', body);
      expect(await read(await store.get('c/ranged', { start: 10, end: 19 }))).toEqual(body.subarray(10, 20));
      expect(await read(await store.get('c/ranged', { start: 90, end: 1000 }))).toEqual(body.subarray(90));
    });

    it('delete removes an object; deleting a missing one is no error', async () => {
      await store.put('c/gone', Buffer.from('x'));
      await store.delete('c/gone');
      expect(await store.get('c/gone')).toBeNull();
      await expect(store.delete('c/gone')).resolves.toBeUndefined();
    });

    it('list returns the keys under a prefix in key order, at most limit', async () => {
      for (const k of ['l/b', 'l/a', 'l/c', 'm/a']) await store.put(k, Buffer.from(k));
      expect(await store.list('l/', 10)).toEqual(['l/a', 'l/b', 'l/c']);
      expect(await store.list('l/', 2)).toEqual(['l/a', 'l/b']);
      expect(await store.list('none/', 10)).toEqual([]);
    });

    it('stat -> size and last modification of an object (a HEAD); a missing key -> null', async () => {
      const before = Date.now();
      await store.put('s/stat', randomBytes(321));
      const stat = await store.stat('s/stat');
      expect(stat?.size).toBe(321);
      // Servers keep whole seconds and may run on another clock: within an hour of the write.
      expect(Math.abs(stat!.lastModified - before)).toBeLessThan(3_600_000);
      expect(await store.stat('s/missing')).toBeNull();
    });

    it('listObjects: keys under a prefix after startAfter, in key order, at most limit, with size and last modification', async () => {
      for (const k of ['o/c', 'o/a', 'o/b/1', 'o/d', 'p/a']) await store.put(k, Buffer.from(k));
      const all = await store.listObjects('o/', undefined, 10);
      expect(all.map((o) => [o.key, o.size])).toEqual([['o/a', 3], ['o/b/1', 5], ['o/c', 3], ['o/d', 3]]);
      for (const o of all) expect(Math.abs(o.lastModified - Date.now())).toBeLessThan(3_600_000);
      expect((await store.listObjects('o/', undefined, 2)).map((o) => o.key)).toEqual(['o/a', 'o/b/1']);
      expect((await store.listObjects('o/', 'o/b/1', 10)).map((o) => o.key)).toEqual(['o/c', 'o/d']);
      expect((await store.listObjects('o/', 'o/b', 1)).map((o) => o.key)).toEqual(['o/b/1']);
      expect(await store.listObjects('o/', 'o/d', 10)).toEqual([]);
      expect(await store.listObjects('none/', undefined, 10)).toEqual([]);
    });

    it('multipart: parts (a 5 MiB one, then a short last one) are joined in order; a part may be re-sent', async () => {
      const id = await store.createMultipart('c/multi');
      const one = randomBytes(5 * MiB);
      const two = randomBytes(1234);
      const e1 = await store.uploadPart('c/multi', id, 1, one);
      await store.uploadPart('c/multi', id, 2, randomBytes(10));
      const e2 = await store.uploadPart('c/multi', id, 2, two);
      await store.completeMultipart('c/multi', id, [
        { partNumber: 1, etag: e1, size: one.length }, { partNumber: 2, etag: e2, size: two.length },
      ]);
      expect(sha256(await read(await store.get('c/multi')))).toBe(sha256(Buffer.concat([one, two])));
    });

    it('multipart: a part under 5 MiB that is not the last is refused and nothing is written', async () => {
      const id = await store.createMultipart('c/small');
      const e1 = await store.uploadPart('c/small', id, 1, randomBytes(100));
      const e2 = await store.uploadPart('c/small', id, 2, randomBytes(100));
      await expect(store.completeMultipart('c/small', id, [
        { partNumber: 1, etag: e1, size: 100 }, { partNumber: 2, etag: e2, size: 100 },
      ])).rejects.toThrow();
      expect(await store.get('c/small')).toBeNull();
      await store.abortMultipart('c/small', id);
    });

    it('multipart gone: uploadPart after complete, and completeMultipart after abort -> MultipartUploadGoneError', async () => {
      const done = await store.createMultipart('c/done');
      const e1 = await store.uploadPart('c/done', done, 1, Buffer.from('only part'));
      await store.completeMultipart('c/done', done, [{ partNumber: 1, etag: e1, size: 9 }]);
      await expect(store.uploadPart('c/done', done, 2, Buffer.from('late'))).rejects.toBeInstanceOf(MultipartUploadGoneError);

      const aborted = await store.createMultipart('c/aborted');
      const e2 = await store.uploadPart('c/aborted', aborted, 1, Buffer.from('part'));
      await store.abortMultipart('c/aborted', aborted);
      await expect(store.completeMultipart('c/aborted', aborted, [{ partNumber: 1, etag: e2, size: 4 }]))
        .rejects.toBeInstanceOf(MultipartUploadGoneError);
      await expect(store.uploadPart('c/aborted', aborted, 2, Buffer.from('late'))).rejects.toBeInstanceOf(MultipartUploadGoneError);
      expect(await store.get('c/aborted')).toBeNull();
    });

    it('abortMultipart of an upload already aborted is no error', async () => {
      const id = await store.createMultipart('c/twice');
      await store.abortMultipart('c/twice', id);
      await expect(store.abortMultipart('c/twice', id)).resolves.toBeUndefined();
    });

    it('presignGet returns a URL for the object' + (opts.servesPresignedUrls ? ' that serves its bytes without other credentials' : ''), async () => {
      const body = randomBytes(64);
      await store.put('c/presigned', body);
      const url = new URL(await store.presignGet('c/presigned', 60));
      expect(url.protocol).toMatch(/^https?:$/);
      if (opts.servesPresignedUrls) {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(Buffer.from(await res.arrayBuffer())).toEqual(body);
      }
    });
  });
}

async function read(stream: AsyncIterable<Uint8Array> | null): Promise<Buffer> {
  if (!stream) throw new Error('expected an object, got null');
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
