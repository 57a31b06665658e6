import { randomBytes } from 'node:crypto';
import { registryOnFakes, sha256 } from '../fakes/registry-under-test';
import { UploadService } from '../../../lambda/core/uploads/upload-service';
import { BackendUnavailableError } from '../../../lambda/ports/backend-errors';

// Tiny parts so that a few bytes exercise multipart parts, tails and their merging.
const small = { minPartSize: 8, partSize: 16, resumableHashMaxBytes: 1000 };
const repo = '/v2/team/app';

async function startUpload(send: ReturnType<typeof registryOnFakes>['send']) {
  const res = await send('POST', `${repo}/blobs/uploads/`);
  expect(res.status).toBe(202);
  return res.headers.location!;
}

describe('blob uploads on the core', () => {
  it('PATCH chunks of odd sizes, then PUT ?digest= -> 201 and the stored bytes equal the pushed ones', async () => {
    // Prepare
    const { send, blobs, meta } = registryOnFakes(small);
    const data = randomBytes(100);
    const location = await startUpload(send);
    // Act
    let offset = 0;
    for (const size of [3, 20, 5, 40, 32]) {
      const chunk = data.subarray(offset, offset + size);
      const res = await send('PATCH', location, {
        headers: { 'content-range': `${offset}-${offset + size - 1}`, 'content-length': String(size) }, body: chunk,
      });
      expect(res.status).toBe(202);
      offset += size;
      expect(res.headers.range).toBe(`0-${offset - 1}`);
    }
    const done = await send('PUT', `${location}?digest=${sha256(data)}`);
    // Assess
    expect(done.status).toBe(201);
    expect(done.headers['docker-content-digest']).toBe(sha256(data));
    const record = await meta.getLinkedBlob('team/app', sha256(data));
    expect(blobs.objects.get(record!.objectKey)).toEqual(data);
    expect([...blobs.objects.keys()].filter((k) => k.startsWith('uploads/'))).toEqual([]);
  });

  it('continues a chunked upload in another process from the saved hash state', async () => {
    const reg = registryOnFakes(small);
    const data = randomBytes(50);
    const location = await startUpload(reg.send);
    await reg.send('PATCH', location, { headers: { 'content-range': '0-29', 'content-length': '30' }, body: data.subarray(0, 30) });
    const other = reg.restart();
    const second = await other('PATCH', location, { headers: { 'content-range': '30-49', 'content-length': '20' }, body: data.subarray(30) });
    expect(second.status).toBe(202);
    expect((await reg.meta.getUpload(location.split('/').pop()!))!.hashState).toBeDefined();
    const done = await reg.restart()('PUT', `${location}?digest=${sha256(data)}`);
    expect(done.status).toBe(201);
  });

  it('re-hashes from the store when a streamed chunk was hashed in a process that is gone', async () => {
    const reg = registryOnFakes(small);
    const data = randomBytes(64);
    const location = await startUpload(reg.send);
    await reg.send('PATCH', location, { body: [data.subarray(0, 10), data.subarray(10)] });
    const wrong = await reg.restart()('PUT', `${location}?digest=${sha256('other')}`);
    expect(wrong.status).toBe(400);
    expect(wrong.json().errors[0].code).toBe('DIGEST_INVALID');
    expect(await reg.meta.getLinkedBlob('team/app', sha256(data))).toBeNull();

    const again = await startUpload(reg.send);
    await reg.send('PATCH', again, { body: data });
    expect((await reg.restart()('PUT', `${again}?digest=${sha256(data)}`)).status).toBe(201);
  });

  it('PATCH that does not start at the current offset -> 416 RANGE_INVALID with Range, state unchanged', async () => {
    const { send } = registryOnFakes(small);
    const location = await startUpload(send);
    await send('PATCH', location, { headers: { 'content-range': '0-9', 'content-length': '10' }, body: Buffer.alloc(10, 1) });
    const res = await send('PATCH', location, { headers: { 'content-range': '20-29', 'content-length': '10' }, body: Buffer.alloc(10, 2) });
    expect(res.status).toBe(416);
    expect(res.json().errors[0].code).toBe('RANGE_INVALID');
    expect(res.headers.range).toBe('0-9');
    const status = await send('GET', location);
    expect(status.status).toBe(204);
    expect(status.headers.range).toBe('0-9');
  });

  it('body shorter than its Content-Length -> 400 SIZE_INVALID and the session keeps its offset', async () => {
    const { send } = registryOnFakes(small);
    const location = await startUpload(send);
    const res = await send('PATCH', location, { headers: { 'content-length': '40' }, body: Buffer.alloc(25) });
    expect(res.status).toBe(400);
    expect(res.json().errors[0].code).toBe('SIZE_INVALID');
    expect((await send('GET', location)).headers.range).toBe('0-0');
  });

  it('POST ?digest= with sha512 stores a blob retrievable by that digest', async () => {
    const { send } = registryOnFakes(small);
    const data = randomBytes(40);
    const digest = `sha512:${require('node:crypto').createHash('sha512').update(data).digest('hex')}`;
    const res = await send('POST', `${repo}/blobs/uploads/?digest=${digest}`, { headers: { 'content-length': '40' }, body: data });
    expect(res.status).toBe(201);
    const head = await send('HEAD', `${repo}/blobs/${digest}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('40');
  });

  it('two uploads of the same bytes keep one stored object', async () => {
    const { send, blobs } = registryOnFakes(small);
    const data = randomBytes(30);
    for (const name of ['a', 'b']) {
      expect((await send('POST', `/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { body: data })).status).toBe(201);
    }
    expect([...blobs.objects.values()].filter((b) => b.equals(data))).toHaveLength(1);
  });

  it('DELETE of a session -> 204, then its URL -> 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const { send } = registryOnFakes(small);
    const location = await startUpload(send);
    expect((await send('DELETE', location)).status).toBe(204);
    const res = await send('PATCH', location, { body: Buffer.alloc(3) });
    expect(res.status).toBe(404);
    expect(res.json().errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
  });

  it('a session is not reachable through another repository', async () => {
    const { send } = registryOnFakes(small);
    const location = await startUpload(send);
    const res = await send('GET', location.replace('team/app', 'team/other'));
    expect(res.status).toBe(404);
  });

  it.each([
    ['committing it (not written)', 'commitUpload', false],
  ] as const)('PUT of a multipart upload that fails after CompleteMultipartUpload, when %s -> 503; the same PUT retried -> 201, bytes kept', async (_what, method, lands) => {
    const { send, meta, blobs } = registryOnFakes(small);
    const data = randomBytes(40);
    const location = await startUpload(send);
    await send('PATCH', location, { headers: { 'content-length': '35' }, body: data.subarray(0, 35) });
    const original = meta[method].bind(meta) as (...a: unknown[]) => Promise<unknown>;
    (meta as unknown as Record<string, unknown>)[method] = async (...a: unknown[]) => {
      if (lands) await original(...a);
      throw new BackendUnavailableError('DynamoDB', new Error('read ECONNRESET'));
    };
    const put = () => send('PUT', `${location}?digest=${sha256(data)}`, { headers: { 'content-length': '5' }, body: data.subarray(35) });
    expect((await put()).status).toBe(503);
    (meta as unknown as Record<string, unknown>)[method] = original;
    expect((await put()).status).toBe(201);
    const record = await meta.getLinkedBlob('team/app', sha256(data));
    expect(blobs.objects.get(record!.objectKey)).toEqual(data);
    expect([...blobs.objects.keys()].filter((k) => k.startsWith('uploads/'))).toEqual([]);
  });

  it('PUT that fails on a backend fault after assembling -> 503, and the same PUT succeeds on retry', async () => {
    const { send, meta } = registryOnFakes(small);
    const data = randomBytes(6);
    const location = await startUpload(send);
    await send('PATCH', location, { headers: { 'content-length': '6' }, body: data });
    const commitUpload = meta.commitUpload.bind(meta);
    meta.commitUpload = async () => { throw new BackendUnavailableError('DynamoDB', new Error('connect ECONNREFUSED')); };
    expect((await send('PUT', `${location}?digest=${sha256(data)}`)).status).toBe(503);
    meta.commitUpload = commitUpload;
    const retry = await send('PUT', `${location}?digest=${sha256(data)}`);
    expect(retry.status).toBe(201);
    expect(await meta.getLinkedBlob('team/app', sha256(data))).not.toBeNull();
  });
});

