/**
 * Bad blob uploads: chunks with gaps, overlaps and wrong lengths (generated sequences checked against a
 * model of the session), unknown, foreign, finished and cancelled upload ids, and over raw sockets a
 * Content-Length that lies and bodies cut off mid-stream. A refused request never moves the session or
 * makes a blob visible, and never gets a 5xx.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { randomBytes, sha256, uniqueRepo } from '../http/client';
import { registryClientForThisFile } from '../http/setup';
import { answerOf, expectAlive, expectRefused, fcParams, snapshot } from './invariants';
import { rawExchange, requestHead } from './raw-http';

const client = registryClientForThisFile();

/** One PATCH of a generated sequence: where its Content-Range starts relative to the session, its size, and a lie. */
interface ChunkOp {
  shift: number;
  size: number;
  lengthLie: number;
}

const chunkOp: fc.Arbitrary<ChunkOp> = fc.record({
  shift: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: -50, max: 50 })),
  size: fc.integer({ min: 1, max: 300 }),
  lengthLie: fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), fc.integer({ min: -5, max: 5 })),
});

async function uploadStatus(url: string): Promise<{ status: number; range: string | null }> {
  const res = await client.fetch(url);
  await res.arrayBuffer();
  return { status: res.status, range: res.headers.get('range') };
}

describe('PATCH with Content-Range gaps, overlaps and wrong lengths (generated, against a model)', () => {
  it('each chunk is accepted iff it starts at the offset and its range matches its length; the finished blob is the accepted bytes', async () => {
    const repo = uniqueRepo('chunks');
    await fc.assert(fc.asyncProperty(fc.array(chunkOp, { minLength: 1, maxLength: 6 }), async (ops) => {
      let url = await client.startUpload(repo);
      const accepted: Buffer[] = [];
      let offset = 0;
      for (const op of ops) {
        const start = Math.max(0, offset + op.shift);
        const bytes = randomBytes(op.size);
        const end = start + op.size - 1 + op.lengthLie;
        const res = await client.fetch(url, {
          method: 'PATCH', headers: { 'content-range': `${start}-${end}` }, body: bytes,
        });
        const answer = await answerOf(res);
        if (end < start) {
          expectRefused(answer, 416, 'RANGE_INVALID');
        } else if (start !== offset) {
          expectRefused(answer, 416, 'RANGE_INVALID');
          expect(answer.headers.range).toBe(`0-${Math.max(offset - 1, 0)}`);
        } else if (op.lengthLie !== 0) {
          expectRefused(answer, 400, 'SIZE_INVALID');
        } else {
          expect(answer.status).toBe(202);
          accepted.push(bytes);
          offset += op.size;
          expect(answer.headers.range).toBe(`0-${offset - 1}`);
          url = client.location(res);
        }
        expect(await uploadStatus(url)).toEqual({ status: 204, range: `0-${Math.max(offset - 1, 0)}` });
      }
      const all = Buffer.concat(accepted);
      const put = await client.fetch(client.withDigest(url, sha256(all)), { method: 'PUT' });
      expect(put.status).toBe(201);
      expect((await client.pullBlobBytes(repo, sha256(all))).equals(all)).toBe(true);
    }), fcParams(40));
  });

  it.each([
    ['end before start', '10-5'],
    ['not a range', 'bytes=abc'],
    ['a negative start', '-5-10'],
    ['a 17-digit end', '0-99999999999999999'],
    ['a range of another unit', 'items 0-9/10'],
  ])('PATCH with Content-Range %s -> 416 RANGE_INVALID, session unchanged', async (_why, range) => {
    const repo = uniqueRepo('chunks');
    const url = await client.startUpload(repo);

    const res = await client.fetch(url, { method: 'PATCH', headers: { 'content-range': range }, body: 'abc' });

    expectRefused(await answerOf(res), 416, 'RANGE_INVALID');
    expect(await uploadStatus(url)).toEqual({ status: 204, range: '0-0' });
  });

  it('PATCH streamed (no Content-Length) with a Content-Range longer than the body -> 400 SIZE_INVALID, session unchanged', async () => {
    const repo = uniqueRepo('chunks');
    const url = await client.startUpload(repo);
    const body = new ReadableStream({ start(c) { c.enqueue(randomBytes(100)); c.close(); } });

    const res = await client.fetch(url, { method: 'PATCH', headers: { 'content-range': '0-9999999999' }, body, duplex: 'half' } as RequestInit);

    expectRefused(await answerOf(res), 400, 'SIZE_INVALID');
    expect(await uploadStatus(url)).toEqual({ status: 204, range: '0-0' });
  });
});

