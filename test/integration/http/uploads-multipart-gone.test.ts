/**
 * An upload whose S3 multipart upload was aborted behind the registry's back (an operator's lifecycle rule,
 * another sweeper): the closing PUT is 404 BLOB_UPLOAD_UNKNOWN, never a 5xx, on every S3. Ceph RGW answers
 * the completion of an aborted multipart upload with 500 instead of NoSuchUpload; S3BlobStore asks again.
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../backend-env';
import { startTestRegistry, TestRegistry } from '../harness';
import { errorCodes, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

const MiB = 1024 * 1024;
const client = new RegistryClient('http://registry-not-started-yet');
let registry: TestRegistry;
let s3: S3Client;

beforeAll(async () => {
  registry = await startTestRegistry();
  client.base = registry.url;
  s3 = new S3Client(s3ClientConfig());
});
afterAll(async () => {
  await registry.stop();
  s3.destroy();
});

/** Aborts the multipart upload whose key names the upload session `id`; fails unless there is one. */
async function abortBehindTheRegistry(id: string): Promise<void> {
  const Bucket = registry.settings!.bucket;
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
  const mine = (listed.Uploads ?? []).filter((u) => u.Key?.includes(id));
  expect(mine).toHaveLength(1);
  await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: mine[0].Key!, UploadId: mine[0].UploadId! }));
}

test('PUT /v2/:name/blobs/uploads/:id?digest= -> 404 BLOB_UPLOAD_UNKNOWN when its multipart upload was aborted', async () => {
  const repo = uniqueRepo('mp-gone');
  const bytes = randomBytes(8 * MiB); // exactly one part: the PUT then only completes the multipart upload
  const url = await client.startUpload(repo);
  const patched = await client.patchChunk(url, bytes, 0);
  await patched.arrayBuffer();
  expect(patched.status).toBe(202);
  await abortBehindTheRegistry(url.split('/').pop()!.split('?')[0]);

  const digest = sha256(bytes);
  const put = await client.fetch(client.withDigest(client.location(patched), digest), { method: 'PUT' });
  expect(put.status).toBe(404);
  expect(await errorCodes(put)).toEqual(['BLOB_UPLOAD_UNKNOWN']);
  const head = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  expect(head.status).toBe(404);
  // the session is gone too: a new upload is the way on
  expect((await client.fetch(url)).status).toBe(404);
});
