/**
 * The S3 behaviour Stratus relies on, checked with AWS SDK v3 against the suite's S3 (the patched
 * s3rver by default; MinIO or RGW via S3_ENDPOINT): bucket and object calls, Range, and
 * authentication (signatures, presigned URLs, anonymous requests). Multipart and listing: s3-multipart.test.ts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand,
  HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { backendEnv, s3ClientConfig } from '../backend-env';
import { getBytes as read, onCephRgw, s3Error, s3Fixture, sha256 } from './s3-helpers';

const { s3, Bucket, create } = s3Fixture('stratus-s3-test');
const getBytes = (Key: string, Range?: string) => read(s3, Bucket, Key, Range);

beforeAll(create);
afterAll(() => s3.destroy());

describe('buckets and objects', () => {
  test('CreateBucket and HeadBucket (bucket-level calls sign "/bucket/")', async () => {
    await expect(s3.send(new HeadBucketCommand({ Bucket }))).resolves.toBeDefined();
    expect(await s3Error(s3.send(new HeadBucketCommand({ Bucket: `${Bucket}-missing` })))).toMatchObject({ status: 404 });
    // AWS outside us-east-1 (and the local S3): 409 BucketAlreadyOwnedByYou; RGW, like us-east-1: 200
    if (onCephRgw()) await expect(s3.send(new CreateBucketCommand({ Bucket }))).resolves.toBeDefined();
    else expect((await s3Error(s3.send(new CreateBucketCommand({ Bucket })))).status).toBe(409);
  });

  test('PutObject, HeadObject, GetObject, DeleteObject', async () => {
    const Body = randomBytes(10_000);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'obj/a', Body, ContentType: 'application/x-test' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'obj/a' }));
    expect(head.ContentLength).toBe(Body.length);
    expect(head.ContentType).toBe('application/x-test');
    expect(head.ETag).toBe(`"${createHash('md5').update(Body).digest('hex')}"`);
    expect(sha256((await getBytes('obj/a')).body)).toBe(sha256(Body));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'obj/a' }));
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'obj/a' })))).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  test('an empty object reads back as 200 with no bytes', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'obj/empty', Body: new Uint8Array(0) }));
    const { res, body } = await getBytes('obj/empty');
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(res.ContentLength).toBe(0);
    expect(body.length).toBe(0);
  });

  test('DeleteObjects removes many keys sharing directories in one call', async () => {
    const Keys = Array.from({ length: 30 }, (_, i) => `bulk/${i % 3}/deep/${i}`);
    await Promise.all(Keys.map((Key) => s3.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }))));
    const res = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: Keys.map((Key) => ({ Key })) } }));
    expect(res.Errors ?? []).toEqual([]);
    const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'bulk/' }));
    expect(list.KeyCount).toBe(0);
  });

  test('If-None-Match: * creates only when the key is absent (412 otherwise)', async () => {
    const Key = `cond/${randomUUID()}`;
    await s3.send(new PutObjectCommand({ Bucket, Key, Body: 'first', IfNoneMatch: '*' }));
    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket, Key, Body: 'second', IfNoneMatch: '*' }))))
      .toEqual({ name: 'PreconditionFailed', status: 412 });
    expect((await getBytes(Key)).body.toString()).toBe('first');
  });
});

describe('Range GET', () => {
  const Body = randomBytes(1000);
  beforeAll(() => s3.send(new PutObjectCommand({ Bucket, Key: 'range', Body })));

  test.each([
    ['bytes=2-5', 2, 5],
    ['bytes=0-0', 0, 0],
    ['bytes=990-', 990, 999],
    ['bytes=-10', 990, 999],
    ['bytes=900-5000', 900, 999],
  ])('%s answers 206 with the right bytes and Content-Range', async (Range, first, last) => {
    const { res, body } = await getBytes('range', Range);
    expect(res.$metadata.httpStatusCode).toBe(206);
    expect(res.ContentRange).toBe(`bytes ${first}-${last}/1000`);
    expect(res.ContentLength).toBe(last - first + 1);
    expect(body.equals(Body.subarray(first, last + 1))).toBe(true);
  });

  test('a range starting past the end is 416 InvalidRange', async () => {
    expect(await s3Error(getBytes('range', 'bytes=1000-1001'))).toEqual({ name: 'InvalidRange', status: 416 });
  });
});

describe('authentication', () => {
  const Body = randomBytes(300);
  beforeAll(() => s3.send(new PutObjectCommand({ Bucket, Key: 'auth/blob', Body })));
  const presign = (opts: { expiresIn?: number; signingDate?: Date } = {}) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'auth/blob' }), { expiresIn: 300, ...opts });

  test('a presigned GET works without credentials, Range included', async () => {
    const url = await presign();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(Body)).toBe(true);
    const ranged = await fetch(url, { headers: { Range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 10-19/300');
    expect(Buffer.from(await ranged.arrayBuffer()).equals(Body.subarray(10, 20))).toBe(true);
  });

  test('a tampered presigned URL is 403', async () => {
    const url = new URL(await presign());
    const sig = url.searchParams.get('X-Amz-Signature')!;
    url.searchParams.set('X-Amz-Signature', (sig[0] === '0' ? '1' : '0') + sig.slice(1));
    expect((await fetch(url)).status).toBe(403);
    const otherKey = new URL(await presign());
    otherKey.pathname = otherKey.pathname.replace('auth/blob', 'auth/other');
    expect((await fetch(otherKey)).status).toBe(403);
    const longer = new URL(await presign());
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect((await fetch(longer)).status).toBe(403);
  });

  test('an expired presigned URL is 403', async () => {
    const url = await presign({ expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('AccessDenied');
  });

  test('unsigned requests are 403 and change nothing', async () => {
    const { endpoint } = backendEnv().s3;
    const put = await fetch(`${endpoint}/${Bucket}/auth/anonymous`, { method: 'PUT', body: 'hello' });
    expect(put.status).toBe(403);
    expect((await fetch(`${endpoint}/${Bucket}/auth/blob`)).status).toBe(403);
    expect((await fetch(`${endpoint}/${Bucket}/`)).status).toBe(403);
    expect((await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'auth/anonymous' })))).status).toBe(404);
  });

  test('a wrong secret key is 403', async () => {
    const { credentials } = backendEnv().s3;
    const wrong = new S3Client({ ...s3ClientConfig(), credentials: { ...credentials, secretAccessKey: 'not-the-secret' } });
    try {
      expect(await s3Error(wrong.send(new GetObjectCommand({ Bucket, Key: 'auth/blob' }))))
        .toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    } finally {
      wrong.destroy();
    }
  });
});

