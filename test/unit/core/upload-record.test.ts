/**
 * How a completed upload records its blob when a record for the digest exists: trusted only when it is
 * not being deleted and its object exists, and replaced when the collector starts deleting it between the
 * read and the link (a window only a fake can open on demand; the HTTP cases are in
 * test/integration/http/push-integrity.test.ts).
 */
import { UploadService } from '../../../lambda/core/uploads/upload-service';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';

function whole(bytes: Buffer) {
  return { body: (async function* () { yield bytes; })(), length: bytes.length };
}

describe('UploadService: recording a blob whose digest is already recorded', () => {
  it('keeps the existing record when its object exists, and deletes the duplicate object', async () => {
    const { deps, blobs, meta } = registryOnFakes();
    const uploads = new UploadService(deps);
    const bytes = Buffer.from('same bytes');
    const first = await uploads.monolithic('team/a', sha256(bytes), whole(bytes));

    const second = await uploads.monolithic('team/b', sha256(bytes), whole(bytes));

    expect(second.objectKey).toBe(first.objectKey);
    expect([...blobs.objects.keys()]).toEqual([first.objectKey]);
    expect((await meta.getLinkedBlob('team/b', sha256(bytes)))!.objectKey).toBe(first.objectKey);
  });

  it('the record starts dying between its read and the commit -> this upload\'s object replaces it and is linked', async () => {
    const { deps, blobs, meta } = registryOnFakes();
    const uploads = new UploadService(deps);
    const bytes = Buffer.from('dying between');
    const digest = sha256(bytes);
    const first = await uploads.monolithic('team/a', digest, whole(bytes));
    const commitUpload = meta.commitUpload.bind(meta);
    let marked = false;
    meta.commitUpload = async (...args) => {
      if (!marked) {
        marked = true;
        meta.blobIndex.blobs.get(digest)!.gcState = 'deleting'; // the collector, after the upload read the record
      }
      return commitUpload(...args);
    };

    const second = await uploads.monolithic('team/b', digest, whole(bytes));

    expect(second.objectKey).not.toBe(first.objectKey);
    expect(await meta.getBlob(digest)).toMatchObject({ objectKey: second.objectKey });
    expect((await meta.getBlob(digest))!.gcState).toBeUndefined();
    expect((await meta.getLinkedBlob('team/b', digest))!.objectKey).toBe(second.objectKey);
    expect(blobs.objects.get(second.objectKey)!.equals(bytes)).toBe(true);
  });
});
