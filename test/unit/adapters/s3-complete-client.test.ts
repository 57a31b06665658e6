/**
 * CompleteMultipartUpload goes through its own client, whose idle timeout outlasts an S3-compatible server
 * assembling a large object in silence (the default client's 30 s once made a retried completion find its
 * upload consumed and fail a 1 GiB push).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../../../lambda/adapters/s3/s3-blob-store';
import { S3_COMPLETE_TIMEOUTS, S3_TIMEOUTS } from '../../../lambda/adapters/timeouts';

function recordingClient(name: string, sent: string[]): S3Client {
  return { send: async (command: { constructor: { name: string } }) => { sent.push(`${name}:${command.constructor.name}`); return { ETag: '"e"' }; } } as unknown as S3Client;
}

test('completeMultipart uses the completion client; parts and puts use the main one', async () => {
  const sent: string[] = [];
  const store = new S3BlobStore({ client: recordingClient('main', sent), completeClient: recordingClient('complete', sent), bucket: 'b' });
  await store.uploadPart('k', 'u', 1, new Uint8Array(1));
  await store.completeMultipart('k', 'u', [{ partNumber: 1, etag: '"e"', size: 1 }]);
  await store.put('k2', new Uint8Array(1));
  expect(sent).toEqual(['main:UploadPartCommand', 'complete:CompleteMultipartUploadCommand', 'main:PutObjectCommand']);
});

test('the completion idle timeout is minutes, far above the default attempt idle timeout', () => {
  expect(S3_COMPLETE_TIMEOUTS.idleMs).toBeGreaterThanOrEqual(5 * 60_000);
  expect(S3_COMPLETE_TIMEOUTS.idleMs).toBeGreaterThan(S3_TIMEOUTS.idleMs * 10);
});
