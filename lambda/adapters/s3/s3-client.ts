import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** How to reach an S3 endpoint; everything optional falls back to the AWS SDK's defaults. */
export interface S3Endpoint {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Path-style addressing, needed by MinIO, RGW and local servers. */
  forcePathStyle?: boolean;
}

/** An S3 client that works with AWS and with S3-compatible servers (which validate no checksums). */
export function createS3Client(e: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: e.endpoint,
    region: e.region ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials: e.credentials,
    forcePathStyle: e.forcePathStyle ?? Boolean(e.endpoint),
    // Streamed bodies with the SDK's default CRC trailers are refused by several S3-compatible servers;
    // the registry verifies content digests itself.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates the bucket unless it exists (local and self-hosted set-ups; the CDK stack creates it in AWS). */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
    }
  }
}
