/** The UploadSessionStore contract: sessions, optimistic updates on the offset, expiry honoured on read. */
import { UploadConflictError, UploadSessionStore } from '../../../lambda/ports/upload-session-store';
import { uploadSession } from './fixtures';

/** Fresh, empty stores whose clock is `now` (milliseconds since the epoch). */
export type UploadSessionStoreFactory = (now: () => number) => Promise<UploadSessionStore>;

/** Declares the UploadSessionStore contract tests for the stores `make` returns. */
export function uploadSessionStoreContract(name: string, make: UploadSessionStoreFactory): void {
  describe(`UploadSessionStore contract: ${name}`, () => {
    // Near real time: a backend may apply TTL to items whose expiresAt lies in the real past.
    const realNow = Date.now();
    const hourLater = Math.floor(realNow / 1000) + 3600;
    let clock = realNow;
    let store: UploadSessionStore;
    beforeAll(async () => { store = await make(() => clock); });
    beforeEach(() => { clock = realNow; });

    it('reserveParts: concurrent reservations get disjoint numbers, from base on a session without a counter; an update never lowers it', async () => {
      const s = uploadSession(hourLater, { multipartId: 'mp-2', parts: [{ partNumber: 1, etag: '"e1"', size: 5 }], offset: 5 });
      await store.createUpload(s);
      const firsts = await Promise.all([4, 4, 4, 4].map((n) => store.reserveParts(s.id, n, 2)));
      const taken = firsts.flatMap((f) => [f, f + 1, f + 2, f + 3]);
      expect(new Set(taken).size).toBe(16);
      expect(Math.min(...taken)).toBe(2);
      expect(Math.max(...taken)).toBe(17);
      // A writer commits the session as it read it (counter 2): the counter stays where the reservations took it.
      await store.updateUpload({ ...s, offset: 10, nextPart: 2 }, 5);
      expect(await store.getUpload(s.id)).toMatchObject({ offset: 10, nextPart: 18 });
      expect(await store.reserveParts(s.id, 1, 2)).toBe(18);
      await expect(store.reserveParts('no-such-session', 1, 1)).rejects.toBeInstanceOf(UploadConflictError);
    });

    it('updateUpload stores the counter of the write that started the multipart upload, and removes attributes the session lost', async () => {
      const s = uploadSession(hourLater, { tail: { key: 'uploads/y/tail-1', size: 3 }, hashState: 'c3RhdGU=', offset: 3 });
      await store.createUpload(s);
      const next = { ...s, offset: 20, multipartId: 'mp-3', parts: [{ partNumber: 1, etag: '"e1"', size: 20 }], nextPart: 2, tail: undefined, hashState: undefined };
      await store.updateUpload(next, 3);
      const { tail: _t, hashState: _h, ...expected } = next;
      expect(await store.getUpload(s.id)).toEqual(expected);
    });

    it('createUpload then getUpload returns the session as given; unknown -> null', async () => {
      const s = uploadSession(hourLater, {
        multipartId: 'mp-1', parts: [{ partNumber: 1, etag: '"e1"', size: 5 }], tail: { key: 'uploads/x/tail-1', size: 3 },
        hashState: 'c3RhdGU=', owner: 'alice', secret: 's3cret', offset: 8,
      });
      await store.createUpload(s);
      expect(await store.getUpload(s.id)).toEqual(s);
      expect(await store.getUpload('no-such-session')).toBeNull();
    });

    it('a session read is a copy: changing it changes nothing stored', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      const read = (await store.getUpload(s.id))!;
      read.offset = 99;
      read.parts.push({ partNumber: 1, etag: '"x"', size: 1 });
      expect(await store.getUpload(s.id)).toEqual(s);
    });

    it('createUpload repeated (a retried write) is no error and leaves the first write', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      await store.createUpload({ ...s, offset: 5 });
      expect((await store.getUpload(s.id))!.offset).toBe(0);
    });

    it('a session past its expiresAt is absent on read though still stored', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      clock = hourLater * 1000 + 1000;
      expect(await store.getUpload(s.id)).toBeNull();
      clock = realNow;
      expect(await store.getUpload(s.id)).toEqual(s);
    });

    it('updateUpload replaces the session when its offset is the one expected; otherwise UploadConflictError', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      const next = { ...s, offset: 10, parts: [{ partNumber: 1, etag: '"e"', size: 10 }] };
      await store.updateUpload(next, 0);
      expect(await store.getUpload(s.id)).toEqual(next);
      await expect(store.updateUpload({ ...s, offset: 20 }, 0)).rejects.toBeInstanceOf(UploadConflictError);
      expect(await store.getUpload(s.id)).toEqual(next);
    });

    it('concurrent updates from one offset: exactly one wins', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => store.updateUpload({ ...s, offset: i }, 0)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UploadConflictError);
    });

    it('updateUpload of a deleted session -> UploadConflictError, and it is not brought back', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      await store.deleteUpload(s.id);
      await expect(store.updateUpload({ ...s, offset: 1 }, 0)).rejects.toBeInstanceOf(UploadConflictError);
      expect(await store.getUpload(s.id)).toBeNull();
    });

    it('deleteUpload removes the session; deleting an unknown one is no error', async () => {
      const s = uploadSession(hourLater);
      await store.createUpload(s);
      await store.deleteUpload(s.id);
      expect(await store.getUpload(s.id)).toBeNull();
      await expect(store.deleteUpload(s.id)).resolves.toBeUndefined();
    });

    it('listExpiredUploads: stored sessions that expired before the given time, at most limit', async () => {
      const own = await make(() => clock);
      const base = hourLater + 100_000;
      const expired = [1, 2, 3].map((i) => uploadSession(base + i));
      const live = uploadSession(base + 50);
      const deleted = uploadSession(base + 4);
      for (const s of [...expired, live, deleted]) await own.createUpload(s);
      await own.deleteUpload(deleted.id);
      const found = await own.listExpiredUploads(base + 10, 10);
      expect(found.map((s) => s.id).sort()).toEqual(expired.map((s) => s.id).sort());
      expect(found.find((s) => s.id === expired[0]!.id)).toEqual(expired[0]);
      expect(await own.listExpiredUploads(base + 10, 2)).toHaveLength(2);
      expect(await own.listExpiredUploads(base, 10)).toEqual([]);
    });
  });
}
