/**
 * The S3 adapter (S3BlobStore on createS3Client) on the suite's S3, where S3-compatible servers answer
 * otherwise than AWS: the local S3 in `npm run test:integration`, Ceph RGW in `npm run test:rgw`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { S3BlobStore } from '../../../lambda/adapters/s3/s3-blob-store';
import { createS3Client, ensureBucket } from '../../../lambda/adapters/s3/s3-client';
import { MultipartUploadGoneError, StoredPart } from '../../../lambda/ports/blob-store';
import { backendEnv } from '../backend-env';
import { MiB, sha256 } from './s3-helpers';

const client = createS3Client({ ...backendEnv().s3, forcePathStyle: true });
const bucket = `stratus-s3-adapter-${randomUUID().slice(0, 8)}`;
const store = new S3BlobStore({ client, bucket });

const readAll = async (key: string, range?: { start: number; end: number }) => {
  const stream = await store.get(key, range);
  if (!stream) return null;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
};
const uploadParts = async (key: string, uploadId: string, bodies: Buffer[]): Promise<StoredPart[]> =>
  Promise.all(bodies.map(async (body, i) =>
    ({ partNumber: i + 1, etag: await store.uploadPart(key, uploadId, i + 1, body), size: body.length })));

beforeAll(async () => {
  await ensureBucket(client, bucket);
  await ensureBucket(client, bucket); // an existing bucket: 409 BucketAlreadyOwnedByYou, or 200 (RGW, us-east-1)
});
afterAll(() => client.destroy());

test('a multipart object reads back whole and by range (RGW answers its completion with an empty ETag)', async () => {
  const key = `mp/${randomUUID()}`;
  const bodies = [randomBytes(5 * MiB), randomBytes(1000)];
  const uploadId = await store.createMultipart(key);
  await store.completeMultipart(key, uploadId, await uploadParts(key, uploadId, bodies));
  const whole = Buffer.concat(bodies);
  expect(sha256((await readAll(key))!)).toBe(sha256(whole));
  expect((await readAll(key, { start: 5 * MiB - 10, end: 5 * MiB + 9 }))!.equals(whole.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true);
});

test('completeMultipart of an aborted upload is MultipartUploadGoneError (RGW answers 500 InternalError)', async () => {
  const key = `mp/${randomUUID()}`;
  const uploadId = await store.createMultipart(key);
  const parts = await uploadParts(key, uploadId, [randomBytes(100)]);
  await store.abortMultipart(key, uploadId);
  await expect(store.completeMultipart(key, uploadId, parts)).rejects.toBeInstanceOf(MultipartUploadGoneError);
  await expect(store.uploadPart(key, uploadId, 2, randomBytes(10))).rejects.toBeInstanceOf(MultipartUploadGoneError);
  await expect(store.abortMultipart(key, uploadId)).resolves.toBeUndefined();
  expect(await readAll(key)).toBeNull();
});

test('a completion refused for its parts keeps S3\'s error (EntityTooSmall), not MultipartUploadGoneError', async () => {
  const key = `mp/${randomUUID()}`;
  const uploadId = await store.createMultipart(key);
  const parts = await uploadParts(key, uploadId, [randomBytes(1000), randomBytes(1000)]);
  await expect(store.completeMultipart(key, uploadId, parts)).rejects.toMatchObject({ name: 'EntityTooSmall' });
  await store.abortMultipart(key, uploadId);
});

test('presignGet gives a URL that reads the object without credentials, Range included', async () => {
  const key = `blob/${randomUUID()}`;
  const body = randomBytes(3000);
  await store.put(key, body);
  const url = await store.presignGet(key, 300);
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  const ranged = await fetch(url, { headers: { Range: 'bytes=100-199' } });
  expect(ranged.status).toBe(206);
  expect(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);
});

test('missing things: get is null, delete and abort are no errors', async () => {
  expect(await store.get(`none/${randomUUID()}`)).toBeNull();
  await expect(store.delete(`none/${randomUUID()}`)).resolves.toBeUndefined();
  await expect(store.abortMultipart(`none/${randomUUID()}`, 'f'.repeat(32))).resolves.toBeUndefined();
});
