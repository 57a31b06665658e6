import { UploadService } from '../../../lambda/core/uploads/upload-service';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';

const small = { minPartSize: 8, partSize: 16, resumableHashMaxBytes: 1000 };

function chunk(bytes: Buffer, start: number) {
  return {
    body: (async function* () { yield bytes; })(),
    length: bytes.length,
    range: { start, end: start + bytes.length - 1 },
  };
}

describe('UploadService', () => {
  it('append of a chunk that does not start where the session ends -> a range conflict value, session unchanged', async () => {
    // Prepare
    const { deps } = registryOnFakes(small);
    const uploads = new UploadService(deps);
    const session = await uploads.start('team/app');
    await uploads.append('team/app', session.id, chunk(Buffer.alloc(10, 1), 0));
    // Act
    const result = await uploads.append('team/app', session.id, chunk(Buffer.alloc(10, 2), 20));
    // Assess
    expect(result).toMatchObject({ outcome: 'range-conflict', reason: 'chunk starts at 20, upload is at 10' });
    expect(result.session.offset).toBe(10);
    expect((await uploads.get('team/app', session.id)).offset).toBe(10);
  });

  it('complete with a last chunk at the wrong offset -> a range conflict value, the session stays', async () => {
    const { deps } = registryOnFakes(small);
    const uploads = new UploadService(deps);
    const session = await uploads.start('team/app');

    const result = await uploads.complete('team/app', session.id, sha256('x'), chunk(Buffer.from('x'), 5));

    expect(result).toMatchObject({ outcome: 'range-conflict', session: { id: session.id, offset: 0 } });
    expect(await uploads.get('team/app', session.id)).toBeDefined();
  });

  it('takes the session lock itself: of two chunks sent at once for offset 0, the second waits and is refused before writing', async () => {
    const { deps } = registryOnFakes(small);
    const uploads = new UploadService(deps);
    const session = await uploads.start('team/app');

    const [first, second] = await Promise.all([
      uploads.append('team/app', session.id, chunk(Buffer.alloc(20, 1), 0)),
      uploads.append('team/app', session.id, chunk(Buffer.alloc(20, 2), 0)),
    ]);

    expect(first).toMatchObject({ outcome: 'appended', session: { offset: 20 } });
    // Not "modified concurrently": the second chunk ran after the first and saw the session moved on.
    expect(second).toMatchObject({ outcome: 'range-conflict', reason: 'chunk starts at 0, upload is at 20' });
  });

  it('complete of a whole session -> the blob recorded and linked', async () => {
    const { deps, meta } = registryOnFakes(small);
    const uploads = new UploadService(deps);
    const session = await uploads.start('team/app');
    const data = Buffer.from('hello blob');

    const result = await uploads.complete('team/app', session.id, sha256(data), chunk(data, 0));

    expect(result).toMatchObject({ outcome: 'completed', blob: { digest: sha256(data), size: data.length } });
    expect(await meta.getLinkedBlob('team/app', sha256(data))).not.toBeNull();
  });
});
