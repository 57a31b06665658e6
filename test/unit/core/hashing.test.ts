import { createHash } from 'node:crypto';
import { LiveHashes, resumeHash } from '../../../lambda/core/uploads/hashing';
import type { UploadSession } from '../../../lambda/ports/upload-session-store';

const session = (over: Partial<UploadSession> = {}): UploadSession => ({
  id: 'u1', repository: 'team/app', offset: 0, objectKey: 'blobs/u1', parts: [], createdAt: 0, expiresAt: 0, ...over,
});
const MAX = 1000;

describe('resumeHash: which hash continues an upload', () => {
  it('a chunk of known modest size that does not end the upload gets a resumable hash (state saved)', async () => {
    const hash = await resumeHash(session(), new LiveHashes(), { declaredLength: 10, final: false }, MAX);
    hash!.update(Buffer.from('abc'));
    expect(hash!.save()).toEqual(expect.any(String));
  });

  it('a request that completes the upload from offset 0 uses the fast in-process hash, with nothing to save', async () => {
    const hash = await resumeHash(session(), new LiveHashes(), { declaredLength: 10, final: true }, MAX);
    hash!.update(Buffer.from('abc'));
    expect(hash!.save()).toBeUndefined();
    expect(hash!.digestHex()).toBe(createHash('sha256').update('abc').digest('hex'));
  });

  it('a chunk over the resumable size, or of unknown length, is hashed in process only', async () => {
    for (const declaredLength of [MAX + 1, undefined]) {
      const hash = await resumeHash(session(), new LiveHashes(), { declaredLength, final: false }, MAX);
      expect(hash!.save()).toBeUndefined();
    }
  });

  it('the saved state of an earlier chunk is continued even by the final request', async () => {
    const first = await resumeHash(session(), new LiveHashes(), { declaredLength: 3, final: false }, MAX);
    first!.update(Buffer.from('abc'));
    const next = await resumeHash(session({ offset: 3, hashState: first!.save() }), new LiveHashes(), { declaredLength: 3, final: true }, MAX);
    next!.update(Buffer.from('def'));
    expect(next!.digestHex()).toBe(createHash('sha256').update('abcdef').digest('hex'));
  });

  it('past offset 0 with no hash held anywhere: null (the blob is re-hashed on completion)', async () => {
    expect(await resumeHash(session({ offset: 5 }), new LiveHashes(), { declaredLength: 3, final: true }, MAX)).toBeNull();
  });
});
