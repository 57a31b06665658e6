/** S3 blob stores on a fresh bucket of any S3 endpoint (the suite's, or another given by address). */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client, ensureBucket, S3Endpoint } from '../../../lambda/adapters/s3/s3-client';
import { S3BlobStore } from '../../../lambda/adapters/s3/s3-blob-store';

/** Makes S3BlobStores, each on a new bucket, built as the hosts build them; `destroy()` closes the clients. */
export function s3BlobStores(endpoint: S3Endpoint) {
  const clients: S3Client[] = [];
  return {
    async make(): Promise<S3BlobStore> {
      const client = createS3Client({ ...endpoint, forcePathStyle: true });
      clients.push(client);
      const bucket = `stratus-contract-${randomUUID().slice(0, 8)}`;
      await ensureBucket(client, bucket);
      return new S3BlobStore({ client, bucket });
    },
    destroy(): void {
      for (const c of clients) c.destroy();
    },
  };
}