describe('sweeping expired upload sessions on the core', () => {
  it('sweeps sessions idle past uploadTtl (multipart aborted, tail deleted), keeps live ones, and keeps a session whose bytes could not be removed', async () => {
    const { send, meta, blobs, deps } = registryOnFakes({ ...small, uploadTtlSeconds: 60 });
    const old = await startUpload(send);
    await send('PATCH', old, { headers: { 'content-length': '20' }, body: randomBytes(20) });
    const oldId = old.split('/').pop()!;
    expect(blobs.multiparts.size).toBe(1);
    const sweeper = new UploadService(deps);
    const later = Date.now() + 61_000;
    expect(await sweeper.sweepExpired(Date.now())).toEqual({ swept: 0, failed: 0 });

    const abort = blobs.abortMultipart.bind(blobs);
    blobs.abortMultipart = async () => { throw new BackendUnavailableError('S3', new Error('connect ECONNREFUSED')); };
    expect(await sweeper.sweepExpired(later)).toEqual({ swept: 0, failed: 1 });
    expect(meta.uploads.has(oldId)).toBe(true);

    blobs.abortMultipart = abort;
    expect(await sweeper.sweepExpired(later)).toEqual({ swept: 1, failed: 0 });
    expect(meta.uploads.has(oldId)).toBe(false);
    expect(blobs.multiparts.size).toBe(0);
    expect([...blobs.objects.keys()].filter((k) => k.startsWith('uploads/'))).toEqual([]);
  });
});