describe('unknown, foreign, finished and cancelled upload ids -> 404 BLOB_UPLOAD_UNKNOWN', () => {
  const badId = fc.oneof(
    fc.uuid(),
    fc.stringMatching(/^[a-zA-Z0-9-]{1,64}$/),
    fc.stringMatching(/^[a-zA-Z0-9-]{65,100}$/),
    fc.array(fc.constantFrom('a', '0', '-', '.', '_', '~', '%2F', '%00', '%0d%0a', '..'), { minLength: 1, maxLength: 20 }).map((a) => a.join('')),
  ).filter((s) => s !== '.' && s !== '..');

  it('generated ids on GET, PATCH, PUT ?digest=, DELETE /v2/:name/blobs/uploads/:id', async () => {
    const repo = uniqueRepo('ids');
    const digest = sha256('abc');
    await fc.assert(fc.asyncProperty(badId, async (id) => {
      const url = `/v2/${repo}/blobs/uploads/${id}`;
      for (const [method, path, body] of [
        ['GET', url, undefined], ['PATCH', url, 'abc'], ['PUT', `${url}?digest=${digest}`, 'abc'], ['DELETE', url, undefined],
      ] as const) {
        const res = await rawExchange(client.base, requestHead(client.base, method, path, { 'content-length': body?.length ?? 0, connection: 'close' }), body ?? '');
        expectRefused(res, 404, 'BLOB_UPLOAD_UNKNOWN');
      }
    }), fcParams(40));
    const blob = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    expect(blob.status).toBe(404);
  });

  it('a session of another repository is unknown here; it is untouched', async () => {
    const mine = uniqueRepo('ids-mine');
    const other = uniqueRepo('ids-other');
    const url = await client.startUpload(mine);
    const id = url.split('/').pop()!;
    const patched = await client.patchChunk(url, Buffer.from('abc'), 0);
    expect(patched.status).toBe(202);

    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await client.fetch(`/v2/${other}/blobs/uploads/${id}`, { method, body: method === 'PATCH' ? 'x' : undefined });
      expectRefused(await answerOf(res), 404, 'BLOB_UPLOAD_UNKNOWN');
    }
    const put = await client.fetch(`/v2/${other}/blobs/uploads/${id}?digest=${sha256('abc')}`, { method: 'PUT' });
    expectRefused(await answerOf(put), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect(await uploadStatus(client.location(patched))).toEqual({ status: 204, range: '0-2' });
    expect((await client.fetch(`/v2/${other}/blobs/${sha256('abc')}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('a finished session -> 404 on GET, PATCH, PUT, DELETE; the blob it made is unchanged', async () => {
    const repo = uniqueRepo('ids-done');
    const bytes = randomBytes(500);
    const url = await client.startUpload(repo);
    const done = await client.fetch(client.withDigest(url, sha256(bytes)), { method: 'PUT', body: bytes });
    expect(done.status).toBe(201);
    const before = await snapshot(client, { repo, blobs: [sha256(bytes)] });

    for (const [method, target, body] of [
      ['GET', url, undefined], ['PATCH', url, 'more'], ['PUT', client.withDigest(url, sha256(bytes)), bytes],
      ['PUT', client.withDigest(url, sha256('other')), 'other'], ['DELETE', url, undefined],
    ] as const) {
      const res = await client.fetch(target, { method, body });
      expectRefused(await answerOf(res), 404, 'BLOB_UPLOAD_UNKNOWN');
    }
    expect(await snapshot(client, { repo, blobs: [sha256(bytes)] })).toEqual(before);
    expect((await client.pullBlobBytes(repo, sha256(bytes))).equals(bytes)).toBe(true);
  });

  it('PUT to a cancelled session -> 404 BLOB_UPLOAD_UNKNOWN, no blob becomes visible; PATCH and a second DELETE -> 404', async () => {
    const repo = uniqueRepo('ids-cancel');
    const bytes = randomBytes(300);
    const url = await client.startUpload(repo);
    const patched = await client.patchChunk(url, bytes, 0);
    const next = client.location(patched);
    const cancel = await client.fetch(next, { method: 'DELETE' });
    expect(cancel.status).toBe(204);

    const put = await client.fetch(client.withDigest(next, sha256(bytes)), { method: 'PUT' });
    expectRefused(await answerOf(put), 404, 'BLOB_UPLOAD_UNKNOWN');
    const putWithBody = await client.fetch(client.withDigest(next, sha256(bytes)), { method: 'PUT', body: bytes });
    expectRefused(await answerOf(putWithBody), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRefused(await answerOf(await client.patchChunk(next, bytes, 300)), 404, 'BLOB_UPLOAD_UNKNOWN');
    expectRefused(await answerOf(await client.fetch(next, { method: 'DELETE' })), 404, 'BLOB_UPLOAD_UNKNOWN');
    expect((await client.fetch(`/v2/${repo}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status).toBe(404);
  });

  it('PUT ?digest= that does not match the bytes -> 400 DIGEST_INVALID, no blob under either digest', async () => {
    const repo = uniqueRepo('ids-mismatch');
    const bytes = randomBytes(200);
    const wrong = sha256(randomBytes(200));
    const url = await client.startUpload(repo);

    const put = await client.fetch(client.withDigest(url, wrong), { method: 'PUT', body: bytes });

    expectRefused(await answerOf(put), 400, 'DIGEST_INVALID');
    for (const d of [wrong, sha256(bytes)]) expect((await client.fetch(`/v2/${repo}/blobs/${d}`, { method: 'HEAD' })).status).toBe(404);
  });
});

describe('Content-Length that lies and bodies cut off mid-stream (raw sockets)', () => {
  let repo: string;
  beforeAll(() => {
    repo = uniqueRepo('lies');
  });
  afterEach(async () => {
    await expectAlive(client);
  });

  const head = (method: string, path: string, headers: Record<string, string | number>) => requestHead(client.base, method, path, headers);
  const blobStatus = async (digest: string) => (await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status;

  it('POST ?digest=<digest of the whole body> with a Content-Length shorter than the body -> 4xx (ours, or the HTTP layer refusing the leftover bytes), no blob', async () => {
    const body = randomBytes(1000);

    const res = await rawExchange(client.base, head('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(body)}`, { 'content-length': 600 }), body);

    expect(res.status).toBe(400);
    expect(res.rest).not.toMatch(/^HTTP\/1\.1 5/);
    expect(await blobStatus(sha256(body))).toBe(404);
    const prefix = await client.getBlob(repo, sha256(body.subarray(0, 600)));
    if (prefix.status === 200) expect(Buffer.from(await prefix.arrayBuffer()).equals(body.subarray(0, 600))).toBe(true);
  });

  it('POST ?digest=<digest of the declared prefix> whose extra bytes are a second request -> 201 with exactly the declared bytes, then the second request answered', async () => {
    const blob = randomBytes(600);
    const smuggled = Buffer.from(`GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

    const res = await rawExchange(client.base, head('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(blob)}`, { 'content-length': 600 }), Buffer.concat([blob, smuggled]));

    expect(res.status).toBe(201);
    expect(res.rest).toMatch(/^HTTP\/1\.1 200/);
    expect((await client.pullBlobBytes(repo, sha256(blob))).equals(blob)).toBe(true);
  });

  it.each(['half-close', 'destroy'] as const)('POST ?digest= with a Content-Length longer than the body, then %s -> no 5xx answered, no blob stored', async (ending) => {
    const body = randomBytes(1000);

    const res = await rawExchange(client.base, head('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(body)}`, { 'content-length': 5000 }), body, ending);

    expect(res.status === 0 || res.status < 500).toBe(true);
    if (res.status !== 0) expect(res.status).toBe(400);
    expect(await blobStatus(sha256(body))).toBe(404);
  });

  it.each(['half-close', 'destroy'] as const)('PATCH with a Content-Length longer than the body, then %s -> the session keeps its range', async (ending) => {
    const url = await client.startUpload(repo);
    const first = await client.patchChunk(url, randomBytes(100), 0);
    const next = client.location(first);
    const path = new URL(next).pathname;

    const res = await rawExchange(client.base, head('PATCH', path, { 'content-length': 5000, 'content-range': '100-5099' }), randomBytes(2000), ending);

    expect(res.status === 0 || res.status < 500).toBe(true);
    expect(await uploadStatus(next)).toEqual({ status: 204, range: '0-99' });
    const more = await client.patchChunk(next, randomBytes(10), 100);
    expect(more.status).toBe(202);
  });

  it.each(['half-close', 'destroy'] as const)('chunked POST ?digest= cut off inside a chunk, then %s -> no 5xx, no blob stored', async (ending) => {
    const body = randomBytes(3000);
    const framed = Buffer.concat([Buffer.from(`${(3000).toString(16)}\r\n`), body.subarray(0, 1200)]);

    const res = await rawExchange(client.base, head('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256(body)}`, { 'transfer-encoding': 'chunked' }), framed, ending);

    expect(res.status === 0 || res.status < 500).toBe(true);
    expect(await blobStatus(sha256(body))).toBe(404);
  });

  it.each(['half-close', 'destroy'] as const)('manifest PUT with a Content-Length longer than the body, then %s -> no 5xx, no tag', async (ending) => {
    const image = await client.pushImage(repo, 'base');
    const body = Buffer.from(JSON.stringify(image.doc));

    const res = await rawExchange(client.base, head('PUT', `/v2/${repo}/manifests/cut-${ending}`, {
      'content-type': image.mediaType, 'content-length': body.length + 100,
    }), body, ending);

    expect(res.status === 0 || res.status < 500).toBe(true);
    expect((await client.getManifest(repo, `cut-${ending}`)).status).toBe(404);
  });

  it.each([
    ['a non-numeric Content-Length', { 'content-length': 'ten' }],
    ['a negative Content-Length', { 'content-length': -5 }],
    ['two different Content-Lengths', { 'content-length': '3\r\nContent-Length: 7' }],
    ['Content-Length and Transfer-Encoding together', { 'content-length': 3, 'transfer-encoding': 'chunked' }],
    ['a 20-digit Content-Length', { 'content-length': '99999999999999999999' }],
    ['a header value with a bare CR', { 'x-note': 'a\rb' }],
  ])('POST ?digest= with %s -> refused by the HTTP layer (4xx), server alive', async (_why, headers) => {
    const res = await rawExchange(client.base, head('POST', `/v2/${repo}/blobs/uploads/?digest=${sha256('abc')}`, headers as Record<string, string>), 'abc', 'half-close');

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await blobStatus(sha256('abc'))).toBe(404);
  });

  it('a 16-digit Content-Length on a PATCH with a short body, then half-close -> no 5xx, session unchanged', async () => {
    const url = await client.startUpload(repo);
    const path = new URL(url).pathname;

    const res = await rawExchange(client.base, head('PATCH', path, { 'content-length': '9999999999999999' }), randomBytes(100), 'half-close');

    expect(res.status === 0 || res.status < 500).toBe(true);
    expect(await uploadStatus(url)).toEqual({ status: 204, range: '0-0' });
  });

  it('an unknown upload id in a random UUID shape, the next request still answered', async () => {
    const res = await client.fetch(`/v2/${repo}/blobs/uploads/${randomUUID()}`);
    expectRefused(await answerOf(res), 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});
